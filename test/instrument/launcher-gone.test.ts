/**
 * The mcpscope a wrapped entry runs goes away (an npx cache cleaned, a copy or checkout deleted): as a
 * user meets it. Instrument from a copy of this install, delete the copy, start the entry as the client
 * would and see it fail; `instrumented` and `discover` say so; `instrument --repair` re-points it at this
 * install and the client starts it again; `uninstrument` needs nothing of the old install. One that runs
 * a copy still there is named as another install, and --repair re-points it too. And an instrument run
 * from the npx cache writes a copy in the data dir, not the cache's path.
 */
import { execFile, spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultDiscoveryContext } from "../../electron/monitor/discovery/context.js";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import type { EntryFields } from "../../electron/monitor/instrument/entry-shape.js";
import { instrument } from "../../electron/monitor/instrument/instrument.js";
import { launcherOtherMessage } from "../../electron/monitor/instrument/instrument-status.js";
import { otherInstall, thisInstall } from "../../electron/monitor/instrument/other-install.js";
import { SCHEMA_VERSION } from "../../electron/monitor/store/migrations.js";
import { VERSION } from "../../electron/monitor/version.js";
import type { DiscoveryResult } from "../../shared/discovery.js";
import type { RepairResult } from "../../shared/servers.js";
import { cliInProcess, cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { copyInstall } from "../helpers/install-copy.js";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";

const LINE = '{"jsonrpc":"2.0","id":1,"method":"ping"}\n';
const ECHO = JSON.stringify(["-e", "process.stdin.pipe(process.stdout)"]);
const ORIGINAL = `{
  // two servers, both to be wrapped
  "mcpServers": {
    "echo": { "command": ${JSON.stringify(process.execPath)}, "args": ${ECHO}, "env": { "KEEP": "1" } },
    "spare": { "command": ${JSON.stringify(process.execPath)}, "args": ${ECHO} }
  }
}
`;

let tmp: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let data: string;
let config: string;

beforeAll(async () => {
  tmp = await tempDir("mcpscope-launcher-gone-");
  home = join(tmp.path, "home");
  data = join(tmp.path, "data");
  config = join(home, ".config", "Claude", "claude_desktop_config.json");
  await mkdir(join(home, ".config", "Claude"), { recursive: true });
  await mkdir(join(tmp.path, "tmp"));
});
afterAll(() => tmp.cleanup());

/** `mcpscope instrument` run from the copy, in a process of its own (its temp folder elsewhere). */
async function instrumentFrom(script: string, server: string): Promise<string> {
  const args = ["instrument", "--client", "claude-desktop", "--server", server];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [script, ...args, "--home", home, "--data-dir", data],
    { env: { ...process.env, TMPDIR: join(tmp.path, "tmp") } },
  );
  return stdout;
}

async function entry(name: string): Promise<EntryFields> {
  const text = (await readFile(config, "utf8")).replace(/^\s*\/\/.*$/m, "");
  const e = JSON.parse(text).mcpServers[name];
  return { command: e.command, args: e.args, env: e.env ?? {} };
}

/** Starts the entry as its client would (its command, args and env), sends one line, reads what comes back. */
function startAsClient(e: EntryFields): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(e.command, e.args, { env: { ...process.env, ...e.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.endsWith("\n")) child.stdin.end();
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdin.on("error", () => {}); // the program may be gone before it reads
    child.on("error", (error) => resolve({ code: null, stdout, stderr: error.message }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.write(LINE);
  });
}

const dataFlags = () => ["--data-dir", data];

describe("the mcpscope a wrapped entry runs is gone", () => {
  it("is said by instrumented and discover, repaired by instrument --repair, and undone without it", async () => {
    await writeFile(config, ORIGINAL);
    // A folder with a space: the repair's lines quote it, as instrument's own do.
    const copy = await copyInstall(join(tmp.path, "old install"));
    await instrumentFrom(copy, "echo");
    await instrumentFrom(copy, "spare");
    expect((await entry("echo")).args[0]).toBe(copy);
    expect((await startAsClient(await entry("echo"))).stdout).toBe(LINE);

    await rm(join(tmp.path, "old install"), { recursive: true });
    const broken = await startAsClient(await entry("echo"));
    expect(broken.code).not.toBe(0);
    expect(broken.stdout).toBe("");

    const listed = await cliJsonInProcess<{
      entries: Array<{ server: string; launcher_gone: string | null }>;
    }>(["instrumented", ...dataFlags()]);
    expect(listed.entries.map((e) => [e.server, e.launcher_gone])).toEqual([
      ["echo", copy],
      ["spare", copy],
    ]);
    const table = await cliOkInProcess(["instrumented", ...dataFlags()]);
    expect(table.stdout).toContain("broken (mcpscope gone)");
    expect(table.stdout).toContain(
      `echo (claude-desktop) in ${config}: its client cannot start it: the mcpscope it runs (${copy}) is gone — \`mcpscope instrument --repair --data-dir ${data}\` points it at this one`,
    );
    const found = await cliJsonInProcess<DiscoveryResult>(["discover", "--home", home, ...dataFlags()]);
    expect(found.servers.find((s) => s.name === "echo")?.launcherGone).toBe(copy);
    expect(found.warnings.filter((w) => w.kind === "launcher-gone")).toHaveLength(2);

    // Undone with nothing of the old install: the original entry back, byte for byte.
    await cliOkInProcess(["uninstrument", "--client", "claude-desktop", "--server", "spare", ...dataFlags()]);
    const before = await entry("echo");
    const repaired = await cliJsonInProcess<RepairResult>(["instrument", "--repair", ...dataFlags()]);
    expect(repaired.entries).toEqual([
      expect.objectContaining({ server: "echo", status: "repaired", gone: copy, error: null }),
    ]);
    expect(repaired.entries[0]?.now).toBe(`${process.execPath} ${MCPSCOPE}`);
    expect(repaired.entries[0]?.was).toBe(`${process.execPath} '${copy}'`);
    const after = await entry("echo");
    // Only the launcher changed: the wrapped command and its env are as they were.
    expect(after).toEqual({ ...before, args: [MCPSCOPE, ...before.args.slice(1)] });
    expect(await startAsClient(after)).toMatchObject({ code: 0, stdout: LINE });
    const again = await cliJsonInProcess<RepairResult>(["instrument", "--repair", ...dataFlags()]);
    expect(again.entries.map((e) => e.status)).toEqual(["unchanged"]);

    await cliOkInProcess(["uninstrument", "--client", "claude-desktop", "--server", "echo", ...dataFlags()]);
    expect(await readFile(config, "utf8")).toBe(ORIGINAL);
    // The backups are listed by what each change was: the repair's is not taken for an instrument.
    const manifest = JSON.parse(await readFile(join(data, "backups", "manifest.json"), "utf8")) as {
      backups: Array<{ file: string; action: string }>;
    };
    const actions = manifest.backups.filter((b) => b.file === config).map((b) => b.action);
    expect(actions.slice(-3)).toEqual(["uninstrument", "repair", "uninstrument"]);
  });

  it("instrument on the broken entry repairs it, and says what was gone", async () => {
    await writeFile(config, ORIGINAL);
    const copy = await copyInstall(join(tmp.path, "install-2"));
    await instrumentFrom(copy, "echo");
    await rm(join(tmp.path, "install-2"), { recursive: true });
    const flags = ["--client", "claude-desktop", "--server", "echo", "--home", home, ...dataFlags()];
    const run = await cliOkInProcess(["instrument", ...flags]);
    expect(run.stdout).toContain(
      `repaired echo (claude-desktop) in ${config}: the mcpscope it ran (${copy}) is gone; it now runs this one`,
    );
    expect((await startAsClient(await entry("echo"))).stdout).toBe(LINE);
    await cliOkInProcess(["uninstrument", "--client", "claude-desktop", "--server", "echo", ...dataFlags()]);
    expect(await readFile(config, "utf8")).toBe(ORIGINAL);
  });

  it("--repair goes on past an entry it cannot repair, names it, and exits 1", async () => {
    await writeFile(config, ORIGINAL);
    const cursor = join(home, ".cursor", "mcp.json");
    await mkdir(join(home, ".cursor"), { recursive: true });
    await writeFile(cursor, `{ "mcpServers": { "files": { "command": "node", "args": ["files.js"] } } }\n`);
    const gone = { command: process.execPath, args: [join(tmp.path, "never-there", "mcpscope.js")], env: {} };
    const { servers } = await discoverServers(await defaultDiscoveryContext({ home }), {});
    for (const name of ["echo", "files"])
      await instrument(servers.find((s) => s.definition.name === name)!, { dataDir: data, launcher: gone });
    await rm(cursor);
    const result = await cliInProcess(["instrument", "--repair", ...dataFlags()]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`mcpscope instrument: files (cursor): ${cursor} does not exist any more\n`);
    expect(result.stdout).toContain(`repaired echo (claude-desktop) in ${config}`);
    expect((await entry("echo")).args[0]).toBe(MCPSCOPE);
    await cliOkInProcess(["uninstrument", "--client", "claude-desktop", "--server", "echo", ...dataFlags()]);
    await cliOkInProcess(["uninstrument", "--all", "--force", ...dataFlags()]);
    expect(await readFile(config, "utf8")).toBe(ORIGINAL);
  });

  it("instrument on a broken entry wrapped by hand leaves it, says so, and exits 1", async () => {
    const lost = join(tmp.path, "gone", "bin", "mcpscope.js");
    const byHand = `{ "mcpServers": { "hand": { "command": ${JSON.stringify(process.execPath)}, "args": ${JSON.stringify([lost, "run", "--", "node", "s.js"])} } } }\n`;
    await writeFile(config, byHand);
    const flags = ["--client", "claude-desktop", "--server", "hand", "--home", home, ...dataFlags()];
    const result = await cliInProcess(["instrument", ...flags]);
    expect(result).toEqual({
      status: 1,
      stdout:
        "hand (claude-desktop) is already launched through mcpscope run (wrapped by hand); nothing changed\n",
      stderr: `mcpscope instrument: claude-desktop cannot start it: the mcpscope it runs (${lost}) is gone — put a path that exists in its command by hand\n`,
    });
    expect(await readFile(config, "utf8")).toBe(byHand);
  });

  it("--repair with flags that match nothing changes nothing, and says so", async () => {
    const result = await cliInProcess(["instrument", "--repair", "--server", "nope", ...dataFlags()]);
    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(result.stdout).toMatch(/^nothing instrumented matches; no config was changed/);
  });
});

describe("a wrapped entry that runs another mcpscope install, still there", () => {
  it("is named by instrumented, discover and instrument, and --repair points it at this one", async () => {
    await writeFile(config, ORIGINAL);
    const copy = await copyInstall(join(tmp.path, "install-other"));
    const { version } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    await instrumentFrom(copy, "echo");
    const other = { path: copy, version, older: false };

    const listed = await cliJsonInProcess<{
      entries: Array<{ server: string; launcher_gone: string | null; launcher_other: unknown }>;
    }>(["instrumented", ...dataFlags()]);
    expect(listed.entries).toEqual([
      expect.objectContaining({ server: "echo", launcher_gone: null, launcher_other: other }),
    ]);
    const notice = `echo (claude-desktop) in ${config} runs another mcpscope (${version}): ${copy}; its calls are recorded here only while that one can use this data dir — \`mcpscope instrument --repair --data-dir ${data}`;
    const table = await cliOkInProcess(["instrumented", ...dataFlags()]);
    expect(table.stdout).toContain(`yes (another mcpscope (${version}): ${copy})`);
    // The command repairs that entry alone (another install may be chosen for the others).
    expect(table.stdout).toContain(`${notice} --client claude-desktop --server echo\` points it at this one`);
    const found = await cliJsonInProcess<DiscoveryResult>(["discover", "--home", home, ...dataFlags()]);
    expect(found.servers.find((s) => s.name === "echo")?.launcherOther).toEqual(other);
    expect(found.warnings.filter((w) => w.kind === "launcher-other")).toHaveLength(1);

    // Instrument leaves it (that install may be newer, or chosen), and says how to re-point it.
    const flags = ["--client", "claude-desktop", "--server", "echo", "--home", home, ...dataFlags()];
    const again = await cliOkInProcess(["instrument", ...flags]);
    expect(again.stdout).toBe(
      `echo (claude-desktop) is already launched through mcpscope run; nothing changed\n${notice} --client claude-desktop --server echo\` points it at this one\n`,
    );
    expect((await entry("echo")).args[0]).toBe(copy);

    const repaired = await cliJsonInProcess<RepairResult>(["instrument", "--repair", ...dataFlags()]);
    expect(repaired.entries).toEqual([
      expect.objectContaining({ server: "echo", status: "repaired", gone: null, error: null }),
    ]);
    expect((await entry("echo")).args[0]).toBe(MCPSCOPE);
    const after = await cliJsonInProcess<{ entries: Array<{ launcher_other: unknown }> }>([
      "instrumented",
      ...dataFlags(),
    ]);
    expect(after.entries.map((e) => e.launcher_other)).toEqual([null]);
    const rediscovered = await cliJsonInProcess<DiscoveryResult>([
      "discover",
      "--home",
      home,
      ...dataFlags(),
    ]);
    expect(rediscovered.warnings.filter((w) => w.kind === "launcher-other")).toEqual([]);
    await cliOkInProcess(["uninstrument", "--client", "claude-desktop", "--server", "echo", ...dataFlags()]);
    expect(await readFile(config, "utf8")).toBe(ORIGINAL);
  });
  it("is said not to record when it was built before builds said their schema, at this very version", async () => {
    await writeFile(config, ORIGINAL);
    // What every install of this version from before the marker is: its bundles, no dist/install.json.
    const copy = await copyInstall(join(tmp.path, "install-unmarked"));
    await rm(join(tmp.path, "install-unmarked", "dist", "install.json"));
    // Of the version this mcpscope is (the sources run as 0.0.0-dev).
    const pkg = join(tmp.path, "install-unmarked", "package.json");
    await writeFile(pkg, JSON.stringify({ ...JSON.parse(await readFile(pkg, "utf8")), version: VERSION }));
    const version = VERSION;
    const { servers } = await discoverServers(await defaultDiscoveryContext({ home }), {});
    const echo = servers.find((s) => s.definition.name === "echo")!;
    await instrument(echo, { dataDir: data, launcher: { command: process.execPath, args: [copy], env: {} } });

    const listed = await cliJsonInProcess<{ entries: Array<{ launcher_other: unknown }> }>([
      "instrumented",
      ...dataFlags(),
    ]);
    expect(listed.entries.map((e) => e.launcher_other)).toEqual([{ path: copy, version, older: true }]);
    const table = await cliOkInProcess(["instrumented", ...dataFlags()]);
    expect(table.stdout).toContain("not recording (older mcpscope)");
    expect(table.stdout).toContain(
      `echo (claude-desktop) in ${config} runs an older mcpscope (${version}: ${copy}), which cannot record into a data dir this one has upgraded`,
    );
    const found = await cliOkInProcess(["discover", "--home", home, ...dataFlags()]);
    expect(found.stdout).toMatch(/^echo .*not recording \(older mcpscope\)$/m);
    await cliOkInProcess(["uninstrument", "--client", "claude-desktop", "--server", "echo", ...dataFlags()]);
    expect(await readFile(config, "utf8")).toBe(ORIGINAL);
  });
});

describe("an older app version's copy of the CLI in the data dir", () => {
  it("is said not to record here; this version's own copy is this install", async () => {
    // A data dir of its own: the npx test below reads the one copy in `data`'s runtime folder.
    const dir = join(tmp.path, "data-runtime");
    const copyOf = async (folder: string) => {
      await mkdir(join(dir, "runtime", folder, "bin"), { recursive: true });
      await mkdir(join(dir, "runtime", folder, "dist"), { recursive: true });
      await writeFile(join(dir, "runtime", folder, "bin", "mcpscope.js"), "");
      await writeFile(join(dir, "runtime", folder, "dist", "cli.mjs"), "");
      return join(dir, "runtime", folder, "bin", "mcpscope.js");
    };
    const marked = (folder: string, schemaVersion: number) =>
      writeFile(
        join(dir, "runtime", folder, "dist", "install.json"),
        JSON.stringify({ version: "0.1.0", schemaVersion }),
      );
    const wrap = (script: string) => [script, "run", "--name", "echo", "--", "node", "echo.js"];
    const mine = thisInstall("0.1.0", dir);
    const copy = await copyOf("0.0.9");
    const other = otherInstall(process.execPath, wrap(copy), mine, "0.1.0");
    expect(other).toEqual({ path: copy, version: "0.0.9", older: true });
    expect(launcherOtherMessage("echo (cursor)", other!)).toBe(
      `echo (cursor) runs an older mcpscope (0.0.9: ${copy}), which cannot record into a data dir this one has upgraded — \`mcpscope instrument --repair\` points it at this one`,
    );
    // Named by its version alone, it was made before copies were named by their files: older code.
    expect(otherInstall(process.execPath, wrap(copy), thisInstall("0.0.9", dir), "0.0.9")).toEqual({
      path: copy,
      version: "0.0.9",
      older: true,
    });
    // A copy of this version, named by its files' digest, is this install when its build says it writes
    // this schema; without that marker it was made before builds wrote one (older code, which refuses
    // the upgraded database), and a marker naming an older schema is a rebuild from older code.
    const same = await copyOf("0.1.0-0123456789abcdef");
    expect(otherInstall(process.execPath, wrap(same), mine, "0.1.0")).toEqual({
      path: same,
      version: "0.1.0",
      older: true,
    });
    await marked("0.1.0-0123456789abcdef", SCHEMA_VERSION);
    expect(otherInstall(process.execPath, wrap(same), mine, "0.1.0")).toBeNull();
    await marked("0.1.0-0123456789abcdef", SCHEMA_VERSION - 1);
    expect(otherInstall(process.execPath, wrap(same), mine, "0.1.0")).toEqual({
      path: same,
      version: "0.1.0",
      older: true,
    });
  });

  it("this install's script run by another Node is this install", () => {
    const wrapped = [MCPSCOPE, "run", "--name", "echo", "--", "node", "echo.js"];
    const byAnotherNode = thisInstall("0.1.0", data, { command: "/bin/sh", args: [MCPSCOPE], env: {} });
    expect(otherInstall(process.execPath, wrapped, byAnotherNode, "0.1.0")).toBeNull();
  });

  it("a launcher shim that runs this install, or the app's program before its script, is not another", async () => {
    const bin = join(tmp.path, "shims");
    await mkdir(bin, { recursive: true });
    const shim = join(bin, "mcpscope");
    // What npm writes for a global install: a shell script, and on Windows a `.cmd` beside it.
    await writeFile(shim, `#!/bin/sh\nexec node ${JSON.stringify(MCPSCOPE)} "$@"\n`, { mode: 0o755 });
    await writeFile(`${shim}.cmd`, `@node "${MCPSCOPE}" %*\r\n`, { mode: 0o755 });
    const mine = thisInstall("0.1.0", data);
    const run = ["run", "--name", "echo", "--", "node", "echo.js"];
    // A shim tells which install it runs no better than a bare `mcpscope`: no notice either way.
    expect(otherInstall(shim, run, mine, "0.1.0")).toBeNull();
    expect(otherInstall(`${shim}.cmd`, run, mine, "0.1.0")).toBeNull();
    // The desktop app's launcher: its program (named mcpscope) runs this install's script.
    const app = join(bin, "app", "mcpscope");
    await mkdir(join(bin, "app"));
    await writeFile(app, "", { mode: 0o755 });
    const byApp = thisInstall("0.1.0", data, { command: app, args: [MCPSCOPE], env: {} });
    expect(otherInstall(app, [MCPSCOPE, ...run], byApp, "0.1.0")).toBeNull();
  });

  it("an install whose build says it writes an older schema is older, whatever its version", async () => {
    const script = await copyInstall(join(tmp.path, "install-schema"));
    const marker = JSON.parse(await readFile(join(ROOT, "dist", "install.json"), "utf8"));
    // The build says which schema its wrappers write: this one's.
    expect(marker.schemaVersion).toBe(SCHEMA_VERSION);
    const wrapped = [script, "run", "--name", "echo", "--", "node", "echo.js"];
    const mine = thisInstall("0.1.0", data);
    expect(otherInstall(process.execPath, wrapped, mine, "0.1.0")?.older).toBe(false);
    await writeFile(
      join(tmp.path, "install-schema", "dist", "install.json"),
      JSON.stringify({ version: "9.9.9", schemaVersion: SCHEMA_VERSION - 1 }),
    );
    expect(otherInstall(process.execPath, wrapped, mine, "0.1.0")).toEqual({
      path: script,
      version: "9.9.9",
      older: true,
    });
  });
});

describe("instrument run from the npx cache", () => {
  it("points the entry at a copy in the data dir, which outlives the cache", async () => {
    await writeFile(config, ORIGINAL);
    const cache = join(tmp.path, "npm", "_npx", "1a2b3c", "node_modules", "mcpscope");
    const script = await copyInstall(cache);
    const stdout = await instrumentFrom(script, "echo");
    // The copy is named by the version the copied install was built as and a digest of its files.
    const { version } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    const copies = await readdir(join(data, "runtime"));
    expect(copies).toEqual([
      expect.stringMatching(new RegExp(`^${version.replace(/\./g, "\\.")}-[0-9a-f]{16}$`)),
    ]);
    const kept = join(data, "runtime", copies[0] ?? "", "bin", "mcpscope.js");
    expect(stdout).toContain(
      `note: this mcpscope runs from the npx cache (${script}), which does not last: the entry runs a copy kept at ${kept}`,
    );
    expect((await entry("echo")).args[0]).toBe(kept);
    await rm(join(tmp.path, "npm"), { recursive: true }); // `npm cache clean`
    expect((await startAsClient(await entry("echo"))).stdout).toBe(LINE);
    await cliOkInProcess(["uninstrument", "--client", "claude-desktop", "--server", "echo", ...dataFlags()]);
    expect(await readFile(config, "utf8")).toBe(ORIGINAL);
  });
});
