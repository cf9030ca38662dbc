/**
 * The size cap bounds an error-heavy workload: error events (one per failed call, larger than the call)
 * are pruned for size too, oldest first, so the cap is met; and when what is never pruned for size alone
 * exceeds the cap, the engine's event says the cap cannot be met and what holds the rest.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { insertEvent, type TrackedEvent } from "../../electron/monitor/events/tracker.js";
import { HOUR } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { usedBytes } from "../../electron/monitor/store/size-cap.js";
import { StorageService } from "../../electron/monitor/store/storage-service.js";
import { cliOkInProcess } from "../helpers/cli-in-process.js";

const NOW = Date.UTC(2026, 11, 7, 0, 22, 30);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-size-events-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `n` tool_error events of ~600 B over the 10 hours before NOW, oldest first, and one storage event. */
function fillErrors(db: Db, n: number): void {
  const insert = db.prepare(
    `INSERT INTO events (time, category, type, severity, server, message) VALUES (?, ?, ?, 'medium', 's', ?)`,
  );
  db.transaction(() => {
    insert.run(NOW - 20 * HOUR, "system", "storage.recovered", "recovered");
    for (let i = 0; i < n; i++)
      insert.run(NOW - 10 * HOUR + (i * 10 * HOUR) / n, "error", "tool_error", `failed ${"e".repeat(600)}`);
  });
}

async function pass(name: string, maxSize: string, fill: (db: Db) => void) {
  const dataDir = join(dir, name);
  const db = openDb(databasePath(dataDir));
  fill(db);
  await writeFile(join(dataDir, "settings.json"), JSON.stringify({ storage: { maxSize } }));
  const events: TrackedEvent[] = [];
  const service = new StorageService(dataDir, db, { track: (e) => events.push(e) });
  await service.pass(NOW);
  await service.close();
  return { db, events };
}

describe("the size cap and events", () => {
  it("prunes the oldest error events until the cap is met, keeping the last hour's and storage events", async () => {
    const { db, events } = await pass("errors", "2mb", (db) => fillErrors(db, 6000));
    expect(usedBytes(db)).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(events[0]).toMatchObject({ type: "storage.size_pruned", severity: "medium" });
    expect(events[0]?.message).toMatch(/pruned the oldest \d+ events$/);
    const left = db
      .prepare("SELECT min(time) AS t, count(*) AS n FROM events WHERE type = 'tool_error'")
      .get();
    expect(Number(left?.n)).toBeGreaterThan(0);
    expect(Number(left?.n)).toBeLessThan(6000);
    // Oldest first: what is left is one newest run, down to the newest event.
    const newer = db.prepare("SELECT count(*) AS n FROM events WHERE type = 'tool_error' AND time >= ?");
    expect(Number(newer.get(Number(left?.t))?.n)).toBe(Number(left?.n));
    expect(db.prepare("SELECT count(*) AS n FROM events WHERE type = 'storage.recovered'").get()?.n).toBe(1);
    db.close();
  });

  it("says when the cap cannot be met, and what holds the rest", async () => {
    const { db, events } = await pass("unmet", "16kb", (db) => {
      fillErrors(db, 200);
      for (let i = 0; i < 2000; i++) recordAdminAction(db, { action: "test", time: NOW - HOUR * 3 });
    });
    expect(events[0]).toMatchObject({ type: "storage.size_pruned", severity: "high" });
    expect(events[0]?.message).toMatch(
      /; the cap cannot be met: .* is left, mostly what is never pruned for size \(audit_links [\d.]+ KiB, audit_records/,
    );
    expect(events[0]?.details).toMatchObject({ capMet: false });
    // Stored as the engine stores it, `db info` says it too.
    insertEvent(db, events[0] as TrackedEvent);
    db.close();
    const { stdout } = await cliOkInProcess(["db", "info", "--data-dir", join(dir, "unmet")]);
    expect(stdout).toMatch(
      /^last pruned for size: .*: the database was over its size cap .*the cap cannot be met: /m,
    );
  });
});
