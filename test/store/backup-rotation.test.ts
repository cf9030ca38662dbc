/**
 * Scheduled backups on real files: rotation deletes only the schedule's own files, oldest by the time in
 * their names whatever their mtimes, and says in the log what it deleted; a backup the user put in
 * `backups/` (the place restore in the app reads from) stays, and is dated by its manifest, not its mtime.
 */
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { createBackup } from "../../electron/monitor/store/backup.js";
import { lastBackup } from "../../electron/monitor/store/backup-files.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { StorageService } from "../../electron/monitor/store/storage-service.js";
import { tempDir } from "../helpers/mcp.js";

const MINUTE = 60_000;

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

describe("scheduled backup rotation", () => {
  it("deletes only the schedule's own files, by the time in their names, and logs each deletion", async () => {
    const dataDir = join(dir.path, "rotation");
    const db = openDb(databasePath(dataDir));
    writeFileSync(
      join(dataDir, "settings.json"),
      JSON.stringify({ storage: { backup: { every: "1m", keep: 2 } } }),
    );
    const backups = join(dataDir, "backups");
    mkdirSync(backups);
    const start = Date.now();
    // A backup from another machine, copied in with an old mtime: the user's, to restore in the app.
    const imported = join(backups, "imported-from-laptop.mcpscope-backup");
    await createBackup(db, imported, { version: "0.0.0", now: start - 3 * 3_600_000 });
    const hoursAgo = (start - 2 * 3_600_000) / 1000;
    utimesSync(imported, hoursAgo, hoursAgo);
    // Back up now's file and an unrelated one: not the schedule's either.
    const manual = join(backups, "mcpscope-2026-01-01T00-00-00-000Z.mcpscope-backup");
    await createBackup(db, manual, { version: "0.0.0", now: start - 4 * 3_600_000 });
    utimesSync(manual, hoursAgo, hoursAgo);
    writeFileSync(join(backups, "notes.txt"), "mine");

    const logged: Array<{ message: string; details: Record<string, unknown> }> = [];
    const service = new StorageService(dataDir, db, {
      info: (message, details) => logged.push({ message, details }),
    });
    for (let i = 0; i < 4; i++) {
      await service.pass(start + i * 2 * MINUTE);
      // The newest scheduled file looks oldest by mtime: rotation must not go by mtime.
      const ours = readdirSync(backups).filter((n) => n.startsWith("mcpscope-scheduled-"));
      const newest = ours.sort().at(-1);
      if (newest) utimesSync(join(backups, newest), hoursAgo - 3600, hoursAgo - 3600);
    }
    await service.close();
    db.close();

    const stamp = (t: number) => new Date(t).toISOString().replace(/[:.]/g, "-");
    const scheduled = (t: number) => `mcpscope-scheduled-${stamp(t)}.mcpscope-backup`;
    expect(readdirSync(backups).sort()).toEqual(
      [
        "imported-from-laptop.mcpscope-backup",
        "mcpscope-2026-01-01T00-00-00-000Z.mcpscope-backup",
        "notes.txt",
        scheduled(start + 4 * MINUTE),
        scheduled(start + 6 * MINUTE),
      ].sort(),
    );
    const deletions = logged.filter((l) => /rotation deleted/.test(l.message)).map((l) => l.details.file);
    expect(deletions).toEqual([
      join(backups, scheduled(start)),
      join(backups, scheduled(start + 2 * MINUTE)),
    ]);
    expect(logged.filter((l) => l.message === "scheduled backup written")).toHaveLength(4);
  });

  it("the newest backup is dated by its manifest: a copy with a fresh mtime does not hold off the schedule", async () => {
    const dataDir = join(dir.path, "dated");
    const db = openDb(databasePath(dataDir));
    const backups = join(dataDir, "backups");
    mkdirSync(backups);
    const now = Date.now();
    const copied = join(backups, "copied.mcpscope-backup");
    await createBackup(db, copied, { version: "0.0.0", now: now - 3 * 86_400_000 });
    writeFileSync(join(backups, "junk.mcpscope-backup"), "not a backup");
    expect(lastBackup(dataDir)).toMatchObject({ file: copied, time: now - 3 * 86_400_000 });

    writeFileSync(
      join(dataDir, "settings.json"),
      JSON.stringify({ storage: { backup: { every: "1d", keep: 3 } } }),
    );
    const service = new StorageService(dataDir, db);
    await service.pass(now);
    await service.close();
    db.close();
    expect(lastBackup(dataDir)).toMatchObject({
      file: join(
        backups,
        `mcpscope-scheduled-${new Date(now).toISOString().replace(/[:.]/g, "-")}.mcpscope-backup`,
      ),
      time: now,
    });
  });
});
