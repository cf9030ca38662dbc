/**
 * Databases whose steps ran in another order than the released list: one day's builds (2026-12-06) ran
 * the batched audit chain as step 14, before the rollup index that is step 14 now. Such a database is
 * upgraded all the same; one that cannot be is refused in words the user can act on, and left as it was.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openRawDb } from "../../electron/monitor/store/db.js";
import { MIGRATIONS, migrate, SCHEMA_VERSION } from "../../electron/monitor/store/migrations.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

/** A database that ran steps 1..`through` of today's list, then `extra` (0-based indexes), at `version`. */
function outOfOrder(dataDir: string, through: number, extra: number[], version: number): void {
  mkdirSync(dataDir, { recursive: true });
  const db = openRawDb(databasePath(dataDir));
  try {
    db.exec("PRAGMA journal_mode = WAL");
    migrate(db, undefined, through);
    for (const step of extra) db.exec(MIGRATIONS[step] ?? "");
    db.exec(`PRAGMA user_version = ${version}`);
    db.prepare("INSERT INTO sessions (id, server, started_at) VALUES ('kept', 'everything', 1)").run();
  } finally {
    db.close();
  }
}

function state(dataDir: string): { version: number; sessions: number } {
  const db = openRawDb(databasePath(dataDir), { readOnly: true });
  try {
    return {
      version: Number(db.prepare("PRAGMA user_version").get()?.user_version),
      sessions: Number(db.prepare("SELECT count(*) AS n FROM sessions").get()?.n),
    };
  } finally {
    db.close();
  }
}

describe("a database whose migrations ran in another order", () => {
  it("one that ran the audit chain as step 14 is upgraded, its history kept and its chain sound", async () => {
    const dataDir = join(dir.path, "audit-as-14");
    outOfOrder(dataDir, 13, [14], 14);
    const stats = await cliInProcess(["stats", "--json", "--data-dir", dataDir]);
    expect(stats.stderr).toBe("");
    expect(stats.status).toBe(0);
    expect(state(dataDir)).toEqual({ version: SCHEMA_VERSION, sessions: 1 });
    const verify = await cliInProcess(["audit", "verify", "--data-dir", dataDir]);
    expect(verify.status).toBe(0);
  });

  it("one that cannot be upgraded is refused in one line that says what to do, and left as it was", async () => {
    // A branch build ran today's step 13 (an index) as its step 10.
    const dataDir = join(dir.path, "index-as-10");
    outOfOrder(dataDir, 9, [12], 10);
    const { status, stderr } = await cliInProcess(["stats", "--data-dir", dataDir]);
    expect(status).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`the database ${databasePath(dataDir)} (schema 10) cannot be upgraded`);
    expect(lines[0]).toContain(`step 13 of the upgrade from schema 10 to ${SCHEMA_VERSION} failed`);
    expect(lines[0]).toContain("nothing was changed");
    expect(lines[0]).toMatch(/move mcpscope\.db aside .*`mcpscope restore` a backup into a new --data-dir/);
    expect(state(dataDir)).toEqual({ version: 10, sessions: 1 });
  });
});
