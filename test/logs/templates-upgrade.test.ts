/**
 * Upgrading keeps the log templates a user already has: a template an older mcpscope mined took lines of
 * every level and wore the highest. After the upgrade, the next line of its shape, whatever its level,
 * still counts in it: no second template of the same text in `logs patterns`, and no `log.new_template`
 * event (which alert rules on `log.*` fire on) for a template that is not new. New shapes are mined one
 * template per level.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { TemplateAnalyzer } from "../../electron/monitor/logs/template-analyzer.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb, openRawDb } from "../../electron/monitor/store/db.js";
import { MIGRATIONS, migrate } from "../../electron/monitor/store/migrations.js";
import { tempDir } from "../helpers/mcp.js";
import { insertLogs } from "./store.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
beforeEach(async () => {
  dir = await tempDir();
  const path = databasePath(dir.path);
  // The database as the version before per-level templates left it, with one template it mined from 39
  // info lines and one error line: level error, count 40.
  const old = openRawDb(path);
  old.exec("PRAGMA journal_mode = WAL");
  migrate(
    old,
    undefined,
    MIGRATIONS.findIndex((sql) => sql.includes("any_level")),
  );
  old
    .prepare(
      `INSERT INTO log_templates (server, route, template, level, count, first_seen, last_seen, example, example_id)
       VALUES ('files', '[5,"Connected"]', 'Connected to database at <*>', 'error', 40, ?, ?, 'Connected to database at 10.0.0.1', NULL)`,
    )
    .run(Date.now() - 60_000, Date.now() - 30_000);
  old.close();
  db = openDb(path);
});
afterEach(async () => {
  db.close();
  await dir.cleanup();
});

const templates = () =>
  db
    .prepare("SELECT template, level, count FROM log_templates ORDER BY id")
    .all()
    .map((r) => [String(r.template), String(r.level), Number(r.count)]);
const newTemplateEvents = () =>
  db
    .prepare("SELECT message FROM events WHERE type = 'log.new_template' ORDER BY id")
    .all()
    .map((r) => String(r.message));

it("counts the next lines of a stored template's shape in it, at any level, and reports nothing new", () => {
  insertLogs(db, [
    { message: "Connected to database at 10.0.0.9", level: "info" },
    { message: "Connected to database at 10.0.0.7", level: "warning" },
    { message: "Connected to database at 10.0.0.8", level: "critical" },
  ]);
  new TemplateAnalyzer(db).catchUp();
  // Its level stays the highest of its lines, as it was mined.
  expect(templates()).toEqual([["Connected to database at <*>", "critical", 43]]);
  expect(newTemplateEvents()).toEqual([]);
});

it("mines a shape first seen after the upgrade one template per level", () => {
  insertLogs(db, [
    { message: "Request 7 failed", level: "info" },
    { message: "Request 8 failed", level: "error" },
  ]);
  new TemplateAnalyzer(db).catchUp();
  expect(templates().slice(1)).toEqual([
    ["Request <*> failed", "info", 1],
    ["Request <*> failed", "error", 1],
  ]);
  expect(newTemplateEvents()).toHaveLength(2);
});

it("keeps a text stored at two levels (mined per level before the upgrade) one template per level", () => {
  // Left by a release that mined per level before templates were marked: the same text at info and error.
  db.prepare(
    `INSERT INTO log_templates (server, route, template, level, any_level, count, first_seen, last_seen, example, example_id)
     VALUES ('files', '[3,"Retrying"]', 'Retrying request <*>', ?, 1, 5, ?, ?, 'Retrying request 4', NULL)`,
  ).run("error", Date.now() - 60_000, Date.now() - 30_000);
  db.prepare(
    `INSERT INTO log_templates (server, route, template, level, any_level, count, first_seen, last_seen, example, example_id)
     VALUES ('files', '[3,"Retrying"]', 'Retrying request <*>', ?, 1, 7, ?, ?, 'Retrying request 3', NULL)`,
  ).run("info", Date.now() - 60_000, Date.now() - 30_000);
  insertLogs(db, [
    { message: "Retrying request 9", level: "info" },
    { message: "Retrying request 10", level: "info" },
    { message: "Retrying request 11", level: "error" },
  ]);
  new TemplateAnalyzer(db).catchUp();
  // Info lines count under info, never as errors; nothing is reported as new.
  expect(templates().slice(1)).toEqual([
    ["Retrying request <*>", "error", 6],
    ["Retrying request <*>", "info", 9],
  ]);
  expect(newTemplateEvents()).toEqual([]);
  expect(db.prepare("SELECT any_level FROM log_templates WHERE template LIKE 'Retrying%'").all()).toEqual([
    { any_level: 0 },
    { any_level: 0 },
  ]);
});
