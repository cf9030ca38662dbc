/**
 * alerts.list answers the same from every front for the same input: the engine in process (what the
 * app's IPC relays to), browser mode's HTTP API, and `mcpscope alerts --json`, which serves the same
 * handlers over the stored states.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import type { Db } from "../../electron/monitor/store/db.js";
import type { AlertInstance } from "../../shared/alerts.js";
import { mcpscopeJson, tempDir, waitFor } from "../helpers/mcp.js";
import { type Harness, harness, openStore, VirtualClock, writeAlerts } from "./alert-fixtures.js";

const token = "f".repeat(40);
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
let leader: Harness;
let engine: Engine;
let server: Awaited<ReturnType<typeof startHttpServer>>;

beforeAll(async () => {
  dir = await tempDir();
  writeAlerts(
    dir.path,
    // A long interval: the lease below outlives the test, however slow the machine.
    "evaluation_interval: 1h\nrules:\n  - { name: errors, kind: metric, signal: error_rate, by: [server], threshold: 20%, severity: critical }\n",
  );
  db = openStore(dir.path);
  const clock = new VirtualClock(Date.now());
  const series = new SeriesSignalSource(
    [
      { signal: "error_rate", labels: { server: "a" }, values: [0.5] },
      { signal: "error_rate", labels: { server: "b" }, values: [0.9] },
    ],
    60_000,
    clock.t,
  );
  // This evaluator holds the lease, so the engine below follows its states as a second engine would.
  leader = harness(dir.path, db, clock, series);
  leader.manager.silence({ matchers: [{ name: "server", op: "=", value: "b" }], duration: "1h" });
  leader.manager.evaluate(clock.t);
  engine = await createEngine({ dataDir: dir.path, pollIntervalMs: 50, inventory: false });
  server = await startHttpServer({ engine, host: "127.0.0.1", port: 0, token, staticRoot: dir.path });
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  leader?.manager.close();
  db?.close();
  await dir.cleanup();
});

async function overHttp(input: Record<string, unknown>): Promise<AlertInstance[]> {
  const res = await fetch(`${server.url}api/alerts.list`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: AlertInstance[] }).result;
}

describe("alerts.list from every front", () => {
  it("gives the same alerts in process, over HTTP and from the CLI", async () => {
    // The engine applies the silence at its first look at the store.
    const inProcess = await waitFor(async () => {
      const alerts = (await engine.invoke("alerts.list", {})) as AlertInstance[];
      return alerts.some((a) => a.silencedBy.length > 0) && alerts;
    });
    expect(inProcess.map((a) => [a.labels.server, a.state, a.silencedBy.length > 0])).toEqual(
      expect.arrayContaining([
        ["a", "firing", false],
        ["b", "firing", true],
      ]),
    );
    expect(await overHttp({})).toEqual(inProcess);
    const cli = await mcpscopeJson<{ alerts: AlertInstance[]; evaluating: boolean }>([
      "alerts",
      "--json",
      "--data-dir",
      dir.path,
    ]);
    expect(cli.alerts).toEqual(inProcess);
  });

  it("filters the same way for the same input", async () => {
    const input = { status: "firing", server: "b" } as const;
    const inProcess = (await engine.invoke("alerts.list", input)) as AlertInstance[];
    expect(inProcess.map((a) => a.labels.server)).toEqual(["b"]);
    expect(await overHttp(input)).toEqual(inProcess);
    const cli = await mcpscopeJson<{ alerts: AlertInstance[] }>([
      "alerts",
      "--status",
      "firing",
      "--server",
      "b",
      "--json",
      "--data-dir",
      dir.path,
    ]);
    expect(cli.alerts).toEqual(inProcess);
  });
});
