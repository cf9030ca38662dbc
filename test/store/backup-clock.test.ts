/**
 * Scheduled backups against a wrong clock, on real files and a real database: a backup dated after now
 * (taken while the clock was ahead, or read while it is behind) neither holds off the schedule nor is
 * rotated away; it is said once (log and event, naming the file, not again after a restart), and `db info`
 * flags it, as it flags a newest backup older than the schedule allows.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertEvent, type TrackedEvent } from "../../electron/monitor/events/tracker.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { createBackup } from "../../electron/monitor/store/backup.js";
import { scheduledBackupName } from "../../electron/monitor/store/backup-files.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { BACKUP_AHEAD_EVENT } from "../../electron/monitor/store/storage-info.js";
import { StorageService } from "../../electron/monitor/store/storage-service.js";
import { iso } from "../../electron/monitor/time.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The machine's clock when these files are made; the engine's passes are given their own.
const T = Date.now();

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

/** A data dir scheduled `every 6h, keep 3`, with scheduled backups taken at `times`. */
async function dataDirWith(name: string, times: number[]): Promise<{ dataDir: string; db: Db }> {
  const dataDir = join(dir.path, name);
  const db = openDb(databasePath(dataDir));
  writeFileSync(
    join(dataDir, "settings.json"),
    JSON.stringify({ storage: { backup: { every: "6h", keep: 3 } } }),
  );
  mkdirSync(join(dataDir, "backups"));
  for (const time of times)
    await createBackup(db, join(dataDir, "backups", scheduledBackupName(time)), {
      version: "0.0.0",
      now: time,
    });
  return { dataDir, db };
}

/** An engine's storage service whose events land in the database, as the engine's tracker writes them. */
function service(dataDir: string, db: Db, said: { warned: string[]; events: TrackedEvent[] }) {
  return new StorageService(dataDir, db, {
    warn: (line) => said.warned.push(line),
    track: (event) => {
      said.events.push(event);
      insertEvent(db, event);
    },
  });
}

const scheduled = (dataDir: string) =>
  readdirSync(join(dataDir, "backups"))
    .filter((n) => n.startsWith("mcpscope-scheduled-"))
    .sort();

describe("scheduled backups and a wrong clock", () => {
  it("a backup dated in the future does not stop the schedule; it is said once and kept", async () => {
    const ahead = T + 30 * DAY;
    const { dataDir, db } = await dataDirWith("ahead", [T - 2 * DAY, T - DAY, ahead]);
    const said = { warned: [] as string[], events: [] as TrackedEvent[] };
    const first = service(dataDir, db, said);
    await first.pass(T);
    await first.pass(T + 10 * 60_000);
    await first.close();

    // Due at once (the newest real backup is a day old), then not again until `every` has passed; keep 3
    // counts the backups dated up to now, and the one it cannot place stays.
    expect(scheduled(dataDir)).toEqual([T - 2 * DAY, T - DAY, T, ahead].map(scheduledBackupName).sort());
    const aheadFile = join(dataDir, "backups", scheduledBackupName(ahead));
    expect(said.events).toHaveLength(1);
    expect(said.events[0]).toMatchObject({ type: BACKUP_AHEAD_EVENT, details: { file: aheadFile } });
    expect(said.events[0]?.message).toContain(`is dated ${iso(ahead)}, after this machine's clock`);
    expect(said.warned).toEqual([said.events[0]?.message]);

    // A restart: the schedule goes on from the newest real backup; the file is not said again.
    const second = service(dataDir, db, said);
    await second.pass(T + 6 * HOUR);
    await second.close();
    expect(scheduled(dataDir)).toEqual([T - DAY, T, T + 6 * HOUR, ahead].map(scheduledBackupName).sort());
    expect(said.events).toHaveLength(1);

    const info = await cliInProcess(["db", "info", "--data-dir", dataDir]);
    expect(info.stdout).toContain(`backups: the newest backup, ${aheadFile}, is dated ${iso(ahead)}`);
    db.close();
  });

  it("a clock behind the newest backups still backs up, and rotation keeps the real ones", async () => {
    const { dataDir, db } = await dataDirWith("behind", [T - DAY, T]);
    const said = { warned: [] as string[], events: [] as TrackedEvent[] };
    const engine = service(dataDir, db, said);
    const behind = T - 30 * DAY;
    await engine.pass(behind);
    await engine.pass(behind + 6 * HOUR);
    await engine.pass(behind + 12 * HOUR);
    await engine.pass(behind + 18 * HOUR);
    await engine.close();
    db.close();
    // keep 3 counts the backups dated up to its clock; the two it cannot place stay.
    expect(scheduled(dataDir)).toEqual(
      [T - DAY, T, behind + 6 * HOUR, behind + 12 * HOUR, behind + 18 * HOUR].map(scheduledBackupName).sort(),
    );
    expect(said.events.map((e) => e.details?.file)).toEqual([
      join(dataDir, "backups", scheduledBackupName(T)),
    ]);
  });

  it("db info flags a newest backup older than the schedule's every", async () => {
    const { dataDir, db } = await dataDirWith("late", [Date.now() - 2 * DAY]);
    db.close();
    const info = await cliInProcess(["db", "info", "--data-dir", dataDir]);
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(
      /backups: the newest backup \(\S+\) is 2\.0 d old, older than the schedule's every 6\.0 h/,
    );
    const fresh = await dataDirWith("fresh", [Date.now() - HOUR]);
    fresh.db.close();
    expect((await cliInProcess(["db", "info", "--data-dir", fresh.dataDir])).stdout).not.toContain(
      "backups:",
    );
  });
});
