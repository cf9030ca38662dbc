/**
 * A backup or a restore made by the engine (Back up now, the schedule, Restore…) copies the database
 * through a connection of its own: the engine goes on answering on its own connection while the copy
 * runs (a copy through it would hold every query the engine makes until the whole file is copied). An
 * engine that closes meanwhile (the app quitting) does not wait for it and leaves none of it behind.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { backupDir } from "../../electron/monitor/store/backup-files.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { StorageService } from "../../electron/monitor/store/storage-service.js";
import { tempDir } from "../helpers/mcp.js";

const PAD_ROWS = 800;
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
let service: StorageService;
let fullSize: number;
beforeAll(async () => {
  dir = await tempDir("mcpscope-backup-engine-");
  db = openDb(databasePath(dir.path));
  // About 40 MB: a copy that lasts tens of milliseconds even from the page cache, while the query below is
  // answered within a turn of the event loop of the copy's first bytes.
  db.exec(`CREATE TABLE pad (b BLOB);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${PAD_ROWS})
    INSERT INTO pad SELECT zeroblob(50000) FROM n;`);
  const pages = db
    .prepare("SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()")
    .get();
  fullSize = Number(pages?.n);
  service = new StorageService(dir.path, db);
});
afterAll(async () => {
  await service.close();
  db.close();
  await dir.cleanup();
});

/** The size of the first file `find` names once it has some bytes (checked each turn of the event loop). */
async function growing(find: () => string | undefined): Promise<string> {
  for (;;) {
    const path = find();
    if (path && (statSync(path, { throwIfNoEntry: false })?.size ?? 0) > 0) return path;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A query on the engine's own connection, then how much of the copy was there when it was answered. */
function answeredMidCopy(copy: string): number {
  expect(db.prepare("SELECT count(*) AS n FROM pad").get()?.n).toBe(PAD_ROWS);
  return statSync(copy).size;
}

it("answers on the engine's connection while Back up now copies the database", async () => {
  const backups = backupDir(dir.path);
  const written = service.backup();
  const snapshot = await growing(() => {
    const work = readdirSync(backups, { withFileTypes: true }).find((e) => e.isDirectory());
    return work && join(backups, work.name, "database");
  });
  expect(answeredMidCopy(snapshot)).toBeLessThan(fullSize);
  const backup = await written;
  expect(backup.rows.pad).toBe(PAD_ROWS);
});

it("answers on the engine's connection while a restore copies the database aside", async () => {
  const made = await service.backup(Date.now(), "to-restore.mcpscope-backup");
  const entry = service.backups().find((b) => b.file === made.file);
  const restored = service.restore(entry!.name);
  const aside = await growing(() => {
    const name = readdirSync(dir.path).find(
      (n) => n.startsWith("mcpscope.db.before-restore-") && !n.includes("-journal"),
    );
    return name && join(dir.path, name);
  });
  expect(answeredMidCopy(aside)).toBeLessThan(fullSize);
  expect((await restored).ok).toBe(true);
});

it("an engine closed mid-backup leaves no copy of the database in backups/", async () => {
  const backups = backupDir(dir.path);
  const closing = new StorageService(dir.path, db);
  const written = closing.backup(Date.now(), "closed-mid-copy.mcpscope-backup");
  await growing(() => {
    const work = readdirSync(backups, { withFileTypes: true }).find((e) => e.isDirectory());
    return work && join(backups, work.name, "database");
  });
  await closing.close();
  await expect(written).rejects.toThrow();
  expect(readdirSync(backups).filter((name) => name.startsWith(".") || name.startsWith("closed"))).toEqual(
    [],
  );
});
