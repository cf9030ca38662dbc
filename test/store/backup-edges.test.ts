/**
 * `mcpscope backup` and `restore` at their edges, through the real CLI on real files: an existing FILE,
 * a missing folder or a FILE that is a folder are refused in one line before any copying; the last backup
 * written outside `backups/` is still the last backup; a restore whose migration fails refuses in one line
 * and leaves the data dir exactly as it was.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { createBackup } from "../../electron/monitor/store/backup.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../electron/monitor/store/migrations.js";
import type { RestoreResult } from "../../shared/storage.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let dataDir: string;
beforeAll(async () => {
  dir = await tempDir();
  dataDir = join(dir.path, "data");
  const db = openDb(databasePath(dataDir));
  db.exec(
    "INSERT INTO events (time, category, type, severity, message) VALUES (1, 'system', 'kept', 'info', 'kept')",
  );
  db.close();
});
afterAll(() => dir.cleanup());

async function cli(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MCPSCOPE, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The command's own lines on stderr (progress lines left out). */
const failure = (stderr: string, command: string) =>
  stderr
    .split("\n")
    .filter(
      (l) =>
        l.startsWith(`mcpscope ${command}: `) &&
        !/: (copying|copied|compressing|verifying|decompressing)/.test(l),
    );

describe("mcpscope backup FILE", () => {
  it("refuses an existing file unless --force; --json and the text name the absolute path", async () => {
    const first = await cli(["backup", "b.mcpscope-backup", "--data-dir", dataDir, "--json"], dir.path);
    expect(first.code).toBe(0);
    const file = join(dir.path, "b.mcpscope-backup");
    expect(JSON.parse(first.stdout)).toMatchObject({ file, schemaVersion: SCHEMA_VERSION });
    const before = readFileSync(file);

    const again = await cli(["backup", "b.mcpscope-backup", "--data-dir", dataDir], dir.path);
    expect(again.code).toBe(1);
    expect(failure(again.stderr, "backup")).toEqual([
      `mcpscope backup: ${file} exists; pass --force to replace it, or name another file`,
    ]);
    expect(again.stderr).not.toMatch(/copying/);
    expect(readFileSync(file).equals(before)).toBe(true);

    const forced = await cli(["backup", "b.mcpscope-backup", "--force", "--data-dir", dataDir], dir.path);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`to ${file}\n`);
  });

  it("refuses a missing folder and a FILE that is a folder before copying, naming the path", async () => {
    const missing = join(dir.path, "nonexist", "x.mcpscope-backup");
    const noFolder = await cli(["backup", missing, "--data-dir", dataDir]);
    expect(noFolder.code).toBe(1);
    expect(noFolder.stderr).toBe(
      `mcpscope backup: cannot write ${missing}: the folder ${join(dir.path, "nonexist")} does not exist\n`,
    );
    const folder = join(dir.path, "a-folder");
    mkdirSync(folder);
    const isFolder = await cli(["backup", folder, "--data-dir", dataDir]);
    expect(isFolder.code).toBe(1);
    expect(isFolder.stderr).toMatch(
      new RegExp(`^mcpscope backup: cannot write ${folder}: it is a folder; [^\\n]*\\n$`),
    );
    expect(readdirSync(folder)).toEqual([]);
    expect(readdirSync(dir.path).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it.skipIf(process.platform === "win32")(
    "refuses a pipe and a link that loops before copying, in the words report --output uses",
    async () => {
      // stdout a pipe (execFile's): a backup is a file put in place whole, never streamed.
      const piped = await cli(["backup", "/dev/stdout", "--data-dir", dataDir], dir.path);
      expect(piped).toMatchObject({ code: 1, stdout: "" });
      expect(piped.stderr).toBe(
        "mcpscope backup: cannot write /dev/stdout: it is a pipe, device or descriptor, and this writes a file; name a file\n",
      );
      const loop = join(dir.path, "loop.mcpscope-backup");
      symlinkSync(loop, loop);
      for (const command of ["backup", "report"]) {
        const looped = await cli(
          command === "backup"
            ? ["backup", loop, "--data-dir", dataDir]
            : ["report", "--output", loop, "--data-dir", dataDir],
        );
        expect(looped.code).toBe(1);
        expect(failure(looped.stderr, command)).toEqual([
          `mcpscope ${command}: cannot write ${loop}: it is a link that loops back on itself`,
        ]);
      }
      expect(readdirSync(dir.path).filter((f) => f.includes("tmp"))).toEqual([]);
    },
  );

  it("a backup written outside backups/ is the last backup `db info` shows", async () => {
    const elsewhere = join(dir.path, "cron");
    mkdirSync(elsewhere);
    const file = join(elsewhere, "nightly.mcpscope-backup");
    expect((await cli(["backup", file, "--data-dir", dataDir])).code).toBe(0);
    const info = await cli(["db", "info", "--data-dir", dataDir, "--json"]);
    expect(JSON.parse(info.stdout).lastBackup).toMatchObject({ file, bytes: statSync(file).size });
    expect((await cli(["db", "info", "--data-dir", dataDir])).stdout).toContain(`last backup: ${file} (`);
  });
});

describe("mcpscope restore whose migration fails", () => {
  it("refuses in one line before anything is moved, and the data dir stays usable", async () => {
    // A backup that says it is older than it is: the last migration that adds a column then fails on a
    // column that exists already (any migration failure takes the same path).
    const source = join(dir.path, "mislabelled");
    const db = openDb(databasePath(source));
    db.exec(`PRAGMA user_version = ${MIGRATIONS.findLastIndex((sql) => sql.includes("ADD COLUMN"))}`);
    const file = join(dir.path, "mislabelled.mcpscope-backup");
    await createBackup(db, file, { version: "0.0.0" });
    db.close();

    // Reading which wrappers record opens the database, which may leave an empty -wal and -shm beside it.
    const files = () =>
      readdirSync(dataDir)
        .filter((f) => !/-(wal|shm)$/.test(f))
        .sort();
    const before = files();
    const bytes = readFileSync(databasePath(dataDir));
    const restore = await cli(["restore", file, "--data-dir", dataDir]);
    expect(restore.code).toBe(1);
    const lines = failure(restore.stderr, "restore");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^mcpscope restore: restore refused: the database in ${file} cannot be opened and upgraded to schema ${SCHEMA_VERSION} \\(.+\\); nothing was changed$`,
      ),
    );
    expect(files()).toEqual(before);
    expect(readFileSync(databasePath(dataDir)).equals(bytes)).toBe(true);
    const events = await cli(["events", "--data-dir", dataDir, "--json", "--since", "1970-01-01T00:00:00Z"]);
    expect(events.code).toBe(0);
    expect(events.stdout).toContain('"kept"');

    // Restore… in the app refuses it the same way, keeping nothing aside.
    const inApp = join(dir.path, "in-app");
    const engine = await createEngine({
      dataDir: inApp,
      inventory: false,
      alerts: false,
      remoteProxies: false,
    });
    try {
      mkdirSync(join(inApp, "backups"), { recursive: true });
      copyFileSync(file, join(inApp, "backups", "mislabelled.mcpscope-backup"));
      const result = (await engine.invoke("storage.restore", {
        name: "mislabelled.mcpscope-backup",
      })) as RestoreResult;
      expect(result).toMatchObject({ ok: false, previous: null });
      expect(result.message).toMatch(/^restore refused: .*; nothing was changed$/);
      expect(readdirSync(inApp).filter((f) => /before-restore|restoring/.test(f))).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
