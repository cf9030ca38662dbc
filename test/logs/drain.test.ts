/** The template miner groups a known set of lines into the known templates, in memory and persisted. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Drain, templateText, tokenize } from "../../electron/monitor/logs/drain.js";
import { TemplateAnalyzer } from "../../electron/monitor/logs/template-analyzer.js";
import type { Db } from "../../electron/monitor/store/db.js";
import type { LogLevel } from "../../shared/levels.js";
import { insertLogs, tempStore } from "./store.js";

const LINES: Array<[string, LogLevel]> = [
  ["Connected to database at 10.0.0.1:5432", "info"],
  ["User alice logged in from web", "info"],
  ["Request 123 took 45 ms", "debug"],
  ["Connected to database at 10.0.0.2:5432", "info"],
  ["User bob logged in from web", "info"],
  ["Cache miss for key session", "debug"],
  ["Failed to open file /a.txt: ENOENT", "warning"],
  ["Request 9 took 1200 ms", "debug"],
  ["Shutting down", "notice"],
  ["User carol logged in from mobile", "info"],
  ["Cache miss for key profile", "debug"],
  ["Failed to open file /b.txt: EACCES", "error"],
  ["Server started on port 8080", "info"],
  ["Server stopped by signal SIGTERM", "info"],
  [
    'Traceback (most recent call last):\n  File "a.py", line 3, in <module>\nValueError: bad value 3',
    "error",
  ],
  ['Traceback (most recent call last):\n  File "b.py", line 9, in f\nValueError: bad value 17', "error"],
  ["Connected to database at 10.0.0.3:6543", "info"],
];

/** template → [count, level]; a warning and an error line of one shape are two patterns. */
const EXPECTED: Record<string, [number, LogLevel]> = {
  "Connected to database at <*>": [3, "info"],
  "User <*> logged in from <*>": [3, "info"],
  "Request <*> took <*> ms": [2, "debug"],
  "Cache miss for key <*>": [2, "debug"],
  "Failed to open file /a.txt: ENOENT": [1, "warning"],
  "Failed to open file /b.txt: EACCES": [1, "error"],
  "Shutting down": [1, "notice"],
  "Server started on port <*>": [1, "info"],
  "Server stopped by signal SIGTERM": [1, "info"],
  "ValueError: bad value <*>": [2, "error"],
};

describe("Drain", () => {
  it("groups a known set of lines into the known templates", () => {
    const drain = new Drain();
    let created = 0;
    LINES.forEach(([message, level], i) => {
      if (drain.add(message, { level, time: 1000 + i, id: i + 1 }).created) created++;
    });
    const got = Object.fromEntries(drain.clusters().map((c) => [templateText(c), [c.count, c.level]]));
    expect(got).toEqual(EXPECTED);
    expect(created).toBe(Object.keys(EXPECTED).length);
    const users = drain.clusters().find((c) => templateText(c).startsWith("User"))!;
    expect(users).toMatchObject({
      firstSeen: 1001,
      lastSeen: 1009,
      example: "User alice logged in from web",
      exampleId: 2,
    });
  });

  it("never joins lines by wildcards alone, nor lines of different levels", () => {
    const drain = new Drain();
    const add = (message: string, level: LogLevel) => drain.add(message, { level, time: 1, id: null });
    add("3 retries", "info");
    add("12 connected", "info");
    add('{"k":1,"msg":"obj data"}', "alert");
    add("100% cpu", "info");
    add("notif err", "error");
    add("notif warn", "warning");
    add("notif again", "error");
    add("12 34", "info");
    add("56 78", "info");
    const got = drain.clusters().map((c) => [templateText(c), c.count, c.level]);
    expect(got).toEqual([
      ["<*> retries", 1, "info"],
      ["<*> connected", 1, "info"],
      ['<*> data"}', 1, "alert"],
      ["<*> cpu", 1, "info"],
      ["notif <*>", 2, "error"],
      ["notif warn", 1, "warning"],
      ["<*> <*>", 2, "info"],
    ]);
  });

  it("masks tokens with digits before anything else", () => {
    expect(tokenize("GET /items/42 200 in 3.5ms from 10.1.1.1")).toEqual([
      "GET",
      "<*>",
      "<*>",
      "in",
      "<*>",
      "from",
      "<*>",
    ]);
  });

  it("is bounded: past maxClusters, new shapes count in one overflow template", () => {
    const drain = new Drain({ maxClusters: 3 });
    for (const word of ["alpha", "beta", "gamma", "delta", "epsilon"])
      drain.add(`${word} only here once`, { level: "info", time: 1, id: null });
    expect(drain.size).toBe(4);
    const overflow = drain.clusters().at(-1)!;
    expect(templateText(overflow)).toBe("<*> (template limit reached)");
    expect(overflow.count).toBe(2);
  });
});

describe("TemplateAnalyzer", () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  let db: Db;
  beforeEach(async () => {
    store = await tempStore();
    db = store.db;
  });
  afterEach(() => store.cleanup());

  const templates = () =>
    Object.fromEntries(
      db
        .prepare("SELECT template, count, level FROM log_templates WHERE server = 'files'")
        .all()
        .map((r) => [String(r.template), [Number(r.count), String(r.level)]]),
    );

  it("persists templates, continues from its cursor in another process's analyzer, reports new templates as events", () => {
    const half = Math.ceil(LINES.length / 2);
    const rows = (from: number, to: number) =>
      LINES.slice(from, to).map(([message, level], i) => ({ message, level, time: 1000 + from + i }));
    insertLogs(db, rows(0, half));
    insertLogs(db, [{ message: "another server's line 1", server: "memory" }]);
    expect(new TemplateAnalyzer(db, { batchRows: 3 }).catchUp()).toBe(half + 1);
    insertLogs(db, rows(half, LINES.length));
    // A second analyzer (as `mcpscope logs patterns` would be) reloads the stored miners and continues.
    expect(new TemplateAnalyzer(db).catchUp()).toBe(LINES.length - half);
    expect(templates()).toEqual(EXPECTED);

    const events = db
      .prepare(
        "SELECT category, severity, server, message, details FROM events WHERE type = 'log.new_template'",
      )
      .all();
    expect(events).toHaveLength(Object.keys(EXPECTED).length + 1);
    const failed = events.find((e) => String(e.message).includes("Failed to open file"));
    // The warning's pattern is a system event; an error-level template is an error event.
    expect(failed).toMatchObject({ category: "system", server: "files" });
    expect(events.find((e) => String(e.message).includes("ValueError"))).toMatchObject({
      category: "error",
      severity: "medium",
    });
    expect(JSON.parse(String(events[0]?.details))).toMatchObject({
      template: "Connected to database at <*>",
      level: "info",
    });
  });

  it("two analyzers racing over the same rows count every row exactly once", () => {
    insertLogs(
      db,
      Array.from({ length: 500 }, (_, i) => ({ message: `tick ${i} done`, time: i })),
    );
    const a = new TemplateAnalyzer(db, { batchRows: 50 });
    const b = new TemplateAnalyzer(db, { batchRows: 70 });
    for (let i = 0; i < 40; i++) {
      a.step();
      b.step();
    }
    expect(templates()).toEqual({ "tick <*> done": [500, "info"] });
  });

  it("prune drops old templates and the miners forget them", () => {
    insertLogs(db, [
      { message: "old shape here", time: 1 },
      { message: "new shape here now", time: 5000 },
    ]);
    const analyzer = new TemplateAnalyzer(db);
    analyzer.catchUp();
    expect(analyzer.prune(1000)).toBe(1);
    insertLogs(db, [{ message: "old shape here", time: 6000 }]);
    analyzer.catchUp();
    expect(templates()).toEqual({ "new shape here now": [1, "info"], "old shape here": [1, "info"] });
  });
});
