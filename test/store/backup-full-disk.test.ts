/**
 * A scheduled backup that fails on a full disk: it leaves nothing behind in backups/ (no temp copy or
 * journal of it, which would hold recorded data), and is reported as a failed backup (a
 * `storage.backup_failed` event an alert rule can see, and the engine's log), not as retention. The data
 * dir on a small tmpfs; needs permission to mount one (root here, as in CI's container); elsewhere it says
 * loudly that it was skipped.
 */
import { closeSync, openSync, readdirSync, statfsSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TrackedEvent } from "../../electron/monitor/events/tracker.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { StorageService } from "../../electron/monitor/store/storage-service.js";
import { useSmallDisk } from "../helpers/small-disk.js";

const disk = useSmallDisk("16m", "test/store/backup-full-disk.test.ts");

/** Fills the file system but for `keep` bytes. */
function fill(path: string, keep: number): void {
  const stat = statfsSync(disk.mountPoint);
  const free = stat.bavail * stat.bsize - keep;
  const fd = openSync(path, "w");
  const block = Buffer.alloc(64 * 1024, 1);
  for (let left = free; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(block.length, left));
  closeSync(fd);
}

describe("a scheduled backup on a full disk", () => {
  it("leaves nothing in backups/ and is reported as a failed backup", async (context) => {
    if (!disk.mounted) context.skip();
    const dataDir = join(disk.mountPoint, "data");
    const db = openDb(databasePath(dataDir));
    const insert = db.prepare(
      "INSERT INTO logs (time, level, server, source, message) VALUES (?, 'info', 's', 'stderr', ?)",
    );
    db.transaction(() => {
      for (let i = 0; i < 12000; i++) insert.run(i, `line ${i} ${"x".repeat(300)}`);
    });
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    writeFileSync(
      join(dataDir, "settings.json"),
      JSON.stringify({ storage: { backup: { every: "1m", keep: 3 } } }),
    );
    fill(join(disk.mountPoint, "filler"), 430 * 1024); // a copy of its ~5 MiB fails partway

    const events: TrackedEvent[] = [];
    const warnings: string[] = [];
    const service = new StorageService(dataDir, db, {
      track: (e) => events.push(e),
      warn: (w) => warnings.push(w),
    });
    await service.pass(Date.now());
    await service.close();
    db.close();

    expect(readdirSync(join(dataDir, "backups"))).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(["storage.backup_failed"]);
    expect(events[0]).toMatchObject({ category: "error", severity: "high" });
    expect(events[0]?.message).toMatch(
      /^the scheduled backup failed: .*full.*; trying again at the next pass/,
    );
    expect(warnings).toEqual([expect.stringMatching(/^scheduled backup failed: /)]);
  });
});
