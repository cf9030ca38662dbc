/**
 * Two engines on one data dir (the app and `mcpscope serve`) both watch settings.json: a change is
 * recorded once, in the events and the audit trail, whichever engine looks first, and named for who made
 * it. Two real watchers, each with its own store connection, on one real store; their checks run on the
 * test's own clock.
 */
import { writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { iterateAudit } from "../../electron/monitor/audit/audit-log.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { settingsPath } from "../../electron/monitor/settings-document.js";
import { type Every, watchSettings } from "../../electron/monitor/settings-watch.js";
import { writeSettingsDocument } from "../../electron/monitor/settings-write.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
const undo: Array<() => unknown> = [];

beforeEach(async () => {
  dir = await tempDir();
  db = openDb(databasePath(dir.path));
});
afterEach(async () => {
  for (const step of undo.splice(0).reverse()) step();
  db.close();
  await dir.cleanup();
});

/** An engine's settings watcher with a store connection of its own; `tick()` runs its next check. */
function engine() {
  const own = openDb(databasePath(dir.path));
  const writer = new BatchWriter({ open: () => openDb(databasePath(dir.path)) });
  let due: () => void = () => {};
  const every: Every = (check) => {
    due = check;
    return () => {};
  };
  const stop = watchSettings(dir.path, writer, own, 2000, every);
  undo.push(
    () => own.close(),
    () => writer.close(),
    stop,
  );
  return {
    tick() {
      due();
      expect(writer.flush()).toBe(true);
    },
  };
}

function recorded() {
  const audit = [...iterateAudit(db)].filter((r) => r.action === "settings_change").map((r) => r.actor);
  const events = db.prepare("SELECT message FROM events WHERE type = 'settings.changed'").all();
  return { audit, events: events.map((e) => String(e.message)) };
}

describe("settings changes with two engines on one data dir", () => {
  it("are recorded once each, by whichever engine looks first, and named for who made them", async () => {
    await writeFile(settingsPath(dir.path), "{}\n");
    const app = engine();
    const serve = engine();

    await writeSettingsDocument(dir.path, { retention: { callsDays: 3 } });
    serve.tick();
    app.tick();
    await writeFile(settingsPath(dir.path), `${JSON.stringify({ retention: { callsDays: 5 } })}\n`);
    app.tick();
    serve.tick();
    app.tick();
    serve.tick();

    const { audit, events } = recorded();
    expect(audit).toEqual(["app", "file"]);
    expect(events).toHaveLength(2);
    expect(events.some((m) => m.startsWith("settings.json changed by the app: retention.callsDays"))).toBe(
      true,
    );
  });
});
