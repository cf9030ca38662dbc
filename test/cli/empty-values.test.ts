/**
 * A script with an unset variable (`--data-dir "$DIR"`, `--name "$NAME"`, `XDG_DATA_HOME=`) must not
 * write into the user's real data or store a nameless server: empty flag values are usage errors in
 * every command, and empty or relative environment variables fall back to the default data dir. Each
 * command runs with a fake home and working folder, so a regression writes there, never into real data:
 * `run` (an entry of its own), the `=` form and the default data dir's cases as processes, the other
 * commands in this process (the same main(), less a process start each), its HOME and folder swapped.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMAND_SUMMARIES } from "../../electron/cli/command-summaries.js";
import { defaultDataDir } from "../../electron/monitor/paths.js";
import { cliInHome } from "../helpers/cli-in-process.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let cwd: string;

beforeAll(async () => {
  tmp = await tempDir("mcpscope-empty-values-");
  home = join(tmp.path, "home");
  cwd = join(tmp.path, "cwd");
  await mkdir(home);
  await mkdir(cwd);
});
afterAll(() => tmp.cleanup());

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI in a fake home, with only the environment given (no MCPSCOPE_HOME or XDG_* of ours). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MCPSCOPE, ...args],
      // A command that took the empty value would run on (serve, proxy): stop it, and fail below.
      { cwd, timeout: 15_000, env: { PATH: process.env.PATH ?? "", HOME: home, ...env } },
      (error, stdout, stderr) => {
        const status = error ? ((error as { code?: number }).code ?? null) : 0;
        resolve({ status: typeof status === "number" ? status : null, stdout, stderr });
      },
    );
  });
}

/**
 * `mcpscope <args>` in this process, as `cli` runs it: HOME the fake home, no XDG_* or MCPSCOPE_*, the
 * fake working folder. A command that took the empty value and ran on (serve, proxy) fails after 40 s: the
 * first command run here also imports the CLI's code, which on a loaded machine has taken over 15 s.
 */
const cliHere = (args: string[]): Promise<Run> => cliInHome(args, { home, cwd, giveUpMs: 40_000 });

describe("an empty --data-dir", () => {
  it("is a usage error in every command, in one line, and nothing is written", async () => {
    const runs: (readonly [string, Run])[] = [];
    // `run` has an entry of its own (dist/run.mjs): as a process, meanwhile the others one after another.
    const wrapper = cli(["run", "--data-dir", ""]);
    for (const command of Object.keys(COMMAND_SUMMARIES).filter((c) => c !== "run"))
      runs.push([command, await cliHere([command, "--data-dir", ""])]);
    runs.push(["run", await wrapper]);
    for (const [command, run] of runs) {
      expect({ command, ...run }).toEqual({
        command,
        status: 2,
        stdout: "",
        stderr: `mcpscope ${command}: --data-dir is empty (an unset variable?); give DIR\n`,
      });
    }
    // Only the launcher's compile cache; no data dir.
    expect((await readdir(home)).filter((name) => name !== ".cache")).toEqual([]);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("is refused in its = form too", async () => {
    const run = await cli(["db", "info", "--data-dir="]);
    expect(run.stderr).toBe("mcpscope db: --data-dir is empty (an unset variable?); give DIR\n");
    expect(run.status).toBe(2);
  });
});

describe("an empty server name", () => {
  it.each([
    ["run", ["run", "--name", "", "--data-dir", "DATA", "--", "true"]],
    ["proxy", ["proxy", "--upstream", "http://127.0.0.1:9/mcp", "--name", "", "--data-dir", "DATA"]],
    ["instrument", ["instrument", "--client", "claude-desktop", "--server", "", "--home", "HOME"]],
    ["uninstrument", ["uninstrument", "--client", "claude-desktop", "--server", "", "--home", "HOME"]],
  ])("%s: usage error, exit 2, one line, nothing stored", async (command, args) => {
    const data = join(tmp.path, `data-${command}`);
    // `run` as a process (its own entry), the others in this process.
    const run = await (command === "run" ? cli : cliHere)(
      args.map((a) => (a === "DATA" ? data : a === "HOME" ? home : a)),
    );
    const flag = command === "run" || command === "proxy" ? "--name" : "--server";
    expect(run).toEqual({
      status: 2,
      stdout: "",
      stderr: `mcpscope ${command}: ${flag} is empty (an unset variable?); give NAME\n`,
    });
    await expect(readdir(data)).rejects.toThrow(/ENOENT/);
  });

  it("run: a command that gives no server name asks for --name", async () => {
    const data = join(tmp.path, "data-run-slash");
    const run = await cli(["run", "--data-dir", data, "--", "/"]);
    expect(run).toEqual({
      status: 2,
      stdout: "",
      stderr: 'mcpscope run: cannot name the server after "/"; pass --name NAME\n',
    });
    await expect(readdir(data)).rejects.toThrow(/ENOENT/);
  });
});

describe("the default data dir", () => {
  const fallback = () => join(home, ".local", "share", "mcpscope");

  it("ignores an empty or relative XDG_DATA_HOME and an empty MCPSCOPE_HOME", () => {
    for (const env of [{ XDG_DATA_HOME: "" }, { XDG_DATA_HOME: "rel/data" }, { MCPSCOPE_HOME: "" }]) {
      expect(defaultDataDir(env, "linux")).toBe(join(process.env.HOME ?? "", ".local", "share", "mcpscope"));
    }
    expect(defaultDataDir({ XDG_DATA_HOME: "/srv/data" }, "linux")).toBe("/srv/data/mcpscope");
    expect(defaultDataDir({ MCPSCOPE_HOME: "/srv/scope", XDG_DATA_HOME: "/srv/data" }, "linux")).toBe(
      "/srv/scope",
    );
  });

  it("is where `db info` looks when XDG_DATA_HOME is empty, not under the current folder", async () => {
    const run = await cli(["db", "info", "--json"], { XDG_DATA_HOME: "", MCPSCOPE_HOME: "" });
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { database: string }).database).toBe(join(fallback(), "mcpscope.db"));
    expect(await readdir(cwd)).toEqual([]);
  });
});
