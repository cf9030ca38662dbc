/**
 * One event type pattern, two places it is given: `events --type` (and the Events view) lists the events an
 * alert rule with the same `type` counts. Types match as stored, case included, exactly or with a trailing
 * `*` by prefix; `Session.*` is no more `session.start` than `Session.start` is.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseRuleYaml } from "../../electron/monitor/alerts/rule-file.js";
import { DbSignalSource } from "../../electron/monitor/alerts/signals.js";
import { listEvents } from "../../electron/monitor/events/queries.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { openStore } from "../alerts/alert-fixtures.js";
import { tempDir } from "../helpers/mcp.js";

const NOW = Date.now();
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
beforeAll(async () => {
  dir = await tempDir();
  db = openStore(dir.path);
  const event = db.prepare(
    "INSERT INTO events (time, category, type, severity, server, message) VALUES (?, 'system', ?, 'info', 'files', ?)",
  );
  for (const type of ["session.start", "session.end", "sessions_x", "wrapper.start", "wrapper_start"])
    event.run(NOW - 10_000, type, type);
});
afterAll(async () => {
  db.close();
  await dir.cleanup();
});

const listed = (type: string) => listEvents(db, { since: "1h", type }, NOW).length;
const counted = (type: string) =>
  new DbSignalSource(db)
    .sample(parseRuleYaml(`{ name: r, kind: event, type: '${type}', window: 5m }`), NOW)
    .reduce((n, s) => n + s.value, 0);

it.each([
  ["session.*", 2],
  ["Session.*", 0],
  ["session.start", 1],
  ["Session.start", 0],
  ["SESSION*", 0],
  ["session*", 3],
  ["wrapper.*", 1],
  ["wrapper_*", 1],
  ["*", 5],
])("--type %s: %i listed, and as many counted by a rule of that type", (type, n) => {
  expect(listed(type)).toBe(n);
  expect(counted(type)).toBe(n);
});
