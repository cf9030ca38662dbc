/**
 * Paging back through the Events and Calls views while the size cap or retention deletes the row the last
 * page ended on: the next page goes on from the time the view holds for it, whole milliseconds only, so
 * which rows of that millisecond came after it is no longer known. None of them is lost: a row stored
 * later with an earlier time in the same millisecond (a `log.new_template` event is stored at its
 * template's first line; a call at its completion, listed by its start) is still shown, and the view
 * shows each row once.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { listEvents } from "../../electron/monitor/events/queries.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { listCalls } from "../../electron/monitor/store/queries.js";
import { mergeCalls, mergeEvents } from "../../renderer/src/list-order.js";
import { usePagedLiveList } from "../../renderer/src/stores/paged-live-list.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls } from "../metrics/workload.js";

/** A millisecond a minute ago. */
const X = Math.floor(Date.now()) - 60_000;
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  db?.close();
  await dir.cleanup();
});

const errors = { load: "Could not load", older: "Could not load older" };

it("the Events view pages on past a deleted cursor without losing an event of its millisecond", async () => {
  db = openDb(databasePath(dir.path));
  const insert = db.prepare(
    "INSERT INTO events (time, category, type, severity, server, message) VALUES (?, 'system', 'probe', 'info', 'files', ?)",
  );
  insert.run(X + 0.7, "the cursor");
  insert.run(X + 0.3, "stored later, earlier in the same millisecond");
  insert.run(X - 5_000, "older");
  const list = usePagedLiveList({
    fetch: async (before) =>
      listEvents(db, {
        since: "1h",
        limit: 1,
        ...(before ? { beforeId: before.id, beforeTime: before.time } : {}),
      }),
    pageSize: 1,
    max: 100,
    merge: mergeEvents,
    errors,
  });
  await list.load();
  expect(list.items.value.map((e) => e.message)).toEqual(["the cursor"]);
  db.prepare("DELETE FROM events WHERE message = 'the cursor'").run();
  for (let i = 0; i < 5 && list.hasOlder.value; i++) await list.loadOlder();
  expect(list.error.value).toBeNull();
  // Each once (the view orders a millisecond's rows by id, as it holds whole milliseconds only).
  expect(list.items.value.map((e) => e.message).sort()).toEqual([
    "older",
    "stored later, earlier in the same millisecond",
    "the cursor",
  ]);
});

it("the Calls view pages on past a deleted cursor without losing a call of its millisecond", async () => {
  const call = { server: "files", method: "tools/call", outcome: "ok" as const, durationMs: 1 };
  recordCalls(dir.path, [
    { ...call, target: "the_cursor", startedAt: X + 0.7 },
    { ...call, target: "completed_later", startedAt: X + 0.3 },
    { ...call, target: "older", startedAt: X - 5_000 },
  ]);
  db = openDb(databasePath(dir.path));
  const list = usePagedLiveList({
    fetch: async (before) =>
      listCalls(db, { limit: 1, ...(before ? { beforeId: before.id, beforeTime: before.startedAt } : {}) }),
    pageSize: 1,
    max: 100,
    merge: mergeCalls,
    errors,
  });
  await list.load();
  expect(list.items.value.map((c) => c.target)).toEqual(["the_cursor"]);
  db.prepare("DELETE FROM calls WHERE target = 'the_cursor'").run();
  for (let i = 0; i < 5 && list.hasOlder.value; i++) await list.loadOlder();
  expect(list.error.value).toBeNull();
  expect(list.items.value.map((c) => c.target).sort()).toEqual(["completed_later", "older", "the_cursor"]);
});
