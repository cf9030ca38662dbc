/**
 * Sessions recorded before client markers were stored carry none: they count for the one entry that
 * records under their name (so an instrumented entry keeps its history after the upgrade), and for
 * nobody's when several entries record under it but one wrapped by hand (which then has them). An entry
 * whose wrapper records into another data dir has no traffic here, and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DiscoveredServer } from "../../electron/monitor/discovery/types.js";
import { trafficKeysOf, trafficOf } from "../../electron/monitor/inventory/entry-traffic.js";
import { serverHistory, serverTraffic } from "../../electron/monitor/inventory/inventory-queries.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { ACTIVE_WINDOW_MS } from "../../shared/servers.js";
import { tempDir } from "../helpers/mcp.js";
import { server } from "../instrument/helpers.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
const NOW = Date.now();

beforeAll(async () => {
  dir = await tempDir();
  db = openDb(databasePath(dir.path));
  const session = db.prepare("INSERT INTO sessions (id, server, client, started_at) VALUES (?, ?, ?, ?)");
  const call = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome, bytes_in, bytes_out)
     VALUES (?, ?, 'c2s', ?, 'tools/call', ?, 5, 'ok', 10, 20)`,
  );
  db.transaction(() => {
    // "files": recorded before markers only. "memory": before, then marked, plus an old cursor session.
    session.run("old-files", "files", null, NOW - 60_000);
    call.run("old-files", "files", "f1", NOW - 50_000);
    session.run("old-memory", "memory", null, NOW - 60_000);
    call.run("old-memory", "memory", "m1", NOW - 40_000);
    session.run("new-memory", "memory", "claude-code", NOW - 30_000);
    call.run("new-memory", "memory", "m2", NOW - 20_000);
    session.run("cursor-memory", "memory", "cursor", NOW - 15_000);
    call.run("cursor-memory", "memory", "m3", NOW - 10_000);
  });
});
afterAll(async () => {
  db.close();
  await dir.cleanup();
});

type Wrapped = NonNullable<DiscoveredServer["wrapped"]>;
function entry(
  client: "claude-code" | "cursor" | "lmstudio",
  name: string,
  wrapped: Partial<Wrapped> | null,
) {
  const s = server(client, name, `/h/${client}.json`, "jsonc", ["mcpServers", name]);
  s.definition.instrumented = wrapped !== null && !wrapped.recordsElsewhere;
  s.wrapped = wrapped && { command: "mcpscope", args: [], byHand: false, recordsInto: null, ...wrapped };
  return s;
}
const instrumented = (client: "claude-code" | "cursor", name: string) => entry(client, name, { client });

function trafficOfEach(servers: DiscoveredServer[]) {
  const keys = trafficKeysOf(servers);
  const traffic = serverTraffic(
    db,
    [...keys.values()].filter((k) => k !== null),
    NOW - ACTIVE_WINDOW_MS,
  );
  return servers.map((s) => {
    const key = keys.get(s) ?? null;
    const calls = serverHistory(db, null, s.definition.name, NOW - ACTIVE_WINDOW_MS, key).calls;
    return { traffic: trafficOf(traffic, key), calls: calls.map((c) => c.requestId).sort() };
  });
}

describe("sessions without a client marker", () => {
  it("count for an instrumented entry that is the only one recording under the name", () => {
    const [files, unwrapped] = trafficOfEach([
      instrumented("claude-code", "files"),
      entry("cursor", "files", null),
    ]);
    expect(files?.traffic).toMatchObject({ lastCallAt: NOW - 50_000, recentAnswered: 1 });
    expect(files?.calls).toEqual(["f1"]);
    expect(unwrapped).toEqual({ traffic: null, calls: [] });
  });

  it("count beside its own marked sessions, and not another client's", () => {
    const [memory] = trafficOfEach([instrumented("claude-code", "memory")]);
    expect(memory?.traffic).toMatchObject({ lastCallAt: NOW - 20_000, recentAnswered: 2 });
    expect(memory?.calls).toEqual(["m1", "m2"]);
  });

  it("stay with an entry wrapped by hand of the same name, not the instrumented one", () => {
    const [files, byHand] = trafficOfEach([
      instrumented("claude-code", "files"),
      entry("lmstudio", "files", { byHand: true }),
    ]);
    expect(files).toMatchObject({ traffic: { lastCallAt: null, recentAnswered: 0 }, calls: [] });
    expect(byHand?.calls).toEqual(["f1"]);
  });

  it("are no one's when two instrumented entries record under the name", () => {
    const [claude, cursor] = trafficOfEach([
      instrumented("claude-code", "memory"),
      instrumented("cursor", "memory"),
    ]);
    expect(claude?.calls).toEqual(["m2"]);
    expect(cursor?.calls).toEqual(["m3"]);
  });
});

describe("an entry whose wrapper records into another data dir", () => {
  it("has no traffic here, even with sessions of its client and name", () => {
    const elsewhere = entry("claude-code", "memory", {
      client: "claude-code",
      recordsInto: "/elsewhere",
      recordsElsewhere: true,
    });
    const byHandElsewhere = entry("lmstudio", "files", { byHand: true, recordsElsewhere: true });
    expect(trafficOfEach([elsewhere, byHandElsewhere])).toEqual([
      { traffic: null, calls: [] },
      { traffic: null, calls: [] },
    ]);
  });
});
