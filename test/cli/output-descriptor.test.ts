/**
 * `--output /dev/stdout` (`/dev/stderr`, `/dev/fd/N`) is written through the descriptor the shell opened,
 * whatever it is, as `-` would be: a socket (a parent process's stdio), a pipe whose reader left early, a
 * device that fails half-way. A descriptor the shell did not open is refused before anything is written.
 */
import { execFile } from "node:child_process";
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let data: string;

beforeAll(async () => {
  dir = await tempDir("mcpscope-outfd-");
  data = join(dir.path, "data");
  await mkdir(data);
  const store = openDb(databasePath(data));
  for (let i = 0; i < 5; i++)
    recordAdminAction(store, { action: "pin_approve", actor: "me", server: `s${i}`, target: "t", time: i });
  store.close();
});
afterAll(() => dir.cleanup());

type Run = { code: number; stdout: string; stderr: string };

/** The CLI started as a program starts it: its stdout a socketpair (Node's default "pipe" stdio). */
function cli(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [MCPSCOPE, ...args], { cwd: ROOT }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A line run in bash as the user types it. */
function bash(line: string): Promise<Run> {
  return new Promise((done) => {
    execFile("bash", ["-c", line], { cwd: ROOT }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const line = () => `"${process.execPath}" "${MCPSCOPE}" audit export --data-dir "${data}"`;

describe.skipIf(process.platform !== "linux")("--output through a descriptor", () => {
  it("writes into a socket stdout, as `-` does", async () => {
    const r = await cli(["audit", "export", "--data-dir", data, "--output", "/dev/stdout"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout.trim().split("\n")).toHaveLength(5);
    const report = await cli(["report", "--data-dir", data, "--format", "md", "--output", "/dev/stdout"]);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/^# /);
  });

  it("ends quietly with exit 0 when the reader has closed the pipe, as `-` does", async () => {
    // A pipe with no reader left: opened read-write to get its write end, then the reader closed.
    const fifo = join(dir.path, "gone");
    const r = await bash(
      `mkfifo "${fifo}"; exec 5<>"${fifo}"; exec 6>"${fifo}"; exec 5<&-; ${line()} --output /dev/stdout >&6; echo "stdout=$?"; ${line()} --output /dev/fd/6; echo "fd=$?"`,
    );
    expect(r).toMatchObject({ stdout: "stdout=0\nfd=0\n", stderr: "" });
  });

  it("says the output is incomplete, not unchanged, when a write fails half-way", async () => {
    const r = await bash(`${line()} --output /dev/stdout > /dev/full`);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "mcpscope audit: cannot write /dev/stdout: ENOSPC: no space left on device, write; what was written so far is incomplete\n",
    );
  });

  it("refuses a descriptor the shell did not open, and the database's, before writing anything", async () => {
    const db = databasePath(data);
    const before = (await stat(db)).size;
    const onDb = await bash(`${line()} --output /dev/fd/3 3>>"${db}"`);
    expect(onDb.code).toBe(1);
    expect(onDb.stderr).toContain("cannot write /dev/fd/3: it is mcpscope's database");
    // Nothing redirected at 3 or 40: 3 is the event loop's own descriptor, 40 none at all.
    for (const fd of [3, 40]) {
      const r = await cli(["audit", "export", "--data-dir", data, "--output", `/dev/fd/${fd}`]);
      expect(r).toMatchObject({
        code: 1,
        stdout: "",
        stderr: `mcpscope audit: cannot write /dev/fd/${fd}: descriptor ${fd} is not one the shell opened for writing; redirect it (${fd}> FILE) or name a file\n`,
      });
    }
    expect((await stat(db)).size).toBe(before);
    expect((await cli(["audit", "verify", "--data-dir", data])).stdout).toBe("5 records, chain intact\n");
  });
});
