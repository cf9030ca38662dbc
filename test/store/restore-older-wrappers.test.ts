/**
 * `mcpscope restore` right after an update, on a database still at an older schema: the wrappers of the
 * older install recording into it left no presence file and no start ticks, and only their open sessions
 * say they record. The restore refuses to swap the file under them, as it does under current wrappers.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { createBackup } from "../../electron/monitor/store/backup.js";
import { openDb, openRawDb } from "../../electron/monitor/store/db.js";
import { MIGRATIONS, migrate } from "../../electron/monitor/store/migrations.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

/** The schema before sessions had `wrapper_start_ticks`: what wrappers of that time left. */
const BEFORE_TICKS = MIGRATIONS.findIndex((sql) => sql.includes("ADD COLUMN wrapper_start_ticks"));

function userVersion(dataDir: string): number {
  const db = openRawDb(databasePath(dataDir), { readOnly: true });
  try {
    return Number(db.prepare("PRAGMA user_version").get()?.user_version);
  } finally {
    db.close();
  }
}

describe("restore into a database older wrappers record into", () => {
  it("refuses while one of their sessions is open and its wrapper runs, and changes nothing", async () => {
    const backup = join(dir.path, "any.mcpscope-backup");
    const source = openDb(join(dir.path, "source", "mcpscope.db"));
    try {
      await createBackup(source, backup, { version: "0.1.0" });
    } finally {
      source.close();
    }

    const dataDir = join(dir.path, "older");
    mkdirSync(dataDir, { recursive: true });
    const wrapper = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      await once(wrapper, "spawn");
      const db = openRawDb(databasePath(dataDir));
      db.exec("PRAGMA journal_mode = WAL");
      migrate(db, undefined, BEFORE_TICKS);
      // Its session started after the process did, as a wrapper's does.
      db.prepare(
        "INSERT INTO sessions (id, server, command, started_at, wrapper_pid) VALUES ('old', 'everything', 'x', ?, ?)",
      ).run(Date.now(), wrapper.pid ?? 0);
      db.close();

      const refused = await cliInProcess(["restore", backup, "--data-dir", dataDir]);
      expect(refused.stderr).toMatch(/1 `mcpscope run` wrapper\(s\) are recording into .*or pass --force/);
      expect(refused.status).toBe(1);
      expect(userVersion(dataDir)).toBe(BEFORE_TICKS);
    } finally {
      wrapper.kill();
    }
    await once(wrapper, "exit");
    const after = await cliInProcess(["restore", backup, "--data-dir", dataDir]);
    expect(after.status).toBe(0);
  });
});
