/**
 * Where `mcpscope report --output` writes: a file is written whole or not at all (a write that fails on a
 * full disk keeps the report that was there), an existing file is kept unless --force, a folder gets the
 * suggested name inside it, and a missing folder is said in one line. Files are owner-only, as scheduled
 * reports are. A link is followed, a pipe or device is written straight into, and a file that appears
 * while the report is written is not replaced without --force.
 */
import { execFile, spawn } from "node:child_process";
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../electron/monitor/instrument/atomic-file.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";

const run = promisify(execFile);
const UNTIL = "2026-12-01T12:00:00Z";
let dir: Awaited<ReturnType<typeof tempDir>>;
let data: string;

beforeAll(async () => {
  dir = await tempDir();
  data = join(dir.path, "data");
  await mkdir(data);
  const db = openDb(databasePath(data));
  const insert = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
     VALUES ('s1', 'files', 'c2s', ?, 'tools/call', ?, ?, 3, 'ok', 10, 10)`,
  );
  // Enough tools that the JSON report is far larger than the file size limit the full-disk case sets.
  db.transaction(() => {
    for (let i = 0; i < 400; i++)
      insert.run(String(i), `tool-${i}-${"x".repeat(80)}`, Date.parse(UNTIL) - 3_600_000 + i);
  });
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
});
afterAll(() => dir.cleanup());

const report = (...args: string[]) =>
  cliInProcess(["report", "--data-dir", data, "--until", UNTIL, "--since", "1d", ...args]);

describe("mcpscope report --output", () => {
  it("keeps an existing file unless --force, and replaces it whole with --force (owner-only)", async () => {
    const path = join(dir.path, "existing.md");
    await writeFile(path, "EXISTING\n");
    // Over a long range (which prints progress while it builds): refused before any building, in one line.
    const refused = await cliInProcess(["report", "--data-dir", data, "--since", "30d", "--output", path]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `mcpscope report: ${path} exists; pass --force to replace it, or name another file\n`,
    );
    expect(await readFile(path, "utf8")).toBe("EXISTING\n");

    const forced = await report("--format", "md", "--output", path, "--force");
    expect(forced.status).toBe(0);
    expect(await readFile(path, "utf8")).toContain("# mcpscope report");
    if (process.platform !== "win32") expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("writes the suggested name inside a folder given as --output, and says which file", async () => {
    const folder = join(dir.path, "reports");
    await mkdir(folder);
    const r = await report("--format", "json", "--output", folder);
    expect(r.status).toBe(0);
    const [name] = await readdir(folder);
    expect(name).toMatch(/^mcpscope-report-2026-11-30_to_2026-12-01\.json$/);
    expect(r.stderr).toContain(`report: wrote ${join(folder, name as string)} (`);
    expect(JSON.parse(await readFile(join(folder, name as string), "utf8")).summary.calls.value).toBe(400);
  });

  it("says in one line that the folder does not exist, writing nothing", async () => {
    const path = join(dir.path, "nodir", "sub", "x.md");
    const r = await report("--format", "md", "--output", path);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toBe(
      `mcpscope report: cannot write ${path}: the folder ${join(dir.path, "nodir", "sub")} does not exist`,
    );
    await expect(stat(join(dir.path, "nodir"))).rejects.toThrow(/ENOENT/);
  });

  it.skipIf(process.platform !== "linux")(
    "keeps the previous file, and leaves no partial one, when the write fails (file size limit)",
    async () => {
      const folder = join(dir.path, "full");
      await mkdir(folder);
      const path = join(folder, "r.json");
      await writeFile(path, "PREVIOUS REPORT\n");
      // RLIMIT_FSIZE makes any write past 48 KiB fail (EFBIG) as a full disk would (ENOSPC); the
      // database's own files stay under it.
      const failed = await run(
        "bash",
        [
          "-c",
          'ulimit -f 48; exec "$0" "$@"',
          process.execPath,
          MCPSCOPE,
          "report",
          "--data-dir",
          data,
          "--until",
          UNTIL,
          "--since",
          "1d",
          "--format",
          "json",
          "--output",
          path,
          "--force",
        ],
        { cwd: ROOT },
      ).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr.trim().split("\n").at(-1)).toMatch(
        new RegExp(`^mcpscope report: cannot write ${path}: EFBIG: .*; nothing was changed$`),
      );
      expect(await readFile(path, "utf8")).toBe("PREVIOUS REPORT\n");
      expect(await readdir(folder)).toEqual(["r.json"]);
    },
  );
  it.skipIf(process.platform === "win32")(
    "writes straight into a pipe, without --force, and leaves it a pipe",
    async () => {
      const pipe = join(dir.path, "pipe");
      await run("mkfifo", [pipe]);
      const reader = spawn("cat", [pipe]);
      let got = "";
      reader.stdout.on("data", (chunk: Buffer) => {
        got += chunk;
      });
      const read = new Promise((resolve) => reader.on("close", resolve));
      const r = await report("--format", "json", "--output", pipe);
      // A refusal never opens the pipe, and `cat` would wait for a writer for ever.
      if (r.status !== 0) reader.kill();
      await read;
      expect(r.status).toBe(0);
      expect(JSON.parse(got).summary.calls.value).toBe(400);
      expect((await lstat(pipe)).isFIFO()).toBe(true);
    },
  );

  it.skipIf(process.platform === "win32")(
    "follows a link: replaces the file it names with --force and keeps the link; a broken link is refused",
    async () => {
      const real = join(dir.path, "real");
      await mkdir(real);
      const target = join(real, "target.json");
      await writeFile(target, "old");
      const link = join(dir.path, "link.json");
      await symlink(target, link);
      const refused = await report("--format", "json", "--output", link);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toBe(
        `mcpscope report: ${target} exists; pass --force to replace it, or name another file\n`,
      );
      const forced = await report("--format", "json", "--output", link, "--force");
      expect(forced.status).toBe(0);
      expect(forced.stderr).toContain(`report: wrote ${target} (`);
      expect(await readlink(link)).toBe(target);
      expect(JSON.parse(await readFile(target, "utf8")).summary.calls.value).toBe(400);

      const broken = join(dir.path, "broken.json");
      await symlink(join(dir.path, "gone", "x.json"), broken);
      const r = await report("--format", "json", "--output", broken, "--force");
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `mcpscope report: cannot write ${broken}: it is a link to ${join(dir.path, "gone", "x.json")}, which does not exist\n`,
      );
      expect(await readlink(broken)).toBe(join(dir.path, "gone", "x.json"));
    },
  );

  it("refuses the suggested name in a folder before building, in one line", async () => {
    const folder = join(dir.path, "again");
    await mkdir(folder);
    const long = ["--data-dir", data, "--since", "30d", "--format", "json", "--output", folder];
    expect((await cliInProcess(["report", ...long])).status).toBe(0);
    const [name] = await readdir(folder);
    const again = await cliInProcess(["report", ...long]);
    expect(again.status).toBe(1);
    // No `report: reading …` progress first: nothing was built.
    expect(again.stderr).toBe(
      `mcpscope report: ${join(folder, name as string)} exists; pass --force to replace it, or name another file\n`,
    );
  });

  it("does not replace a file that appears while the report is written, without --force", async () => {
    const folder = join(dir.path, "race");
    await mkdir(folder);
    const path = join(folder, "r.json");
    const write = writeFileAtomic(path, Buffer.from("REPORT"), {
      mode: 0o600,
      replace: false,
      beforeRename: () => writeFile(path, "THEIRS"),
    });
    await expect(write).rejects.toMatchObject({ code: "EEXIST" });
    expect(await readFile(path, "utf8")).toBe("THEIRS");
    expect(await readdir(folder)).toEqual(["r.json"]);
  });
});
