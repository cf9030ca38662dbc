/**
 * Upgrading a database whose rollups were folded before series had a direction: every series keeps its id
 * and its rows (figures already folded stay as they were), and a server's request folded afterwards goes
 * to a series of its own beside the same method's older one, out of the server's figures.
 */
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DDSketch } from "../../electron/monitor/metrics/ddsketch.js";
import { foldOnce } from "../../electron/monitor/metrics/fold.js";
import { MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb, openRawDb } from "../../electron/monitor/store/db.js";
import { migrate, SCHEMA_VERSION } from "../../electron/monitor/store/migrations.js";
import { tempDir } from "../helpers/mcp.js";

const NOW = Date.UTC(2026, 11, 7, 9, 30);
const START = NOW - 30 * MINUTE;

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
beforeAll(async () => {
  dir = await tempDir();
  mkdirSync(dir.path, { recursive: true });
  // An older mcpscope folded one sampling request into the server's series.
  const old = openRawDb(databasePath(dir.path));
  migrate(old, undefined, SCHEMA_VERSION - 1);
  old
    .prepare(
      "INSERT INTO rollup_series (id, server, method, target, outcome, last_seen) VALUES (7, 'asker', 'sampling/createMessage', '', 'ok', ?)",
    )
    .run(START);
  const sketch = new DDSketch();
  sketch.add(20);
  old
    .prepare(
      "INSERT INTO call_rollups (resolution, bucket_start, series, count, bytes_in, bytes_out, sketch) VALUES (?, ?, 7, 1, 10, 20, ?)",
    )
    .run(MINUTE, START, sketch.encode());
  old.prepare("INSERT INTO metrics_state (key, value) VALUES ('rollup_hwm', 0)").run();
  old.close();
  db = openDb(databasePath(dir.path));
});
afterAll(async () => {
  db.close();
  await dir.cleanup();
});

it("keeps the series folded before, and folds a server's new request apart", () => {
  expect(db.prepare("SELECT id, direction FROM rollup_series").all()).toEqual([{ id: 7, direction: "c2s" }]);
  db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
     VALUES ('s', 'asker', 's2c', '1', 'sampling/createMessage', NULL, ?, 5000, 'ok', 0, 0)`,
  ).run(START + 5 * MINUTE);
  while (foldOnce(db, 1000).folded > 0);
  const range = { since: START - MINUTE, until: NOW };
  const [asker] = statsDocument(db, range, "asker").servers;
  // The old row, as it was counted then; the new request apart.
  expect(asker?.operations).toMatchObject([{ method: "sampling/createMessage", calls: 1 }]);
  expect(asker?.requests_to_client).toMatchObject([{ method: "sampling/createMessage", calls: 1 }]);
});
