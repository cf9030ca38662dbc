/**
 * Copies of the CLI in the data dir's runtime folder stay bounded: after `instrument` or `--repair`, a copy
 * that no entry of any client runs, that no running wrapper runs from, and that nothing used for a day is
 * removed (said in the command's output, an event and `db info`); this install's own copy, copies entries
 * run, and every copy while a config cannot be read, are kept.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { mkdir, readdir, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackedEvent } from "../../electron/monitor/events/tracker.js";
import { cliInstallRoot } from "../../electron/monitor/instrument/launcher.js";
import { pruneRuntimeCopies } from "../../electron/monitor/instrument/runtime-prune.js";
import { stableCliName } from "../../electron/monitor/instrument/stable-cli.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { processStartTicks } from "../../electron/monitor/process-start.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { runtimePruneText } from "../../electron/monitor/store/storage-events.js";
import { StorageService } from "../../electron/monitor/store/storage-service.js";
import { VERSION } from "../../electron/monitor/version.js";
import type { StorageInfo } from "../../shared/storage.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { copyInstall } from "../helpers/install-copy.js";
import { tempDir } from "../helpers/mcp.js";

const DAY = 86_400_000;
const ECHO = ["-e", "process.stdin.pipe(process.stdout)"];

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir("mcpscope-runtime-prune-");
});
afterAll(() => tmp.cleanup());

/** A home with Claude Desktop's config (one plain entry, `fresh`) and a data dir, both new. */
async function setup(name: string): Promise<{ home: string; data: string; runtime: string }> {
  const home = join(tmp.path, name, "home");
  const data = join(tmp.path, name, "data");
  await mkdir(join(home, ".config", "Claude"), { recursive: true });
  await writeFile(
    join(home, ".config", "Claude", "claude_desktop_config.json"),
    JSON.stringify({ mcpServers: { fresh: { command: process.execPath, args: ECHO } } }),
  );
  return { home, data, runtime: join(data, "runtime") };
}

/** A copy in the runtime folder, last used `age` ago; returns its bin script. */
async function copy(runtime: string, name: string, age: number): Promise<string> {
  const root = join(runtime, name);
  await mkdir(join(root, "bin"), { recursive: true });
  await writeFile(join(root, "bin", "mcpscope.js"), "// a copy\n");
  const then = new Date(Date.now() - age);
  await utimes(root, then, then);
  return join(root, "bin", "mcpscope.js");
}

/** A config entry wrapped through `script` (as `instrument` writes it from a copy). */
function wrappedThrough(script: string, name: string) {
  return {
    command: process.execPath,
    args: [script, "run", "--name", name, "--", process.execPath, ...ECHO],
  };
}

const instrumentFresh = (home: string, data: string) =>
  cliOkInProcess([
    "instrument",
    "--client",
    "claude-desktop",
    "--server",
    "fresh",
    "--home",
    home,
    "--data-dir",
    data,
  ]);

describe("old copies of the CLI in the runtime folder", () => {
  it("go once nothing runs them, and the event, the output and db info say so", async () => {
    const { home, data, runtime } = await setup("unused");
    const own = stableCliName(cliInstallRoot(), VERSION);
    expect(own).not.toBeNull();
    await copy(runtime, own!, 3 * DAY);
    await copy(runtime, "0.0.1-1111111111111111", 3 * DAY);
    await copy(runtime, "0.0.2", 3 * DAY); // named by a build from before the digest
    const cursorRuns = await copy(runtime, "0.0.3-3333333333333333", 3 * DAY);
    await copy(runtime, "0.0.4-4444444444444444", DAY / 2); // used within the day
    // A copy a process that ended left half made.
    const { pid } = spawnSync(process.execPath, ["-e", ""]);
    await mkdir(join(runtime, `0.0.5-5555555555555555.tmp-${pid}`, "dist"), { recursive: true });
    await mkdir(join(home, ".cursor"));
    await writeFile(
      join(home, ".cursor", "mcp.json"),
      JSON.stringify({ mcpServers: { other: wrappedThrough(cursorRuns, "other") } }),
    );

    // A config that is a link to nothing holds no entries: no doubt.
    await mkdir(join(home, ".config", "Code", "User"), { recursive: true });
    await symlink(join(home, "nowhere.json"), join(home, ".config", "Code", "User", "mcp.json"));

    const { stdout } = await instrumentFresh(home, data);
    expect(stdout).toContain(
      `removed 3 old copies of the mcpscope CLI (20 B) from ${runtime}: 0.0.5-5555555555555555.tmp-${pid}, 0.0.1-1111111111111111, 0.0.2\n`,
    );
    expect((await readdir(runtime)).sort()).toEqual(
      [own!, "0.0.3-3333333333333333", "0.0.4-4444444444444444"].sort(),
    );
    // The copy Cursor's entry runs counts as used now: kept a day from now, even once the entry goes.
    expect((await stat(join(runtime, "0.0.3-3333333333333333"))).mtimeMs).toBeGreaterThan(Date.now() - DAY);

    const { events } = await cliJsonInProcess<{ events: Array<{ message: string }> }>([
      "events",
      "--type",
      "storage.runtime_pruned",
      "--data-dir",
      data,
    ]);
    expect(events.map((e) => e.message)).toEqual([expect.stringContaining("removed 3 old copies")]);
    const info = await cliJsonInProcess<StorageInfo>(["db", "info", "--data-dir", data]);
    expect(info.runtime).toMatchObject({ dir: runtime, copies: 3 });
    const { stdout: text } = await cliOkInProcess(["db", "info", "--data-dir", data]);
    expect(text).toContain(`copies of the CLI: 3 in ${runtime} (`);
  });

  it("are all kept while a client's config cannot be read, and the output says why", async () => {
    const { home, data, runtime } = await setup("unreadable");
    await copy(runtime, "0.0.1-1111111111111111", 3 * DAY);
    await mkdir(join(home, ".cursor"));
    // Half saved: its entries may run that copy.
    await writeFile(join(home, ".cursor", "mcp.json"), '{ "mcpServers": { "other": { "command": ');

    const { stdout } = await instrumentFresh(home, data);
    expect(stdout).toContain(
      `kept the old copies of the mcpscope CLI in ${runtime}: ${join(home, ".cursor", "mcp.json")} cannot be read, so what its entries run is not known\n`,
    );
    expect(await readdir(runtime)).toEqual(["0.0.1-1111111111111111"]);
  });

  it("keep the copy a running wrapper runs from, and let it go once the wrapper ended", async () => {
    const { home, data, runtime } = await setup("live");
    // A real copy of this CLI, whose wrapper records into the data dir.
    const root = join(runtime, "0.0.6-6666666666666666");
    await copyInstall(root);
    const wrapper = spawn(
      process.execPath,
      [
        join(root, "bin", "mcpscope.js"),
        "run",
        "--name",
        "live",
        "--data-dir",
        data,
        "--",
        process.execPath,
        ...ECHO,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const exited = new Promise((resolve) => wrapper.on("exit", resolve));
    // Recording once its presence file is there.
    const line = '{"jsonrpc":"2.0","id":1,"method":"ping"}\n';
    const echoed = new Promise((resolve) => wrapper.stdout.once("data", resolve));
    wrapper.stdin.write(line);
    await echoed;
    while ((await readdir(join(data, "wrappers")).catch(() => [])).length === 0)
      await new Promise((resolve) => setImmediate(resolve));
    const old = new Date(Date.now() - 3 * DAY);
    await utimes(root, old, old);

    const during = await instrumentFresh(home, data);
    expect(during.stdout).not.toContain("removed");
    expect(await readdir(runtime)).toEqual(["0.0.6-6666666666666666"]);

    wrapper.stdin.end();
    await exited;
    await utimes(root, old, old);
    const { stdout } = await cliOkInProcess(["instrument", "--repair", "--home", home, "--data-dir", data]);
    expect(stdout).toContain(`removed 1 old copy of the mcpscope CLI (`);
    expect(await readdir(runtime)).toEqual([]);
  });

  it("are kept a day after --repair or uninstrument moved an entry off them: its client may still run the old line", async () => {
    const { home, data, runtime } = await setup("moved-off");
    await writeFile(
      join(home, ".config", "Claude", "claude_desktop_config.json"),
      JSON.stringify({
        mcpServers: {
          fresh: { command: process.execPath, args: ECHO },
          second: { command: process.execPath, args: ECHO },
        },
      }),
    );
    // Each instrumented by a copy that runs from the runtime folder (what an AppImage's entries run).
    const roots = [join(runtime, "0.0.7-7777777777777777"), join(runtime, "0.0.8-8888888888888888")];
    const scripts: string[] = [];
    for (const [i, server] of ["fresh", "second"].entries()) {
      scripts.push(await copyInstall(roots[i]!));
      await promisify(execFile)(process.execPath, [
        scripts[i]!,
        ...[
          "instrument",
          "--client",
          "claude-desktop",
          "--server",
          server,
          "--home",
          home,
          "--data-dir",
          data,
        ],
      ]);
    }
    const old = new Date(Date.now() - 3 * DAY);
    for (const root of roots) await utimes(root, old, old);
    const both = ["0.0.7-7777777777777777", "0.0.8-8888888888888888"];

    const repaired = await cliOkInProcess([
      ...["instrument", "--repair", "--server", "fresh", "--home", home, "--data-dir", data],
    ]);
    expect(repaired.stdout).toContain(`  was: ${process.execPath} ${scripts[0]}\n`);
    expect(repaired.stdout).not.toContain("removed");
    expect((await readdir(runtime)).sort()).toEqual(both);

    await utimes(roots[1]!, old, old);
    await cliOkInProcess([
      ...[
        "uninstrument",
        "--client",
        "claude-desktop",
        "--server",
        "second",
        "--home",
        home,
        "--data-dir",
        data,
      ],
    ]);
    const after = await cliOkInProcess(["instrument", "--repair", "--home", home, "--data-dir", data]);
    expect(after.stdout).not.toContain("removed");
    expect((await readdir(runtime)).sort()).toEqual(both);

    // The engine's storage pass a day and more later, on its own clock.
    const db = openDb(databasePath(data));
    const events: TrackedEvent[] = [];
    const storage = new StorageService(data, db, {
      track: (event) => events.push(event),
      pruneRuntime: (now) => pruneRuntimeCopies({ dataDir: data, db, home, now }),
    });
    try {
      await storage.pass(Date.now() + DAY + 60_000);
    } finally {
      await storage.close();
      db.close();
    }
    expect(await readdir(runtime)).toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({
        type: "storage.runtime_pruned",
        message: expect.stringContaining(`removed 2 old copies of the mcpscope CLI (`),
      }),
    ]);
  });

  it("off Linux, keep for a wrapper that does not say what it runs only the copies there when it started", async () => {
    const { home, data, runtime } = await setup("untold");
    const before = await copy(runtime, "0.0.7-7777777777777777", 3 * DAY);
    // A wrapper of a release before its presence file named its script, still running.
    const older = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
    try {
      const pid = older.pid as number;
      while (processStartTicks(pid) === null) await new Promise((resolve) => setImmediate(resolve));
      // Times as the file system keeps them: its clock may lag the process's by a tick.
      const fsNow = async () => {
        const probe = join(tmp.path, "untold-clock");
        await writeFile(probe, "");
        return (await stat(probe)).mtimeMs;
      };
      const startedAt = await fsNow();
      await mkdir(join(data, "wrappers"), { recursive: true });
      await writeFile(
        join(data, "wrappers", `${pid}-${startedAt}.json`),
        JSON.stringify({ pid, startTicks: processStartTicks(pid), startedAt }),
      );
      // A copy made after it started cannot be the one it runs.
      while ((await fsNow()) <= startedAt) await new Promise((resolve) => setImmediate(resolve));
      await copy(runtime, "0.0.8-8888888888888888", 3 * DAY);
      expect(dirname(dirname(before))).toBe(join(runtime, "0.0.7-7777777777777777"));

      const db = openDb(databasePath(data));
      try {
        // Where no process's command line can be read (macOS, Windows).
        const prune = await pruneRuntimeCopies({
          dataDir: data,
          db,
          home,
          ownCopy: "",
          commandLine: () => null,
        });
        expect(prune?.removed.map((r) => r.name)).toEqual(["0.0.8-8888888888888888"]);
        expect(prune?.heldBack).toBe(`a running wrapper (pid ${pid}) does not say which mcpscope it runs`);
        expect(prune && runtimePruneText(prune)).toBe(
          `removed 1 old copy of the mcpscope CLI (10 B) from ${runtime}: 0.0.8-8888888888888888; kept the others: a running wrapper (pid ${pid}) does not say which mcpscope it runs`,
        );
      } finally {
        db.close();
      }
      expect(await readdir(runtime)).toEqual(["0.0.7-7777777777777777"]);
    } finally {
      older.kill("SIGKILL");
    }
  });
});
