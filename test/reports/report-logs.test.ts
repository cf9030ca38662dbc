/**
 * The report's Logs section: it counts exactly the lines in [since, until) — whole minutes from the
 * per-minute counts, the records themselves at the partial minutes — so back-to-back reports never count a
 * line twice; and `mcpscope report` mines the records no engine has mined, so a fixed window lists the same
 * new log templates before and after an engine ran.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { patternsDocument } from "../../electron/monitor/logs/log-patterns.js";
import { TemplateAnalyzer } from "../../electron/monitor/logs/template-analyzer.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import type { Report } from "../../shared/report.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

const at = (hms: string) => Date.parse(`2026-12-01T${hms}Z`);
let dir: Awaited<ReturnType<typeof tempDir>>;
let data: string;
let db: Db;

beforeAll(async () => {
  dir = await tempDir();
  data = join(dir.path, "data");
  await mkdir(data);
  db = openDb(databasePath(data));
  const insert = db.prepare(
    "INSERT INTO logs (time, level, server, source, message) VALUES (?, ?, 'files', 'stderr', ?)",
  );
  for (const [time, level, message] of [
    ["12:00:10", "info", "Starting server 1"], // before the window, in its first minute
    ["12:00:40", "info", "Starting server 2"],
    ["12:03:00", "warning", "disk almost full on /dev/sda1"],
    ["12:05:20", "error", "request 7 failed"],
    ["12:05:30", "error", "request 8 failed"], // exactly at the end: the next window's
    ["12:05:40", "info", "Starting server 3"], // after the window, in its last minute
  ] as const)
    insert.run(at(time), level, message);
});
afterAll(async () => {
  db.close();
  await dir.cleanup();
});

const window = { since: "2026-12-01T12:00:30Z", until: "2026-12-01T12:05:30Z" };

describe("report logs", () => {
  it("counts exactly the lines in [since, until), the partial minutes at both ends included", async () => {
    const r = await buildReport(db, window);
    expect(r.logs.total).toBe(3);
    expect(r.logs.levels).toMatchObject({ info: 1, warning: 1, error: 1 });
  });

  it("never counts a line twice in back-to-back windows, nor loses one", async () => {
    const before = await buildReport(db, { since: "2026-12-01T11:55:30Z", until: window.since });
    const next = await buildReport(db, { since: window.until, until: "2026-12-01T12:10:30Z" });
    expect([before.logs.total, next.logs.total]).toEqual([1, 2]);
    // Within one minute: the records themselves.
    const inside = await buildReport(db, { since: "2026-12-01T12:05:25Z", until: "2026-12-01T12:05:35Z" });
    expect(inside.logs.levels).toMatchObject({ error: 1, info: 0 });
    const doc = patternsDocument(db, window);
    expect(Object.values(doc.levels).reduce((n, c) => n + c, 0)).toBe(3);
  });

  it("mcpscope report mines unmined records first, so the window's new templates do not wait for an engine", async () => {
    expect(db.prepare("SELECT count(*) AS n FROM log_templates").get()?.n).toBe(0);
    const args = ["report", "--data-dir", data, ...Object.entries(window).flatMap(([k, v]) => [`--${k}`, v])];
    const first = await cliInProcess([...args, "--format", "json", "--output", "-"]);
    expect(first.status).toBe(0);
    const templates = (JSON.parse(first.stdout) as Report).logs.newTemplates.map((t) => [
      t.template,
      t.count,
    ]);
    // "Starting server <*>" was first seen before the window: not new in it. Each template's lines are
    // those of the window (request 8 failed at its end is the next window's), as the level counts are.
    expect(templates.sort()).toEqual([
      ["disk almost full on <*>", 1],
      ["request <*> failed", 1],
    ]);
    // What an engine mining later adds changes nothing for this window.
    new TemplateAnalyzer(db).catchUp();
    const again = await cliInProcess([...args, "--format", "json", "--output", "-"]);
    expect((JSON.parse(again.stdout) as Report).logs).toEqual((JSON.parse(first.stdout) as Report).logs);
  });
});
