/**
 * Files the CLI writes for the user (`audit export --output`, `report --output`, `backup FILE`): an
 * existing file is kept unless --force, the file is owner-only and written whole, and the data dir's own
 * database (or its -wal, -shm, journal, or a hard link to it) is never written over, --force or not.
 * `/dev/stdout` is the descriptor the shell opened: written into as it is, a redirect to a file included.
 */
import { execFile } from "node:child_process";
import { link, lstat, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let data: string;
let db: string;
const T0 = Date.parse("2026-11-20T10:00:00Z");

beforeAll(async () => {
  dir = await tempDir("mcpscope-export-");
  data = join(dir.path, "data");
  await mkdir(data);
  db = databasePath(data);
  const store = openDb(db);
  for (let i = 0; i < 5; i++)
    recordAdminAction(store, {
      action: "pin_approve",
      actor: "me",
      server: `srv-${i}`,
      target: "t",
      time: T0 + i,
    });
  store.close();
});
afterAll(() => dir.cleanup());

const auditExport = (...args: string[]) => cliInProcess(["audit", "export", "--data-dir", data, ...args]);

/** The recorded data is all still there. */
async function intact(): Promise<void> {
  const verify = await cliInProcess(["audit", "verify", "--data-dir", data]);
  expect(verify).toMatchObject({ status: 0, stdout: "5 records, chain intact\n" });
}

describe("audit export --output", () => {
  it("writes a new file owner-only, and keeps an existing one unless --force", async () => {
    const out = join(dir.path, "audit.jsonl");
    expect((await auditExport("--output", out)).status).toBe(0);
    expect((await readFile(out, "utf8")).trim().split("\n")).toHaveLength(5);
    if (process.platform !== "win32") expect((await stat(out)).mode & 0o777).toBe(0o600);

    const keep = join(dir.path, "keep.txt");
    await writeFile(keep, "precious\n");
    const refused = await auditExport("--since", "1s", "--output", keep);
    expect(refused).toMatchObject({
      status: 1,
      stderr: `mcpscope audit: ${keep} exists; pass --force to replace it, or name another file\n`,
    });
    expect(await readFile(keep, "utf8")).toBe("precious\n");

    expect((await auditExport("--format", "csv", "--output", keep, "--force")).status).toBe(0);
    expect((await readFile(keep, "utf8")).split("\r\n")[0]).toMatch(/^id,time,time_ms,/);
    if (process.platform !== "win32") expect((await stat(keep)).mode & 0o777).toBe(0o600);
  });

  it("never writes over the database it exports, its companion files or a link to it, even with --force", async () => {
    const hardLink = join(dir.path, "same-inode.db");
    await link(db, hardLink);
    for (const target of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`, hardLink]) {
      const r = await auditExport("--output", target, "--force");
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /^mcpscope audit: cannot write .*: it is mcpscope's database \(.*\); name another file\n$/,
      );
    }
    await intact();
  });
});

describe("other commands that write a file the user names", () => {
  it("report --output and backup refuse the live database, even with --force", async () => {
    const report = await cliInProcess(["report", "--data-dir", data, "--output", db, "--force"]);
    expect(report.status).toBe(1);
    expect(report.stderr).toContain("it is mcpscope's database");
    const wal = await cliInProcess(["report", "--data-dir", data, "--output", `${db}-wal`, "--force"]);
    expect(wal.stderr).toContain(`it is mcpscope's database (${db}-wal)`);
    const backup = await cliInProcess(["backup", "--data-dir", data, db, "--force"]);
    expect(backup.status).toBe(1);
    expect(backup.stderr).toContain("it is mcpscope's database");
    await intact();
  });
});

describe.skipIf(process.platform === "win32")("backup FILE", () => {
  it("writes through a link with --force, as report --output does: the link stays, its file is replaced", async () => {
    const kept = join(dir.path, "synced.mcpscope-backup");
    await writeFile(kept, "an older backup\n");
    const named = join(dir.path, "b");
    await symlink(kept, named);
    const r = await cliInProcess(["backup", "--data-dir", data, named, "--force"]);
    expect(r.status).toBe(0);
    expect((await lstat(named)).isSymbolicLink()).toBe(true);
    expect((await readFile(kept, "latin1")).startsWith("MCPSCOPE-BACKUP")).toBe(true);
    expect((await stat(kept)).mode & 0o777).toBe(0o600);
    const again = await cliInProcess(["backup", "--data-dir", data, named]);
    expect(again).toMatchObject({ status: 1 });
    expect(again.stderr).toContain("exists; pass --force");
  });
});

/** A shell line run as the user types it, in a real shell, with the real CLI. */
function sh(line: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile("sh", ["-c", line], { cwd: ROOT }, (error, _stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

describe.skipIf(process.platform === "win32")("--output /dev/stdout with stdout redirected", () => {
  const cli = `"${process.execPath}" "${MCPSCOPE}"`;
  it("audit export writes into the file the shell opened, and appends after >>, --force or not", async () => {
    const out = join(dir.path, "redirected.jsonl");
    const exported = `${cli} audit export --data-dir "${data}" --output /dev/stdout`;
    // Every record the chain holds now (a backup earlier in this file added its own).
    const verified = await cliInProcess(["audit", "verify", "--data-dir", data, "--json"]);
    const records = (JSON.parse(verified.stdout) as { records: number }).records;
    expect(records).toBeGreaterThanOrEqual(5);
    expect(await sh(`${exported} > "${out}"`)).toEqual({ code: 0, stderr: "" });
    expect((await readFile(out, "utf8")).trim().split("\n")).toHaveLength(records);
    await writeFile(out, "keep-me\n");
    expect((await sh(`${exported} --force >> "${out}"`)).code).toBe(0);
    expect((await sh(`${exported} >> "${out}"`)).code).toBe(0);
    const lines = (await readFile(out, "utf8")).trim().split("\n");
    expect(lines[0]).toBe("keep-me");
    expect(lines).toHaveLength(1 + 2 * records);
  });

  it("report writes into the file the shell opened", async () => {
    const out = join(dir.path, "redirected.html");
    const r = await sh(`${cli} report --data-dir "${data}" --output /dev/stdout > "${out}"`);
    expect(r.code).toBe(0);
    expect(await readFile(out, "utf8")).toMatch(/^<!doctype html>/i);
  });
});
