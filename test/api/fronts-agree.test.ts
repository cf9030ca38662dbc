/**
 * One question, one answer, whichever front asks: the CLI (`--json`, run in process), browser mode's HTTP
 * API, the app's IPC (the shell's own relay, over fake Electron parts, to the engine host's loop) and the
 * typed client in process (over the engine, and over the store handlers the CLI serves) agree on one
 * seeded store.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withStoreApi } from "../../electron/cli/api-client.js";
import { RENDERER_URL } from "../../electron/main/app-protocol.js";
import { serveEngine } from "../../electron/main/host-service.js";
import { createShell } from "../../electron/main/shell.js";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { addManualServer } from "../../electron/monitor/discovery/manual-servers.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { AD_HOC_REFUSED, HOME_REFUSED } from "../../electron/monitor/health/check-handlers.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { unwrapReply } from "../../electron/preload/ipc-reply.js";
import { createApiClient, IPC_INVOKE_CHANNEL, type MethodInput, type MethodName } from "../../shared/api.js";
import type { CheckDocument } from "../../shared/check.js";
import { fakeShellParts } from "../electron/fake-shell.js";
import { linkedHost } from "../electron/fakes.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { SERVERS, tempDir } from "../helpers/mcp.js";
import { insertLogs } from "../logs/store.js";
import { mixedCalls, recordCalls } from "../metrics/workload.js";

const MINUTE = 60_000;
/** Log records of a server of their own: the engine's own log (server `mcpscope`) grows while it runs. */
const LOG_SERVER = "srv-logs";
/** A server added by hand in the data dir, which `servers.check` finds by name like any configured one. */
const CHECKED = "fronts-agree-memory";
let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
let server: Awaited<ReturnType<typeof startHttpServer>>;
let shell: ReturnType<typeof createShell>;
/** What the preload's `invoke` does: the shell's handler on the invoke channel, from the app's window. */
let overIpc: (method: MethodName, input: unknown) => Promise<unknown>;
const token = "f".repeat(40);
// Absolute times, so that no front's "now" moves the range.
const until = new Date(Date.now() - MINUTE).toISOString();
const since = new Date(Date.parse(until) - 60 * MINUTE).toISOString();

beforeAll(async () => {
  dir = await tempDir();
  recordCalls(dir.path, mixedCalls(120, Date.parse(since) + MINUTE, Date.parse(until) - MINUTE, 7));
  const db = openDb(databasePath(dir.path));
  for (const action of ["instrument", "silence", "uninstrument"])
    recordAdminAction(db, { action, actor: "tester", server: "srv-1", outcome: "ok" });
  insertLogs(
    db,
    Array.from({ length: 12 }, (_, i) => ({
      server: LOG_SERVER,
      level: i % 4 ? ("info" as const) : ("error" as const),
      message: i % 4 ? `served request ${i} in ${i * 3} ms` : `cannot open /tmp/file-${i}.txt`,
      time: Date.parse(since) + (i + 1) * MINUTE,
    })),
  );
  db.close();
  await addManualServer(dir.path, { name: CHECKED, command: process.execPath, args: SERVERS.memory() });
  // No rollup folding while the fronts ask: a fold between two questions would turn exact latency
  // percentiles into sketch estimates (within 1%) for the questions after it.
  engine = await createEngine({
    dataDir: dir.path,
    inventory: false,
    alerts: false,
    metrics: { collector: false },
  });
  // Some questions name another home: served over HTTP with the flag, over IPC once the user says yes
  // (request-policy.test.ts and request-consent.test.ts cover the refusals).
  server = await startHttpServer({
    engine,
    host: "127.0.0.1",
    port: 0,
    token,
    staticRoot: dir.path,
    allowCommands: true,
  });

  // The app's path: window → the shell's IPC relay → EngineClient → the host loop (structured clones) → engine.
  const fake = fakeShellParts({ rendererUrl: RENDERER_URL, messageBoxResponse: 0 });
  const link = linkedHost();
  fake.parts.forkHost = () => link.main;
  serveEngine(link.port, { createEngine: async () => engine, exit: link.exit, log: () => {} });
  shell = createShell(fake.parts);
  shell.ready();
  const relay = fake.ipcMain.handlers.get(IPC_INVOKE_CHANNEL);
  const win = fake.app.windows[0];
  if (!relay || !win) throw new Error("the shell registered no invoke handler or opened no window");
  overIpc = async (method, input) =>
    unwrapReply(await relay({ sender: win.webContents, senderFrame: { url: RENDERER_URL } }, method, input));
});
afterAll(async () => {
  await server.close();
  await shell.engine.stop();
  await engine.close();
  await dir.cleanup();
});

async function overHttp<M extends MethodName>(method: M, input: MethodInput<M>): Promise<unknown> {
  const res = await fetch(`${server.url}api/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: unknown }).result;
}

async function inProcess<M extends MethodName>(method: M, input: MethodInput<M>): Promise<unknown[]> {
  const overEngine = await createApiClient(engine).call(method, input);
  const overStore = await withStoreApi(
    { flags: { "data-dir": dir.path }, positionals: [], lists: {}, rest: [] },
    (api) => api.call(method, input),
  );
  return [overEngine, overStore];
}

describe("the CLI, HTTP, IPC and the in-process client", () => {
  it("give the same stats", async () => {
    const input = { since, until, server: "srv-1" };
    const cli = await cliJsonInProcess([
      "stats",
      "--data-dir",
      dir.path,
      "--since",
      since,
      "--until",
      until,
      "--server",
      "srv-1",
    ]);
    const http = await overHttp("stats.get", input);
    const [engineAnswer, storeAnswer] = await inProcess("stats.get", input);
    expect((cli as { servers: unknown[] }).servers).toHaveLength(1);
    expect(http).toEqual(cli);
    expect(await overIpc("stats.get", input)).toEqual(cli);
    expect(engineAnswer).toEqual(cli);
    expect(storeAnswer).toEqual(cli);
  });

  it("list the same calls", async () => {
    const input = { since, until, outcome: "ok" as const, limit: 1000 };
    const cli = await cliJsonInProcess<{ calls: unknown[] }>([
      "calls",
      "--data-dir",
      dir.path,
      "--since",
      since,
      "--until",
      until,
      "--outcome",
      "ok",
      "--limit",
      "1000",
    ]);
    const http = await overHttp("calls.details", input);
    const [engineAnswer, storeAnswer] = await inProcess("calls.details", input);
    expect(cli.calls.length).toBeGreaterThan(10);
    expect(http).toEqual(cli.calls);
    expect(await overIpc("calls.details", input)).toEqual(cli.calls);
    expect(engineAnswer).toEqual(cli.calls);
    expect(storeAnswer).toEqual(cli.calls);
  });

  it("give the same audit chain check", async () => {
    const cli = await cliJsonInProcess(["audit", "verify", "--data-dir", dir.path]);
    const http = await overHttp("audit.verify", {});
    const [engineAnswer, storeAnswer] = await inProcess("audit.verify", {});
    expect(cli).toMatchObject({ ok: true, records: expect.any(Number) });
    expect((cli as { records: number }).records).toBe(3);
    expect(http).toEqual(cli);
    expect(await overIpc("audit.verify", {})).toEqual(cli);
    expect(engineAnswer).toEqual(cli);
    expect(storeAnswer).toEqual(cli);
  });

  it("discover the same servers in a client's config", async () => {
    const home = join(dir.path, "home");
    await mkdir(join(home, ".cursor"), { recursive: true });
    const config = {
      mcpServers: {
        memory: {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-memory"],
          env: { TOKEN: "s3cret" },
        },
        docs: { url: "https://example.com/mcp" },
      },
    };
    await writeFile(join(home, ".cursor", "mcp.json"), JSON.stringify(config));
    const cli = await cliJsonInProcess<{ servers: Array<{ name: string; env: Record<string, string> }> }>([
      "discover",
      "--data-dir",
      dir.path,
      "--home",
      home,
      "--client",
      "cursor",
      "--json",
    ]);
    const input = { client: "cursor" as const, home };
    const http = await overHttp("discovery.list", input);
    const [engineAnswer, storeAnswer] = await inProcess("discovery.list", input);
    expect(cli.servers.map((s) => s.name).sort()).toEqual(["docs", "memory"]);
    expect(JSON.stringify(cli)).not.toContain("s3cret");
    expect(http).toEqual(cli);
    expect(await overIpc("discovery.list", input)).toEqual(cli);
    expect(engineAnswer).toEqual(cli);
    expect(storeAnswer).toEqual(cli);
  });

  it("wrap config entries alike and undo each other's wrapping byte for byte", async () => {
    const home = join(dir.path, "home-edit");
    const file = join(home, ".cursor", "mcp.json");
    await mkdir(join(home, ".cursor"), { recursive: true });
    const original = `{
  // kept as written
  "mcpServers": {
    "one": { "command": "node", "args": ["one.js", "--token", "s3cret"] },
    "two": { "command": "node", "args": ["two.js"] }
  }
}
`;
    await writeFile(file, original);
    const cli = await cliJsonInProcess<Record<string, unknown>>([
      "instrument",
      "--data-dir",
      dir.path,
      "--home",
      home,
      "--client",
      "cursor",
      "--server",
      "one",
      "--json",
    ]);
    const http = (await overHttp("instrument.entry", { client: "cursor", server: "two", home })) as Record<
      string,
      unknown
    >;
    expect(cli).toMatchObject({ status: "instrumented", server: "one", file });
    expect(JSON.stringify(cli)).not.toContain("s3cret");
    expect(http).toMatchObject({ kind: "wrapped", status: "instrumented", server: "two", file });
    const { kind: _kind, before: _before, byHand: _byHand, ...printed } = http;
    expect(Object.keys(printed).sort()).toEqual(Object.keys(cli).sort());
    expect(printed.command).toBe(cli.command);

    const undone = await createApiClient(engine).call("instrument.undo", { all: true, home });
    expect(undone.entries.map((e) => [e.server, e.status, e.error]).sort()).toEqual([
      ["one", "restored", null],
      ["two", "restored", null],
    ]);
    expect(await readFile(file, "utf8")).toBe(original);
  });

  it("give the same log templates, the same tail and the same search", async () => {
    const input = { since, until, server: LOG_SERVER, limit: 50 };
    const cli = await cliJsonInProcess<{ patterns: unknown[] }>([
      "logs",
      "patterns",
      "--data-dir",
      dir.path,
      "--since",
      since,
      "--until",
      until,
      "--server",
      LOG_SERVER,
      "--limit",
      "50",
    ]);
    expect(cli.patterns).toHaveLength(2);
    expect(await overHttp("logs.patterns", input)).toEqual(cli);
    expect(await overIpc("logs.patterns", input)).toEqual(cli);
    for (const answer of await inProcess("logs.patterns", input)) expect(answer).toEqual(cli);

    const listed = await cliJsonInProcess<{ logs: unknown[] }>([
      "logs",
      "--data-dir",
      dir.path,
      "--server",
      LOG_SERVER,
      "--since",
      since,
    ]);
    const tail = { server: LOG_SERVER, after: 0 };
    const page = (await overHttp("logs.tail", tail)) as { records: unknown[]; more: boolean };
    expect(page.records).toEqual(listed.logs);
    expect(page.more).toBe(false);
    expect(await overIpc("logs.tail", tail)).toEqual(page);
    for (const answer of await inProcess("logs.tail", tail)) expect(answer).toEqual(page);
  });

  it("export the same audit records", async () => {
    const { stdout } = await cliOkInProcess(["audit", "export", "--data-dir", dir.path]);
    const cli = stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    expect(cli.length).toBeGreaterThanOrEqual(3);
    const input = { limit: 1000 };
    const http = (await overHttp("audit.export", input)) as { records: unknown[]; next: number | null };
    expect(http).toEqual({ records: cli, next: null });
    expect(await overIpc("audit.export", input)).toEqual(http);
    for (const answer of await inProcess("audit.export", input)) expect(answer).toEqual(http);
  });

  it("check a configured server alike (what it found; the times are measured each time)", async () => {
    const found = ({ handshakeMs, pingMs, listMs, ...rest }: CheckDocument) => {
      for (const ms of [handshakeMs, listMs]) expect(ms).toBeGreaterThan(0);
      return rest;
    };
    const cli = found(
      await cliJsonInProcess<CheckDocument>(["check", "--server", CHECKED, "--data-dir", dir.path]),
    );
    expect(cli).toMatchObject({ status: "up", healthy: true, error: null });
    expect(cli.tools.map((t) => t.name)).toContain("read_graph");
    const input = { server: CHECKED };
    expect(found((await overHttp("servers.check", input)) as CheckDocument)).toEqual(cli);
    expect(found((await overIpc("servers.check", input)) as CheckDocument)).toEqual(cli);
    for (const answer of await inProcess("servers.check", input))
      expect(found(answer as CheckDocument)).toEqual(cli);
  });

  it("run a command named in the request only in the terminal's process: HTTP and IPC refuse it", async () => {
    const marker = join(dir.path, "ran");
    const command = [
      process.execPath,
      "-e",
      `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran")`,
    ];
    // Another home's config names the same command: reading it there would run it all the same.
    const home = join(dir.path, "home");
    mkdirSync(home, { recursive: true });
    const [program = "", ...args] = command;
    writeFileSync(
      join(home, ".claude.json"),
      JSON.stringify({ mcpServers: { planted: { command: program, args } } }),
    );
    const refusals: [object, string][] = [
      [{ command }, AD_HOC_REFUSED],
      [{ url: "http://127.0.0.1:9/mcp" }, AD_HOC_REFUSED],
      [{ server: "planted", home }, HOME_REFUSED],
    ];
    for (const [input, refused] of refusals) {
      const res = await fetch(`${server.url}api/servers.check`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(input),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: { kind: "input", message: refused } });
      await expect(overIpc("servers.check", input)).rejects.toThrow(refused);
      await expect(createApiClient(engine).call("servers.check", input as never)).rejects.toThrow(refused);
    }
    expect(existsSync(marker)).toBe(false);

    const doc = await withStoreApi(
      { flags: { "data-dir": dir.path }, positionals: [], lists: {}, rest: [] },
      (api) => api.call("servers.check", { command, timeout: "5s" }),
    );
    expect(existsSync(marker)).toBe(true);
    expect(doc).toMatchObject({ status: "down", healthy: false });
  });
});
