/** The HTTP proxy's sessions: ended on idle only when no exchange is open, and written like stdio ones. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { LogSettingsSource } from "../../electron/monitor/logs/log-settings.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { HttpSessions } from "../../electron/monitor/proxy-http/http-sessions.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";

let dir: string;
let sessions: HttpSessions;
let writer: BatchWriter;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-http-sessions-"));
  writer = new BatchWriter({
    open: () => openDb(databasePath(dir)),
    afterBatch: (db) => sessions.writeRows(db),
    onBatch: () => sessions.committed(),
  });
  sessions = new HttpSessions(writer, {
    server: "remote",
    upstream: "http://up.example/mcp",
    proxyPid: process.pid,
    timeoutMs: 60_000,
    captureLimit: 65_536,
    logSettings: new LogSettingsSource(dir),
  });
});
afterEach(async () => {
  writer.close();
  await rm(dir, { recursive: true, force: true });
});

const MIN = 60_000;

it("ends a session idle for 30 minutes with no open exchange, at its last activity", () => {
  const t0 = 1_800_000_000_000;
  const idle = sessions.open("s-idle", t0);
  sessions.release(idle, t0 + 1000);
  const streaming = sessions.open("s-stream", t0); // a GET stream still open

  sessions.tick(t0 + 29 * MIN);
  expect(sessions.get("s-idle")).toBe(idle);
  sessions.tick(t0 + 31 * MIN);
  expect(sessions.get("s-idle")).toBeUndefined();
  expect(sessions.get("s-stream")).toBe(streaming);

  writer.flush();
  const db = openDb(databasePath(dir), { readOnly: true });
  const rows = db.prepare("SELECT command, started_at, ended_at FROM sessions ORDER BY command").all();
  db.close();
  expect(rows).toEqual([
    { command: "http://up.example/mcp (session s-idle)", started_at: t0, ended_at: t0 + 1000 },
    { command: "http://up.example/mcp (session s-stream)", started_at: t0, ended_at: null },
  ]);
});
