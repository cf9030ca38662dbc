/**
 * How `mcpscope run` ends: like the bare server would (one Ctrl-C reaches the server once, a client's stop
 * sequence leaves nothing running, the exit status is the server's), and never losing a session silently
 * (a stop during the exit drain, or a database locked all session long, ends with a line counting the
 * calls not recorded). Real processes: the wrapper, the SDK's client and server, a second SQLite
 * connection holding the write lock.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAll, type RawProcess, startRaw } from "../fixtures/raw-client.js";
import { CONDITION_MS } from "../helpers/mcp.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "bin/mcpscope.js");
const SERVER = join(ROOT, "test/fixtures/life-server.mjs");
const NODE = process.execPath;

/** A stop ends the wrapper within 1.4 s of the signal (docs/cli.md), with slack for a loaded machine. */
const STOP_PROMISE_MS = 2000;

/** The system's Node when it is older than 22.13, on which `mcpscope` runs itself again on Node 24. */
const OLD_NODE =
  ["/usr/bin/node", "/usr/local/bin/node"].find((node) => {
    const version = spawnSync(node, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout?.trim();
    const [major = 99, minor = 0] = (version || "99").split(".").map(Number);
    return major < 22 || (major === 22 && minor < 13);
  }) ?? null;

let scratch = "";
const leftovers = new Set<number>();
beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/run.mjs")) || !existsSync(join(ROOT, "dist/observer-worker.mjs")))
    throw new Error("dist/ is not built: run `node build/build.mjs node` (npm test builds first)");
  scratch = await mkdtemp(join(tmpdir(), "mcpscope-wrapper-life-"));
});
afterEach(() => {
  killAll();
  // A server a failing test left behind must not outlive it.
  for (const pid of leftovers) if (running(pid)) process.kill(pid, "SIGKILL");
  leftovers.clear();
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const wrapped = (dataDir: string, name: string, ...serverArgs: string[]) => [
  BIN,
  "run",
  "--name",
  name,
  "--data-dir",
  dataDir,
  "--",
  NODE,
  SERVER,
  ...serverArgs,
];

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const INITIALIZE = line({
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "life", version: "1" } },
});
const echo = (id: number) =>
  line({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "echo", arguments: { message: `m${id}` } },
  });

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves once `check` holds, polling; rejects with `what` after `timeoutMs` (by default the shared bound
 * on a condition: a loaded machine takes seconds for the few hundred milliseconds of work behind one).
 */
async function until(check: () => boolean, what: string, timeoutMs = CONDITION_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The server's pid, from the line it writes at start. */
function serverPid(stderr: string): number {
  const match = /life-server: pid (\d+)/.exec(stderr);
  if (!match) throw new Error(`no pid line in ${JSON.stringify(stderr)}`);
  const pid = Number(match[1]);
  leftovers.add(pid);
  return pid;
}

function ours(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("mcpscope:"));
}

let seededDir: Promise<string> | null = null;
/**
 * A data dir whose database exists (schema in place, WAL mode), as after any earlier session; one for the
 * whole file (each test's sessions have a server name of their own).
 */
function seeded(): Promise<string> {
  seededDir ??= seed();
  return seededDir;
}

async function seed(): Promise<string> {
  const dataDir = await mkdtemp(join(scratch, "seeded-"));
  const seed = startRaw(NODE, wrapped(dataDir, "seed"));
  await seed.write(INITIALIZE);
  await seed.waitForStdout('"id":0');
  seed.end();
  expect((await seed.done).code).toBe(0);
  return dataDir;
}

/**
 * Another process holding the database's write lock until `release()`; `exclusive`: readers are locked out
 * too (as a migration or a VACUUM in another process does), so even opening the database waits.
 */
async function holdLock(dataDir: string, exclusive = false): Promise<{ release(): Promise<void> }> {
  const locker = startRaw(NODE, [
    "--no-warnings",
    "-e",
    `const { DatabaseSync } = require("node:sqlite");
     const db = new DatabaseSync(process.argv[1]);
     if (process.argv[2] === "exclusive") db.exec("PRAGMA locking_mode = EXCLUSIVE");
     db.exec("BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held_lock(x); INSERT INTO held_lock VALUES (1)");
     process.stdout.write("locked\\n");
     process.stdin.once("data", () => { db.exec("ROLLBACK"); db.close(); process.exit(0); });`,
    join(dataDir, "mcpscope.db"),
    exclusive ? "exclusive" : "shared",
  ]);
  await locker.waitForStdout("locked\n");
  return {
    async release() {
      await locker.write("release\n");
      expect((await locker.done).code).toBe(0);
    },
  };
}

function sessions(dataDir: string, server: string): Record<string, unknown>[] {
  const db = new DatabaseSync(join(dataDir, "mcpscope.db"), { readOnly: true });
  try {
    return db
      .prepare(
        `SELECT s.ended_at, s.exit_code, s.exit_signal, s.dropped, (SELECT count(*) FROM calls c WHERE c.session_id = s.id) AS calls
         FROM sessions s WHERE s.server = ?`,
      )
      .all(server) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** What `read` says of the database, or false while it cannot be read yet (being created, or busy). */
function stored(read: () => boolean): boolean {
  try {
    return read();
  } catch {
    return false;
  }
}

/** Initialize and `count` echo calls, each answered before the next. */
async function calls(p: RawProcess, count: number): Promise<void> {
  await p.write(INITIALIZE);
  await p.waitForStdout('"id":0}');
  for (let id = 1; id <= count; id++) {
    await p.write(echo(id));
    await p.waitForStdout(`"id":${id}}`);
  }
}

describe("a session never lost silently", () => {
  it("a database locked all session long: the last line counts every call, the first promised nothing more, the status is the server's", async () => {
    const dataDir = await seeded();
    const lock = await holdLock(dataDir);
    const p = startRaw(NODE, wrapped(dataDir, "locked", "--exit-code", "3"));
    await calls(p, 5);
    p.end();
    const result = await p.done;
    await lock.release();

    expect(result.signal).toBeNull();
    expect(result.code).toBe(3);
    const said = ours(result.stderr.toString("utf8"));
    expect(said[0]).toMatch(/is locked by another process; .*counting the calls not stored/);
    expect(said.at(-1)).toBe(
      "mcpscope: 6 calls of this session were not recorded, and its end could not be stored (the database was locked by another process); traffic was unaffected",
    );
    // What the line says: nothing of this session reached the database.
    expect(sessions(dataDir, "locked")).toEqual([]);
  });

  it("SIGTERM during the exit drain (the client's stop, storage locked): the drain ends, the line comes, the status is the server's", async () => {
    const dataDir = await seeded();
    const lock = await holdLock(dataDir);
    const p = startRaw(NODE, wrapped(dataDir, "term", "--exit-code", "3"));
    await calls(p, 5);
    const pid = serverPid(p.stderr().toString("utf8"));
    p.end();
    // The server is gone: the wrapper is draining into a database it cannot write to.
    await until(() => !running(pid), "the server exited");
    const signalledAt = Date.now();
    p.kill("SIGTERM");
    // The lock is held until the wrapper has exited: it did not wait for it.
    const result = await p.done;
    const stoppedIn = Date.now() - signalledAt;
    await lock.release();

    expect(result.signal).toBeNull();
    expect(result.code).toBe(3);
    // Gone well before the SDK's SIGKILL, 2 s after its SIGTERM (the promise is 1.4 s; the rest is slack).
    expect(stoppedIn).toBeLessThan(STOP_PROMISE_MS);
    // Every call counted: by the worker's own last word, or (if even that could not come in time) by
    // what it had seen plus the client's messages it had not parsed yet.
    const last = ours(result.stderr.toString("utf8")).at(-1) ?? "";
    expect(last).toMatch(/traffic was unaffected$/);
    const counts =
      /(\d+) calls? of this session (?:was|were) not recorded(?:, and (\d+) messages? from the client (?:was|were) not parsed)?/.exec(
        last,
      );
    expect(counts, last).not.toBeNull();
    expect(Number(counts?.[1]) + Number(counts?.[2] ?? 0), last).toBe(6);
  });

  it("a stop before the observer started, the database locked even for readers: gone within the stop bound, nothing lost silently", async () => {
    const dataDir = await seeded();
    const lock = await holdLock(dataDir, true);
    // The server writes nothing on stdout: the observer thread starts only at exit, and opens the
    // database then, into the lock.
    const p = startRaw(NODE, wrapped(dataDir, "early-stop"));
    await p.waitForStderr("life-server: pid");
    serverPid(p.stderr().toString("utf8"));
    const signalledAt = Date.now();
    p.kill("SIGTERM");
    const result = await p.done;
    const stoppedIn = Date.now() - signalledAt;
    await lock.release();

    expect(result.code).toBe(128 + 15); // the server's own end: killed by the SIGTERM passed on
    expect(stoppedIn).toBeLessThan(STOP_PROMISE_MS);
    expect(ours(result.stderr.toString("utf8")).at(-1) ?? "").toMatch(/traffic (?:was )?unaffected$/);
  });

  it("a data dir deleted mid-session: the last line says the database was removed", async () => {
    const dataDir = await mkdtemp(join(scratch, "deleted-"));
    const p = startRaw(NODE, wrapped(dataDir, "deleted"));
    await calls(p, 1);
    // The wrapper has the database open and this session's two calls in it.
    await until(
      () =>
        existsSync(join(dataDir, "mcpscope.db")) &&
        stored(() => Number(sessions(dataDir, "deleted")[0]?.calls) === 2),
      "the session is stored",
    );
    await rm(dataDir, { recursive: true, force: true });
    for (let id = 2; id <= 4; id++) {
      await p.write(echo(id));
      await p.waitForStdout(`"id":${id}}`);
    }
    p.end();
    const result = await p.done;
    expect(result.code).toBe(0);
    const said = ours(result.stderr.toString("utf8"));
    expect(said.at(-1)).toBe(
      "mcpscope: 3 calls of this session were not recorded, and its end could not be stored (the database was removed); traffic was unaffected",
    );
  });
});

describe("a wrapped server ends as a bare one would", () => {
  it("the SDK client's close leaves no server running, even one that ignores SIGTERM and its stdin closing", async () => {
    const dataDir = await mkdtemp(join(scratch, "stubborn-"));
    const transport = new StdioClientTransport({
      command: NODE,
      args: wrapped(dataDir, "stubborn", "--stubborn"),
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    await transport.start();
    await until(() => stderr.includes("life-server: pid"), "the server started");
    const pid = serverPid(stderr);
    await transport.close();
    // Closing stdin, then SIGTERM (passed on, ignored), then the wrapper's kill of the server's group.
    await until(() => !running(pid), "the stubborn server is gone");
    expect(stderr).toContain("life-server: SIGTERM ignored");
    await until(
      () => stored(() => sessions(dataDir, "stubborn")[0]?.ended_at != null),
      "the session is closed",
    );
    expect(sessions(dataDir, "stubborn")[0]).toMatchObject({ exit_signal: "SIGKILL" });
  });

  it("one Ctrl-C (SIGINT to the foreground group) reaches the server once, and the status is the bare server's", async () => {
    const dataDir = await mkdtemp(join(scratch, "ctrl-c-"));
    const inGroup = async (argv: string[]) => {
      // Its own group, as a terminal's foreground job: the signal goes to the whole group.
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], detached: true });
      let stderr = "";
      let stdout = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
      });
      const done = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
      await until(() => stderr.includes("life-server: pid"), "the server started");
      serverPid(stderr);
      process.kill(-child.pid!, "SIGINT");
      const code = await done;
      return { code, stdout, stderr };
    };
    const bare = await inGroup([NODE, SERVER, "--ctrl-c"]);
    const viaWrapper = await inGroup([NODE, ...wrapped(dataDir, "ctrl-c", "--ctrl-c")]);
    expect(bare).toMatchObject({ code: 0 });
    expect(viaWrapper.code).toBe(bare.code);
    expect(viaWrapper.stderr).toContain("life-server: SIGINT #1");
    expect(viaWrapper.stderr).not.toContain("SIGINT #2");
    // What the server wrote as it stopped reached the client.
    expect(bare.stdout).toContain('"data":"bye"');
    expect(viaWrapper.stdout).toBe(bare.stdout);

    // The same through the `mcpscope` command's re-run on its own Node (started by a Node too old).
    if (!OLD_NODE) {
      console.warn("SKIPPED the re-run path: no Node older than 22.13 on this machine");
      return;
    }
    const viaRerun = await inGroup([OLD_NODE, ...wrapped(dataDir, "ctrl-c-rerun", "--ctrl-c")]);
    expect(viaRerun.code).toBe(bare.code);
    expect(viaRerun.stderr).toContain("life-server: SIGINT #1");
    expect(viaRerun.stderr).not.toContain("SIGINT #2");
    expect(viaRerun.stdout).toBe(bare.stdout);
  });
});

describe("run refuses what it cannot do, in one line", () => {
  const run = (...args: string[]) => spawnSync(NODE, [BIN, "run", ...args], { encoding: "utf8" });

  it("--help's usage line names every flag", () => {
    const usage = run("--help").stdout.split("\n")[0] ?? "";
    for (const flag of ["--name", "--timeout", "--grace", "--capture-limit", "--client", "--data-dir"])
      expect(usage, flag).toContain(flag);
  });

  it("a grace a timer cannot hold is a usage error (exit 2); a timeout, compared and not waited for, is not", () => {
    const result = run("--grace", "25d", "--", NODE, SERVER);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^mcpscope run: --grace: "25d" is too long to wait for; the most is 24d/);
    const relayed = spawnSync(
      NODE,
      [
        BIN,
        "run",
        "--timeout",
        "30d",
        "--data-dir",
        join(scratch, "long-timeout"),
        "--",
        NODE,
        "-e",
        "process.stdin.pipe(process.stdout)",
      ],
      { input: "hello\n", encoding: "utf8" },
    );
    expect(relayed.status, relayed.stderr).toBe(0);
    expect(relayed.stdout).toBe("hello\n");
  });

  it("a data dir to be made on a read-only file system says read-only (EROFS), not a missing folder", (context) => {
    const mountPoint = join(scratch, "read-only");
    mkdirSync(mountPoint);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mountPoint], { stdio: "ignore" });
    } catch {
      console.warn("SKIPPED read-only data dir: cannot mount a tmpfs here (needs root)");
      context.skip();
      return;
    }
    try {
      const result = spawnSync(
        NODE,
        [
          BIN,
          "run",
          "--data-dir",
          join(mountPoint, "sub"),
          "--",
          NODE,
          "-e",
          "process.stdin.pipe(process.stdout)",
        ],
        { input: "hello\n", encoding: "utf8" },
      );
      expect(result.status).toBe(0);
      expect(result.stdout).toBe("hello\n");
      expect(ours(result.stderr)).toEqual([
        `mcpscope: cannot open the database ${join(mountPoint, "sub", "mcpscope.db")}: EROFS: read-only file system, mkdir '${join(mountPoint, "sub")}'; recording is off, traffic unaffected`,
      ]);
    } finally {
      execFileSync("umount", ["-l", mountPoint], { stdio: "ignore" });
    }
  });

  it("a folder as the command exits 126, saying it is a directory, as a shell does", () => {
    const result = run("--data-dir", join(scratch, "folder"), "--", scratch);
    expect(result.status).toBe(126);
    expect(result.stderr).toBe(`mcpscope: cannot start ${scratch}: is a directory\n`);
  });
});
