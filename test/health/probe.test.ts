/** Real probes: server-everything over stdio, Streamable HTTP and SSE; a stateless-only server; a managed one. */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DbHealthStore } from "../../electron/monitor/health/health-store.js";
import { probeServer } from "../../electron/monitor/health/probe.js";
import { Prober, supervisorLookup } from "../../electron/monitor/health/prober.js";
import { canonicalJson } from "../../electron/monitor/health/tool-snapshot.js";
import { processEnv } from "../../electron/monitor/shell-env.js";
import { Supervisor } from "../../electron/monitor/supervisor/supervisor.js";
import { ROOT, waitFor } from "../helpers/mcp.js";
import { everything, remoteTarget, stdioTarget, type TestStore, testStore } from "../supervisor/helpers.js";
import { freePort, type RemoteServer, startRemote } from "./remote-server.js";

const STATELESS = stdioTarget("stateless", process.execPath, [
  join(ROOT, "test", "health", "fixtures", "stateless-server.mjs"),
]);

let store: TestStore | undefined;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  store?.close();
  store = undefined;
});

function db(): TestStore {
  if (!store) throw new Error("no store");
  return store;
}

function prober(extra: Partial<ConstructorParameters<typeof Prober>[0]> = {}) {
  const s = testStore();
  store = s;
  const p = new Prober({
    sink: s.sink,
    store: new DbHealthStore(s.db),
    env: async () => processEnv(),
    intervalMs: 3_600_000,
    ...extra,
  });
  cleanups.push(() => p.close());
  return p;
}

describe("a probe", () => {
  it("finds server-everything up over stdio, and keeps one snapshot while its tools stay the same", async () => {
    const p = prober();
    const target = everything();
    p.watch(target);
    const first = await p.probeNow(target.definition.id)!;
    expect(first).toMatchObject({
      server: "everything",
      status: "up",
      state: "up",
      era: "session",
      protocolVersion: "2025-11-25",
      error: null,
    });
    expect(first.toolsCount).toBeGreaterThan(5);
    expect(first.handshakeMs).toBeGreaterThan(0);
    expect(first.pingMs).toBeGreaterThan(0);
    expect(first.listMs).toBeGreaterThan(0);

    const second = await p.probeNow(target.definition.id)!;
    expect(second.status).toBe("up");
    expect(db().rows("SELECT count(*) AS n FROM health_checks")[0]?.n).toBe(2);
    const snapshots = db().rows("SELECT * FROM tool_snapshots");
    expect(snapshots).toHaveLength(1);
    const tools = JSON.parse(String(snapshots[0]?.tools_json)) as Array<{ name: string }>;
    expect(tools.map((t) => t.name)).toContain("echo");
    expect(snapshots[0]?.tools_count).toBe(first.toolsCount);
    expect(snapshots[0]?.hash).toBe(createHash("sha256").update(canonicalJson(tools)).digest("hex"));
    expect(p.health(target.definition.id)?.toolsHash).toBe(snapshots[0]?.hash);
    expect(db().rows("SELECT type, message FROM events")).toEqual([
      { type: "health.up", message: "everything is up" },
    ]);
  });

  it("speaks the stateless era to a server without initialize: server/discover, then tools/list with _meta", async () => {
    const result = await probeServer(STATELESS, { env: processEnv() });
    expect(result).toMatchObject({
      outcome: "ok",
      era: "stateless",
      protocolVersion: "2026-07-28",
      serverName: "stateless-fixture",
      serverVersion: "0.3.0",
      pingMs: null,
      error: null,
    });
    expect(result.tools?.map((t) => t.name)).toEqual(["echo", "now"]);
    // With the era known, it goes straight to server/discover; a wrong hint re-probes.
    expect(await probeServer(STATELESS, { env: processEnv(), eraHint: "stateless" })).toMatchObject({
      outcome: "ok",
      era: "stateless",
    });
    expect(await probeServer(everything(), { env: processEnv(), eraHint: "stateless" })).toMatchObject({
      outcome: "ok",
      era: "session",
    });
  });

  it("calls a slow answer degraded", async () => {
    const result = await probeServer(STATELESS, { env: processEnv(), slowMs: 0 });
    expect(result.outcome).toBe("degraded");
    expect(result.error).toMatch(/^slow: (tools\/list|the liveness check) took \d+ ms \(more than 0 ms\)$/);
    expect(result.tools).toHaveLength(2);
  });

  it("marks a remote server down after three failures when it stops, and up after two answers when it is back", async () => {
    const port = await freePort();
    let server: RemoteServer = await startRemote("streamableHttp", port);
    cleanups.push(() => server.stop());
    const p = prober();
    const target = remoteTarget("remote", `http://127.0.0.1:${port}/mcp`, { Authorization: "Bearer abc123" });
    const id = target.definition.id;
    p.watch(target);
    expect(await p.probeNow(id)).toMatchObject({ status: "up", state: "up", era: "session" });
    // The probe's session was ended on the server too, not left behind.
    expect(server.log()).toMatch(/Received session termination request for session [\w-]+/);

    await server.stop();
    const down = [];
    for (let i = 0; i < 3; i++) down.push(await p.probeNow(id)!);
    expect(down.map((c) => [c.status, c.state])).toEqual([
      ["down", "up"],
      ["down", "up"],
      ["down", "down"],
    ]);
    expect(down[2]?.error).toBe(
      `cannot connect to 127.0.0.1:${port}: connection refused; is the server running?`,
    );

    server = await startRemote("streamableHttp", port);
    const back = [await p.probeNow(id)!, await p.probeNow(id)!];
    expect(back.map((c) => [c.status, c.state])).toEqual([
      ["up", "down"],
      ["up", "up"],
    ]);
    expect(
      db()
        .rows("SELECT type FROM events ORDER BY id")
        .map((r) => r.type),
    ).toEqual(["health.up", "health.down", "health.up"]);
    const downEvent = db().rows("SELECT * FROM events WHERE type = 'health.down'")[0];
    expect(downEvent).toMatchObject({ category: "system", severity: "high", server: "remote" });
  });

  it("reaches a server over the older HTTP+SSE transport", async () => {
    const port = await freePort();
    const server = await startRemote("sse", port);
    cleanups.push(() => server.stop());
    const target = remoteTarget("legacy-sse", `http://127.0.0.1:${port}/sse`);
    target.definition.transport = "sse";
    const result = await probeServer(target, { env: {} });
    expect(result).toMatchObject({ outcome: "ok", era: "session", serverName: "mcp-servers/everything" });
    expect(result.tools?.length).toBeGreaterThan(5);
  });

  it("uses a managed server's own session, and fails while it is not running", async () => {
    const s = testStore();
    store = s;
    const supervisor = new Supervisor({
      sink: s.sink,
      runs: s.runs,
      env: async () => processEnv(),
      policy: { initialDelayMs: 3_600_000 },
    });
    cleanups.push(() => supervisor.stopAll());
    const p = new Prober({
      sink: s.sink,
      store: new DbHealthStore(s.db),
      managed: supervisorLookup(supervisor),
      env: async () => processEnv(),
      intervalMs: 3_600_000,
    });
    cleanups.push(() => p.close());
    const target = everything("managed");
    const id = target.definition.id;
    const started = await supervisor.start(target);
    p.watch(target);
    const up = await p.probeNow(id)!;
    expect(up).toMatchObject({ status: "up", handshakeMs: null, era: "session" });
    expect(up.pingMs).toBeGreaterThan(0);
    expect(s.rows("SELECT count(*) AS n FROM process_runs")[0]?.n).toBe(1); // no second process

    process.kill(started.pid!, "SIGKILL");
    // The exit reaches the supervisor when the kernel reports it: wait for that, not for a set time.
    await waitFor(() => supervisor.status(id)?.state === "backoff");
    expect(await p.probeNow(id)).toMatchObject({ status: "down", error: "not running (backoff)" });
    await supervisor.start(target);
    expect(await p.probeNow(id)).toMatchObject({ status: "up", state: "up" });
  });
});
