/**
 * `db info` and `db check` on a database with a few damaged pages, through the real CLI: info still
 * answers, the damaged tables' rows `null` (`unreadable`) and the time range from what can be read; check
 * lists each finding of SQLite's integrity check (not just the first error), and `[]` when sound.
 */
import { execFile } from "node:child_process";
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { StorageInfo } from "../../shared/storage.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MCPSCOPE, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A database with rows in a few tables; returns the pages of two tables (with their indexes) to damage. */
function seed(dataDir: string): { pages: number[]; pageSize: number } {
  const db = openDb(databasePath(dataDir));
  db.transaction(() => {
    const log = db.prepare(
      "INSERT INTO logs (time, level, server, source, message) VALUES (?, 'info', 's', 'stderr', ?)",
    );
    for (let i = 0; i < 200; i++) log.run(1_000 + i, `line ${i}`);
    const sample = db.prepare(
      "INSERT INTO resource_samples (time, server, pid, rss_bytes, process_count) VALUES (?, 's', 1, 100, 1)",
    );
    for (let i = 0; i < 200; i++) sample.run(500 + i);
    const check = db.prepare(
      "INSERT INTO health_checks (time, server, status, state) VALUES (?, 's', 'ok', 'up')",
    );
    for (let i = 0; i < 200; i++) check.run(i);
  });
  const pages = db
    .prepare(
      `SELECT pageno FROM dbstat WHERE name IN
         (SELECT name FROM sqlite_master WHERE tbl_name IN ('resource_samples', 'health_checks'))`,
    )
    .all()
    .map((r) => Number(r.pageno));
  const pageSize = Number(db.prepare("PRAGMA page_size").get()?.page_size);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return { pages, pageSize };
}

describe("a database with damaged pages", () => {
  it("db info answers with the damaged tables unreadable; db check lists every finding", async () => {
    const dataDir = join(dir.path, "pages");
    const { pages, pageSize } = seed(dataDir);
    const fd = openSync(databasePath(dataDir), "r+");
    for (const page of pages) writeSync(fd, Buffer.alloc(pageSize, "A"), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);

    const json = await cli(["db", "info", "--data-dir", dataDir, "--json"]);
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
    const info = JSON.parse(json.stdout) as StorageInfo;
    const rows = Object.fromEntries(info.tables.map((t) => [t.name, t.rows]));
    expect(rows).toMatchObject({ resource_samples: null, health_checks: null, logs: 200 });
    // The damaged samples (from 500) are left out; the logs (1000–1199) still give the range.
    expect([info.oldest, info.newest]).toEqual([1_000, 1_199]);
    const text = await cli(["db", "info", "--data-dir", dataDir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/resource_samples +unreadable/);

    const check = await cli(["db", "check", "--data-dir", dataDir, "--json"]);
    expect(check.code).toBe(1);
    const result = JSON.parse(check.stdout) as { ok: boolean; problems: string[] };
    expect(result.ok).toBe(false);
    // A finding per damaged page, each on its own line; SQLite's closing error is not one.
    expect(result.problems.length).toBeGreaterThanOrEqual(Math.min(20, pages.length));
    expect(result.problems.length).toBeLessThanOrEqual(20);
    expect(result.problems.every((p) => !p.includes("\n") && p !== "ok")).toBe(true);
  });

  it("db info does not say 0 calls and an older ok check when the calls table cannot be read", async () => {
    const dataDir = join(dir.path, "calls");
    const db = openDb(databasePath(dataDir));
    const insert = db.prepare(
      `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome, bytes_in, bytes_out, request)
       VALUES ('s', 's', 'c2s', ?, 'tools/call', ?, 1, 'ok', 1, 1, ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < 300; i++) insert.run(String(i), 1_000 + i, "x".repeat(200));
    });
    const pages = db
      .prepare(
        "SELECT pageno FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'calls')",
      )
      .all()
      .map((r) => Number(r.pageno));
    const pageSize = Number(db.prepare("PRAGMA page_size").get()?.page_size);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    db.close();
    // The check the engine recorded at its last open, before the damage.
    writeFileSync(
      join(dataDir, "db-check.json"),
      JSON.stringify({ time: 1_000, when: "start", ok: true, problems: [] }),
    );
    const fd = openSync(databasePath(dataDir), "r+");
    for (const page of pages) writeSync(fd, Buffer.alloc(pageSize, "A"), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);

    const json = await cli(["db", "info", "--data-dir", dataDir, "--json"]);
    expect(json.code).toBe(0);
    const info = JSON.parse(json.stdout) as StorageInfo;
    expect(info.calls).toBeNull();
    expect(info.bytesPerCall).toBeNull();
    expect(info.lastCheck).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/reading calls met damaged pages/)],
    });
    const text = await cli(["db", "info", "--data-dir", dataDir]);
    expect(text.stdout).toMatch(/^calls: unreadable \(damaged pages\);/m);
    expect(text.stdout).toMatch(/^last integrity check: DAMAGE FOUND .*reading calls met damaged pages/m);
  });

  it("db check of a sound database: ok, no problems", async () => {
    const dataDir = join(dir.path, "sound");
    seed(dataDir);
    const check = await cli(["db", "check", "--data-dir", dataDir, "--json"]);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, problems: [] });
  });
});
