/**
 * Restore from the app: the engine restores a backup from backups/ into the database it has open. The
 * backup's rows come back, the replaced database is kept as a backup that both Restore… and
 * `mcpscope restore` take (so a restore can be undone), a connection opened before the restore
 * (as a wrapper's is) keeps writing into the restored database; a truncated backup is listed with its
 * problem and refused with one line, and so is a restore that a writer holds off past the wait; nothing
 * changes then.
 */
import { copyFileSync, mkdirSync, readdirSync, statSync, truncateSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type MetricsEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { createBackup, rowCounts } from "../../electron/monitor/store/backup.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { restoreInPlace } from "../../electron/monitor/store/restore.js";
import type { BackupListEntry, BackupResult, RestoreResult } from "../../shared/storage.js";
import { type RawProcess, startRaw } from "../fixtures/raw-client.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let dataDir: string;
let engine: MetricsEngine;
let wrapper: Db;

function insertCall(db: Db, method: string): void {
  db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome, bytes_in, bytes_out)
     VALUES ('s1', 'everything', 'c2s', ?, ?, ?, 5, 'ok', 10, 20)`,
  ).run(method, method, Date.now());
}

async function methods(): Promise<string[]> {
  const calls = (await engine.invoke("calls.list", { limit: 100 })) as { method: string }[];
  return calls.map((c) => c.method).sort();
}

beforeAll(async () => {
  dir = await tempDir();
  dataDir = join(dir.path, "data");
  engine = await createEngine({
    dataDir,
    inventory: false,
    alerts: false,
    remoteProxies: false,
  });
  // Another process's connection, as a wrapper holds one for its whole session.
  wrapper = openDb(databasePath(dataDir));
});
afterAll(async () => {
  wrapper?.close();
  await engine?.close();
  await dir?.cleanup();
});

describe("storage.restore in a running engine", () => {
  let backup: BackupResult;

  it("lists a backup with its manifest and restores its rows in place", async () => {
    for (const m of ["tools/list", "tools/call", "resources/list"]) insertCall(wrapper, m);
    backup = (await engine.invoke("storage.backup", {})) as BackupResult;
    // A wrapper's session that started after the backup and is still recording.
    wrapper
      .prepare("INSERT INTO sessions (id, server, started_at) VALUES ('live', 'everything', ?)")
      .run(Date.now());
    insertCall(wrapper, "prompts/list");
    insertCall(wrapper, "ping");
    expect(await methods()).toHaveLength(5);

    const list = (await engine.invoke("storage.backups.list", {})) as BackupListEntry[];
    expect(list).toHaveLength(1);
    expect(list[0]?.file).toBe(backup.file);
    expect(list[0]?.rows.calls).toBe(3);
    expect(list[0]?.problem).toBeNull();
    expect(list[0]?.range).not.toBeNull();

    engine.metrics.prometheus(); // the exporters' feed has read up to the fifth call
    const result = (await engine.invoke("storage.restore", { name: list[0]?.name })) as RestoreResult;
    expect(result.ok, result.message).toBe(true);
    expect(await methods()).toEqual(["resources/list", "tools/call", "tools/list"]);
    // The replaced database, with all five calls, is kept as a backup in backups/, owner-only, listed
    // with the others (so Restore… undoes the restore), never taken for the last backup.
    const previous = result.previous ?? "";
    expect(previous).toBe(join(dataDir, "backups", basename(previous)));
    expect(basename(previous)).toMatch(/^mcpscope-before-restore-.*\.mcpscope-backup$/);
    expect(statSync(previous).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir).filter((f) => f.includes("before-restore"))).toEqual([]);
    const listed = (await engine.invoke("storage.backups.list", {})) as BackupListEntry[];
    expect(listed.find((b) => b.file === previous)).toMatchObject({ problem: null, rows: { calls: 5 } });
    const info = (await engine.invoke("storage.info", {})) as { lastBackup: { file: string } | null };
    expect(info.lastBackup?.file).toBe(backup.file);
    // A connection opened before the restore writes into the restored database, and the engine sees it.
    insertCall(wrapper, "after-restore");
    expect(await methods()).toEqual(["after-restore", "resources/list", "tools/call", "tools/list"]);
    // The live exporters see it too, though its id is lower than the calls they had read before.
    expect(engine.metrics.prometheus()).toContain('mcp_method_name="after-restore"');
    // The open session keeps its row, so what it records next stays attached to it.
    expect(wrapper.prepare("SELECT id FROM sessions WHERE id = 'live'").get()).toEqual({ id: "live" });

    // `mcpscope restore` takes that backup too (here into another data dir, with no engine there).
    const elsewhere = join(dir.path, "elsewhere");
    mkdirSync(elsewhere);
    const cli = await cliInProcess(["restore", "--data-dir", elsewhere, previous]);
    expect(cli.status, cli.stderr).toBe(0);
    const restored = openDb(databasePath(elsewhere), { readOnly: true });
    try {
      expect(rowCounts(restored).calls).toBe(5);
    } finally {
      restored.close();
    }

    // And Restore… of it in the app undoes the restore.
    const undone = (await engine.invoke("storage.restore", { name: basename(previous) })) as RestoreResult;
    expect(undone.ok, undone.message).toBe(true);
    expect(await methods()).toEqual(["ping", "prompts/list", "resources/list", "tools/call", "tools/list"]);
  });

  it("refuses a truncated backup, or a missing one, with one line and changes nothing", async () => {
    const broken = join(dataDir, "backups", "broken.mcpscope-backup");
    copyFileSync(backup.file, broken);
    truncateSync(broken, statSync(broken).size - 100);
    const before = await methods();
    const asides = readdirSync(dataDir).filter((f) => f.includes("before-restore")).length;

    const list = (await engine.invoke("storage.backups.list", {})) as BackupListEntry[];
    expect(list.find((b) => b.name === "broken.mcpscope-backup")?.problem).toMatch(/truncated/);

    const result = (await engine.invoke("storage.restore", {
      name: "broken.mcpscope-backup",
    })) as RestoreResult;
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/truncated.*nothing was restored/);
    expect(result.message).not.toContain("\n");
    expect(await methods()).toEqual(before);
    expect(readdirSync(dataDir).filter((f) => f.includes("before-restore"))).toHaveLength(asides);

    const missing = (await engine.invoke("storage.restore", { name: "../mcpscope.db" })) as RestoreResult;
    expect(missing.ok).toBe(false);
    expect(missing.message).toMatch(/no backup named/);
  });
});

/**
 * The writer here is another process holding the write lock mid-batch, as a wrapper does, and no engine
 * runs beside the restore: an engine's own writes on the restoring thread would wait on the same lock
 * for their busy timeout, which says nothing about the restore's wait.
 */
describe("a restore that a writer holds off past the wait", () => {
  it("is refused in one line, replaces and sets aside nothing, and goes through once the writer commits", async () => {
    const scratch = await tempDir();
    const dataDir = join(scratch.path, "data");
    const path = databasePath(dataDir);
    const engineSide = openDb(path);
    let locker: RawProcess | undefined;
    try {
      insertCall(engineSide, "tools/list");
      const file = join(dataDir, "backups", "one.mcpscope-backup");
      mkdirSync(dirname(file));
      await createBackup(engineSide, file, { version: "test" });
      insertCall(engineSide, "ping");
      locker = startRaw(process.execPath, [
        "--no-warnings",
        "-e",
        `const { DatabaseSync } = require("node:sqlite");
         const db = new DatabaseSync(process.argv[1]);
         db.exec("BEGIN IMMEDIATE");
         db.prepare("INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome, bytes_in, bytes_out) VALUES ('s1', 'everything', 'c2s', 'u', 'uncommitted', 0, 5, 'ok', 10, 20)").run();
         process.stdout.write("locked\\n");
         process.stdin.once("data", () => { db.exec("COMMIT"); db.close(); process.stdout.write("committed\\n"); process.exit(0); });`,
        path,
      ]);
      const stored = () =>
        engineSide
          .prepare("SELECT method FROM calls ORDER BY method")
          .all()
          .map((r) => String(r.method));
      const leftovers = () => readdirSync(dataDir).filter((f) => /before-restore|restoring/.test(f));

      await locker.waitForStdout("locked\n");
      const locked = await restoreInPlace(engineSide, file, { lockWaitMs: 100 }).then(
        () => null,
        (e: Error) => e.message,
      );
      expect(locked).toMatch(/^cannot restore .*stayed locked by another writer.*nothing was restored$/);
      expect(locked).not.toContain("\n");
      expect(leftovers()).toEqual([]);

      // The writer's batch lands on the database as it was: nothing had been replaced under it.
      await locker.write("commit\n");
      await locker.waitForStdout("committed\n");
      expect((await locker.done).code).toBe(0);
      expect(stored()).toEqual(["ping", "tools/list", "uncommitted"]);

      // With the lock free the same restore goes through, on the connection opened before it.
      const result = await restoreInPlace(engineSide, file, { lockWaitMs: 100 });
      expect(stored()).toEqual(["tools/list"]);
      expect(leftovers()).toEqual([]);
      expect(readdirSync(join(dataDir, "backups"))).toContain(basename(result.previous ?? ""));
    } finally {
      locker?.kill();
      engineSide.close();
      await scratch.cleanup();
    }
  });
});
