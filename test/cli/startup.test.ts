/**
 * What each start of `mcpscope` loads. `--help` and `--version` load no engine, SQLite or schemas; `run`
 * loads none of them on the thread that relays the bytes (its observer thread loads SQLite and masking
 * beside it, but no schemas). Modules are recorded by a preload hook; the bundle's files name the sources
 * they hold (esbuild's `// path` lines), so a check reads which sources a start brought in.
 */
import { spawn } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";

const RECORD = join(ROOT, "test", "fixtures", "record-loads.mjs");
/** Sources no quick start may need: the schema library, SQLite, the engine's store and the masking rules. */
const HEAVY = [/node_modules\/zod\//, /node:sqlite/, /electron\/monitor\/store\//, /pipeline\/mask[.-]/];

let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir("mcpscope-startup-");
});
afterAll(() => tmp.cleanup());

interface Start {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Sources loaded per thread: builtins (`node:sqlite`) and the paths the loaded bundle files hold. */
  sources: { main: Set<string>; worker: Set<string> };
}

let runs = 0;
async function start(args: string[], input?: string): Promise<Start> {
  const loads = join(tmp.path, `loads-${++runs}.txt`);
  const child = spawn(process.execPath, ["--import", RECORD, MCPSCOPE, ...args], {
    env: { ...process.env, MCPSCOPE_TEST_LOADS: loads },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(input ?? "");
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const sources = { main: new Set<string>(), worker: new Set<string>() };
  for (const line of (await readFile(loads, "utf8")).split("\n")) {
    const [thread, url] = line.split(" ") as ["main" | "worker", string];
    if (!url) continue;
    if (!url.startsWith("file:")) {
      sources[thread].add(url);
      continue;
    }
    const text = await readFile(fileURLToPath(url), "utf8");
    for (const match of text.matchAll(/^\/\/ (\S+)$/gm)) sources[thread].add(match[1] ?? "");
  }
  return { status, stdout, stderr, sources };
}

const heavy = (sources: Set<string>) => [...sources].filter((s) => HEAVY.some((h) => h.test(s)));

describe("what a start of mcpscope loads", () => {
  it("--help and --version print without loading the engine, SQLite or the schemas", async () => {
    const help = await start(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: mcpscope <command>/m);
    expect(help.stdout).toMatch(/^ {2}stats +calls, errors and latency/m);
    expect(help.sources.main).toContain("electron/cli/command-summaries.ts");
    expect(heavy(help.sources.main)).toEqual([]);

    const version = await start(["--version"]);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(heavy(version.sources.main)).toEqual([]);
  });

  it("a command loads what it needs: `stats` opens the database", async () => {
    await mkdir(join(tmp.path, "stats"));
    const stats = await start(["stats", "--json", "--data-dir", join(tmp.path, "stats")]);
    expect(stats.stderr).toBe("");
    expect(JSON.parse(stats.stdout)).toMatchObject({ servers: [] });
    // The same check sees heavy sources where they are loaded.
    expect(heavy(stats.sources.main)).toEqual(
      expect.arrayContaining(["node:sqlite", expect.stringMatching(/^node_modules\/zod\//)]),
    );
    // It asks a read method: the queries load, not the other handler groups, nor HTTP or YAML through them.
    expect(stats.sources.main).toContain("electron/monitor/api/read-handlers.ts");
    const others = [
      /node:https?$/,
      // node:http taken as Node's module object, which the preload hook does not see as a load.
      /electron\/monitor\/node-http\.ts$/,
      /node_modules\/yaml\//,
      /api\/(store|config)-handlers\.ts$/,
      /discovery\//,
    ];
    expect([...stats.sources.main].filter((s) => others.some((o) => o.test(s)))).toEqual([]);
  });

  it("`run` relays on a thread that loads no schemas, SQLite or masking; its observer thread stores", async () => {
    const dataDir = join(tmp.path, "run");
    const line = '{"jsonrpc":"2.0","id":1,"method":"ping"}\n';
    // The server echoes its stdin: what the client sent comes back unchanged through the wrapper.
    const echo = "process.stdin.pipe(process.stdout)";
    const run = await start(
      ["run", "--name", "echo", "--data-dir", dataDir, "--", process.execPath, "-e", echo],
      line,
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(line);
    expect(run.stderr).toBe("");
    expect(run.sources.main).toContain("electron/monitor/proxy/run-wrapper.ts");
    expect(heavy(run.sources.main)).toEqual([]);
    expect(run.sources.worker).toContain("node:sqlite");
    // The observer thread (started once the server has answered) checks its settings without the schema
    // library.
    expect(heavy(run.sources.worker).filter((s) => s.startsWith("node_modules/zod/"))).toEqual([]);
  });
});
