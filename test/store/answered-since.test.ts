/**
 * What makes a server `active` in the Servers view and the Overview: the calls it answered in the active
 * window, counted from calls_server_time up to a cap, so a busy server does not make every read scan
 * minutes of its calls. Both readers (servers.list and the inventory's traffic) give the same figure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trafficKeyId } from "../../electron/monitor/inventory/entry-traffic.js";
import { serverTraffic } from "../../electron/monitor/inventory/inventory-queries.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { listServers } from "../../electron/monitor/store/queries.js";
import { ACTIVE_WINDOW_MS, RECENT_ANSWERED_CAP } from "../../shared/servers.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
const NOW = Date.now();

beforeAll(async () => {
  dir = await tempDir();
  db = openDb(databasePath(dir.path));
  const session = db.prepare("INSERT INTO sessions (id, server, started_at) VALUES (?, ?, ?)");
  const call = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome, bytes_in, bytes_out)
     VALUES (?, ?, ?, ?, 'tools/call', ?, 5, ?, 10, 20)`,
  );
  db.transaction(() => {
    for (const server of ["busy", "some", "stale"]) session.run(server, server, NOW - ACTIVE_WINDOW_MS * 2);
    // More answered calls than the cap, in the window.
    for (let i = 0; i < RECENT_ANSWERED_CAP + 50; i++)
      call.run("busy", "busy", "c2s", `b${i}`, NOW - 1000, "ok");
    // Answered and not: two answered (one an error), a timeout, a server→client request, one too old.
    call.run("some", "some", "c2s", "s1", NOW - 2000, "ok");
    call.run("some", "some", "c2s", "s2", NOW - 2000, "tool_error");
    call.run("some", "some", "c2s", "s3", NOW - 2000, "timeout");
    call.run("some", "some", "s2c", "s4", NOW - 2000, "ok");
    call.run("some", "some", "c2s", "s5", NOW - ACTIVE_WINDOW_MS - 1000, "ok");
    // The newest call is one it did not answer (a proxy that could not reach it).
    call.run("some", "some", "c2s", "s6", NOW - 500, "disconnected");
    call.run("stale", "stale", "c2s", "t1", NOW - ACTIVE_WINDOW_MS - 1000, "ok");
  });
});
afterAll(async () => {
  db.close();
  await dir.cleanup();
});

const NONE = { lastCallAt: null, recentAnswered: -1, lastAnsweredAt: null };

/** The three servers' traffic as a hand-wrapped entry of each sees it (their sessions carry no client). */
function trafficByName() {
  const names = ["busy", "some", "stale"];
  const traffic = serverTraffic(
    db,
    names.map((name) => ({ name, client: null, entry: null, unmarked: true })),
    NOW - ACTIVE_WINDOW_MS,
  );
  return new Map(
    names.map((name) => [
      name,
      traffic.get(trafficKeyId({ name, client: null, entry: null, unmarked: true })) ?? NONE,
    ]),
  );
}

describe("answered calls in the active window", () => {
  it("counts client calls with an answer, up to the cap plus one, the same in both readers", () => {
    const listed = Object.fromEntries(listServers(db, NOW).map((s) => [s.name, s.recentAnswered]));
    expect(listed).toEqual({ busy: RECENT_ANSWERED_CAP + 1, some: 2, stale: 0 });
    const traffic = trafficByName();
    expect(Object.fromEntries([...traffic].map(([name, t]) => [name, t.recentAnswered]))).toEqual(listed);
  });

  it("dates the newest answered call apart from the newest call of any outcome", () => {
    const traffic = trafficByName();
    expect(
      Object.fromEntries([...traffic].map(([name, t]) => [name, [t.lastCallAt, t.lastAnsweredAt]])),
    ).toEqual({
      busy: [NOW - 1000, NOW - 1000],
      some: [NOW - 500, NOW - 2000],
      stale: [NOW - ACTIVE_WINDOW_MS - 1000, null],
    });
  });
});
