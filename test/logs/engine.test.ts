/** The engine's log API: logs.search, logs.patterns, the live logs.new stream, and its own pino log. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { API_EVENTS, API_METHODS } from "../../shared/api.js";
import type { LogRecord } from "../../shared/logs.js";
import { waitFor } from "../helpers/mcp.js";
import { insertLogs, tempStore } from "./store.js";

let store: Awaited<ReturnType<typeof tempStore>>;
let engine: Engine;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(async () => {
  await engine?.close();
  await store.cleanup();
});

describe("engine log API", () => {
  it("searches and mines patterns, with outputs matching their schemas", async () => {
    engine = await createEngine({ dataDir: store.dataDir, pollIntervalMs: 50 });
    const now = Date.now();
    insertLogs(store.db, [
      { time: now - 3000, level: "info", message: "job 1 finished in 20 ms" },
      { time: now - 2000, level: "error", message: "job 2 failed: disk-full" },
      { time: now - 1000, level: "info", message: "job 3 finished in 25 ms" },
    ]);
    const found = await engine.invoke("logs.search", { text: "disk-full", since: "1h" });
    expect(API_METHODS["logs.search"].output.parse(found).map((r) => r.message)).toEqual([
      "job 2 failed: disk-full",
    ]);

    const doc = API_METHODS["logs.patterns"].output.parse(
      await engine.invoke("logs.patterns", { server: "files" }),
    );
    expect(doc.patterns.map((p) => [p.template, p.count, p.level])).toEqual([
      ["job <*> finished in <*> ms", 2, "info"],
      ["job <*> failed: disk-full", 1, "error"],
    ]);
    expect(doc.levels).toMatchObject({ info: 2, error: 1, warning: 0 });
    expect(doc.bucketMinutes).toBe(1);
    expect(doc.timeline.reduce((n, b) => n + b.info + b.error, 0)).toBe(3);
    // A new template is an event; the error one is in the error category.
    const events = store.db
      .prepare(
        "SELECT category, type FROM events WHERE type = 'log.new_template' AND server = 'files' ORDER BY id",
      )
      .all();
    expect(events.map((e) => e.category)).toEqual(["system", "error"]);
  });

  it("pushes logs.new for records written by another connection", async () => {
    engine = await createEngine({ dataDir: store.dataDir, pollIntervalMs: 50 });
    const received: LogRecord[] = [];
    const unsubscribe = engine.subscribe("logs.new", (payload) =>
      received.push(...API_EVENTS["logs.new"].parse(payload)),
    );
    const written = Date.now();
    insertLogs(store.db, [{ message: "live one" }, { message: "live two", server: "memory" }]);
    await waitFor(() => received.filter((r) => r.message.startsWith("live")).length === 2);
    console.log(`logs.new: pushed ${Date.now() - written} ms after written (polling every 50 ms)`);
    expect(received.filter((r) => r.source === "stderr").map((r) => r.message)).toEqual([
      "live one",
      "live two",
    ]);
    unsubscribe();
  });

  it("writes its own logs through pino into the same table, warnings included", async () => {
    writeFileSync(join(store.dataDir, "settings.json"), "{ not json");
    engine = await createEngine({ dataDir: store.dataDir, pollIntervalMs: 50 });
    const own = await waitFor(async () => {
      const records = (await engine.invoke("logs.search", { server: "mcpscope" })) as LogRecord[];
      // Other start-up records (data dir permissions tightened…) may come first.
      const both =
        records.some((r) => r.level === "warning") && records.some((r) => r.message === "engine started");
      return both ? records : undefined;
    });
    expect(own.map((r) => [r.source, r.level, r.logger])).toEqual(
      expect.arrayContaining([
        ["mcpscope", "warning", "engine"],
        ["mcpscope", "info", "engine"],
      ]),
    );
    const warnings = own.filter((r) => r.level === "warning").map((r) => r.message);
    expect(warnings.some((m) => /settings\.json is not valid JSON/.test(m))).toBe(true);
    expect(own.find((r) => r.message === "engine started")).toMatchObject({
      message: "engine started",
      fields: { dataDir: store.dataDir },
    });
  });
});
