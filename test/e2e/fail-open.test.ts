/**
 * Non-negotiables 2, 4, 5 and 6 at the wrapper: whatever happens to storage (impossible, locked,
 * read-only or corrupt), MCP traffic flows unchanged and the wrapper says so in one `mcpscope:` line;
 * concurrent wrappers on one data dir lose nothing; and no secret that crossed the wrapper is found in
 * any byte of the data dir.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SqlValue } from "../../electron/monitor/store/db.js";
import { decodePayload } from "../../electron/monitor/store/payload-codec.js";
import {
  exitStatus,
  killAll,
  type RawProcess,
  type RawResult,
  type RawSpawnOptions,
  runRaw,
  startRaw,
} from "../fixtures/raw-client.js";
import { waitFor } from "../helpers/mcp.js";
import { storedPayloads } from "../helpers/payloads.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "bin/mcpscope.js");
const FIXTURE = join(ROOT, "test/fixtures/misbehaving-server.mjs");
const NODE = process.execPath;
const EVERYTHING = join(
  dirname(createRequire(import.meta.url).resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist/index.js",
);

let scratch = "";
beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/cli.mjs")) || !existsSync(join(ROOT, "dist/observer-worker.mjs")))
    throw new Error("dist/ is not built: run `node build/build.mjs node` (npm test builds first)");
  scratch = await mkdtemp(join(tmpdir(), "mcpscope-fail-open-"));
});
afterEach(() => killAll());
afterAll(async () => {
  if (!scratch) return;
  await chmodTree(scratch);
  await rm(scratch, { recursive: true, force: true });
});

/** Makes every directory under `dir` writable again so that it can be removed. */
async function chmodTree(dir: string): Promise<void> {
  await chmod(dir, 0o755).catch(() => {});
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => []))
    if (entry.isDirectory()) await chmodTree(join(dir, entry.name));
}

const wrapperArgs = (dataDir: string, name = "misbehaving") => [
  BIN,
  "run",
  "--name",
  name,
  "--data-dir",
  dataDir,
  "--",
  NODE,
  FIXTURE,
];

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const request = (id: string | number, method: string, params?: unknown) =>
  line({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
const echo = (id: string, message: string) =>
  request(id, "tools/call", { name: "echo", arguments: { message } });
const cmd = (name: string, extra: Record<string, unknown> = {}) => line({ cmd: name, ...extra });
const INITIALIZE = request(1, "initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "raw-client", version: "1.0.0" },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An ordinary session with some stderr, a 1 MB response and a non-zero exit when stdin closes. */
async function session(p: RawProcess): Promise<void> {
  await p.write(INITIALIZE);
  await p.write(cmd("on_eof", { code: 5 }));
  await p.write(cmd("stderr"));
  for (let i = 0; i < 10; i++) await p.write(echo(`call-${i}`, `message ${i} — ✓`));
  await p.write(request("big", "tools/call", { name: "big", arguments: { bytes: 1024 * 1024 } }));
  await p.write(echo("last", "the end"));
  await p.waitForStdout('"id":"last"');
}

/** Lines the wrapper added to stderr, and stderr without them. */
function splitStderr(stderr: Buffer): { ours: string[]; rest: Buffer } {
  const lines = stderr.toString("latin1").split(/(?<=\n)/);
  const ours = lines.filter((l) => l.startsWith("mcpscope:"));
  const rest = Buffer.from(lines.filter((l) => !l.startsWith("mcpscope:")).join(""), "latin1");
  return { ours: ours.map((l) => l.trimEnd()), rest };
}

/** Traffic unchanged, the server's stderr unchanged, the server's exit code; returns the wrapper's lines. */
function expectTrafficUnchanged(direct: RawResult, wrapped: RawResult): string[] {
  expect(wrapped.stdout.length).toBe(direct.stdout.length);
  expect(wrapped.stdout.equals(direct.stdout), "stdout the client received").toBe(true);
  const { ours, rest } = splitStderr(wrapped.stderr);
  expect(rest.toString("latin1")).toBe(direct.stderr.toString("latin1"));
  expect(wrapped.signal).toBeNull();
  expect(wrapped.code).toBe(exitStatus(direct));
  return ours;
}

/** Echo calls of `server` stored so far (none while the database is still being created). */
function storedEchoes(dataDir: string, server: string): number {
  try {
    return Number(
      query(
        dataDir,
        "SELECT count(*) AS n FROM calls WHERE server = ? AND method = 'tools/call' AND target = 'echo'",
        server,
      )[0]?.n,
    );
  } catch (error) {
    if (/no such table|locked|busy|unable to open/i.test((error as Error).message)) return 0;
    throw error;
  }
}

function query(dataDir: string, sql: string, ...params: (string | number)[]): Record<string, unknown>[] {
  const db = new DatabaseSync(join(dataDir, "mcpscope.db"), { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/**
 * `session` run on the bare fixture, as `options`' user: the same bytes and status every time (nothing in
 * it depends on the run), so run once per user for the file, not once per wrapped run it is compared with.
 */
const directRuns = new Map<string, Promise<RawResult>>();
function directSession(options: RawSpawnOptions): Promise<RawResult> {
  const key = JSON.stringify(options);
  let run = directRuns.get(key);
  if (!run) {
    run = runRaw(NODE, [FIXTURE], session, options);
    directRuns.set(key, run);
  }
  return run;
}

/** Runs `session` directly and through the wrapper on `dataDir` and checks the fail-open contract. */
async function failOpen(dataDir: string, options: RawSpawnOptions = {}): Promise<string> {
  const direct = await directSession(options);
  const wrapped = await runRaw(NODE, wrapperArgs(dataDir), session, options);
  expect(exitStatus(direct)).toBe(5);
  const ours = expectTrafficUnchanged(direct, wrapped);
  // Exactly one clear line: it names the database and says that traffic is unaffected.
  expect(ours, wrapped.stderr.toString("utf8")).toHaveLength(1);
  const said = ours[0] ?? "";
  expect(said).toMatch(/^mcpscope: .*mcpscope\.db.*; .*traffic (?:is )?unaffected/);
  expect(said).toContain(dataDir);
  return said;
}

describe("fail-open storage", () => {
  it("(a) an impossible --data-dir (a path under a regular file): traffic flows, one line, the server's exit code", async () => {
    const base = await mkdtemp(join(scratch, "a-"));
    await writeFile(join(base, "file"), "I am a file\n");
    const said = await failOpen(join(base, "file", "sub"));
    expect(said).toMatch(/not a directory/i);
    expect(await readFile(join(base, "file"), "utf8")).toBe("I am a file\n");
  });

  it.runIf(existsSync("/proc/self"))(
    "(a) a data dir that can never be made though its parent exists (under /proc): traffic flows, one line",
    async () => {
      // Node's own recursive mkdir retries such a path for ever, spinning the thread that asked.
      const said = await failOpen(`/proc/mcpscope-no-such-dir-${process.pid}/data`);
      expect(said).toMatch(/no such file or directory/i);
    },
  );

  it("(d) a corrupt database file: traffic flows, one line, the server's exit code", async () => {
    const dataDir = await mkdtemp(join(scratch, "d-"));
    // Garbage, then garbage behind a valid SQLite header (the harder case for an opener).
    const garbage = Buffer.alloc(64 * 1024);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
    await writeFile(join(dataDir, "mcpscope.db"), garbage);
    expect(await failOpen(dataDir)).toMatch(/not a database/i);

    const withHeader = await mkdtemp(join(scratch, "d-header-"));
    await writeFile(
      join(withHeader, "mcpscope.db"),
      Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), garbage]),
    );
    expect(await failOpen(withHeader)).toMatch(/not a database|malformed|corrupt/i);
  });

  it("(c) a read-only data dir (empty, and holding a read-only database): traffic flows, one line", async (context) => {
    const base = await mkdtemp(join(scratch, "c-"));
    await chmod(base, 0o755);
    const empty = join(base, "empty");
    await mkdir(empty, { mode: 0o555 });
    await chmod(empty, 0o555);
    // A database made by an earlier session, then the folder and the file made read-only.
    const existing = join(base, "existing");
    const seeded = await runRaw(NODE, wrapperArgs(existing), async (p) => {
      await p.write(INITIALIZE);
      await p.waitForStdout('"id":1');
    });
    expect(seeded.code).toBe(0);
    for (const file of await readdir(existing)) await chmod(join(existing, file), 0o444);
    await chmod(existing, 0o555);

    // chmod does not bind root. Prove whether it binds us; if not, run both sides as `nobody`.
    let options: RawSpawnOptions = {};
    const probe = join(empty, "probe");
    const writable = await writeFile(probe, "x").then(
      () => true,
      () => false,
    );
    if (writable) {
      await rm(probe, { force: true });
      const nobody = 65534;
      const canSwitch =
        process.getuid?.() === 0 &&
        spawnSync(NODE, ["-e", `require("fs").writeFileSync(${JSON.stringify(probe)}, "x")`], {
          uid: nobody,
          gid: nobody,
        }).status === 1 &&
        spawnSync(NODE, ["-e", `require("fs").accessSync(${JSON.stringify(FIXTURE)})`], {
          uid: nobody,
          gid: nobody,
        }).status === 0;
      if (!canSwitch) {
        console.warn(
          "SKIPPED (c) read-only data dir: this process can write into a 0555 folder (it is root or has CAP_DAC_OVERRIDE) and cannot run the wrapper as an unprivileged user (uid 65534), so a read-only data dir cannot be made here.",
        );
        context.skip();
        return;
      }
      // Running as root: chmod 0555 does not stop root, so both runs go as `nobody`, whom it does stop.
      options = { uid: nobody, gid: nobody, cwd: "/" };
    }
    expect(await failOpen(empty, options)).toMatch(/unable to open|read-?only|permission|EACCES/i);
    expect(await readdir(empty)).toEqual([]);
    expect(await failOpen(existing, options)).toMatch(/read-?only|unable to open|permission/i);
  });

  it("(b) a database locked by another process for seconds: traffic flows, and calls after the lock is released are recorded", async () => {
    const dataDir = await mkdtemp(join(scratch, "b-"));
    // The database exists (WAL mode, schema in place) before the lock, as it would in real use.
    const seeded = await runRaw(NODE, wrapperArgs(dataDir), async (p) => {
      await p.write(INITIALIZE);
      await p.waitForStdout('"id":1');
    });
    expect(seeded.code).toBe(0);

    // Between the two phases the wrapped run waits until the wrapper has met the lock (and said so), then
    // releases it; the direct run goes straight on.
    let betweenPhases: (p: RawProcess) => Promise<void> = async () => {};
    // The wrapped run spreads its calls over the lock, across several of its writer's attempts; the direct
    // run, which only gives the bytes to compare with, goes straight through.
    let pauseMs = 0;
    const script = async (p: RawProcess) => {
      await p.write(INITIALIZE);
      await p.waitForStdout('"id":1');
      for (let i = 0; i < 15; i++) {
        await p.write(echo(`during-${i}`, `sent while the database is locked ${i}`));
        await p.waitForStdout(`"id":"during-${i}"`);
        await sleep(pauseMs);
      }
      await betweenPhases(p);
      for (let i = 0; i < 10; i++) {
        await p.write(echo(`after-${i}`, `sent after the lock was released ${i}`));
        await p.waitForStdout(`"id":"after-${i}"`);
      }
    };
    const direct = await runRaw(NODE, [FIXTURE], script);

    // Another process holds the write lock until told to let go.
    const locker = startRaw(NODE, [
      "--no-warnings",
      "-e",
      `const { DatabaseSync } = require("node:sqlite");
       const db = new DatabaseSync(process.argv[1]);
       db.exec("BEGIN EXCLUSIVE");
       process.stdout.write("locked\\n");
       process.stdin.once("data", () => { db.exec("COMMIT"); db.close(); process.stdout.write("released\\n"); process.exit(0); });`,
      join(dataDir, "mcpscope.db"),
    ]);
    await locker.waitForStdout("locked\n");
    betweenPhases = async (p) => {
      // The wrapper's writer waits out its busy timeout (2 s), then says so once and holds its rows.
      await p.waitForStderr("is locked by another process");
      await locker.write("release\n");
      await locker.waitForStdout("released\n");
      expect((await locker.done).code).toBe(0);
    };
    pauseMs = 100;
    const wrapped = await runRaw(NODE, wrapperArgs(dataDir), script);

    const ours = expectTrafficUnchanged(direct, wrapped);
    // The wrapper's first writes met the lock: it said so, once.
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^mcpscope: .*mcpscope\.db.*(locked|busy).*traffic unaffected/);

    const calls = new Map(
      query(
        dataDir,
        "SELECT request_id, outcome FROM calls WHERE session_id = (SELECT id FROM sessions ORDER BY started_at DESC LIMIT 1)",
      ).map((row) => [String(row.request_id), String(row.outcome)]),
    );
    for (let i = 0; i < 10; i++) expect(calls.get(`after-${i}`), `after-${i}`).toBe("ok");
    // Rows observed while the lock was held were kept in the bounded queue and written after it: none lost.
    const expected = ["1", ...Array.from({ length: 15 }, (_, i) => `during-${i}`)];
    const missing = expected.filter((id) => !calls.has(id)).length;
    expect(missing).toBe(0);
    for (const id of expected) expect(calls.get(id), id).toBe("ok");
    const session = query(
      dataDir,
      "SELECT dropped, ended_at FROM sessions ORDER BY started_at DESC LIMIT 1",
    )[0];
    expect(session?.ended_at).not.toBeNull();
    expect(Number(session?.dropped)).toBeGreaterThanOrEqual(missing);
  });

  it("(b) a new database locked by another process while the wrapper creates it (another wrapper migrating it): calls wait, then are recorded", async () => {
    const dataDir = await mkdtemp(join(scratch, "b-new-"));
    // The file exists, empty, and another process holds its lock: as while another wrapper creates the
    // schema, which takes longer than the wrapper's open waits on a loaded machine.
    const locker = startRaw(NODE, [
      "--no-warnings",
      "-e",
      `const { DatabaseSync } = require("node:sqlite");
       const db = new DatabaseSync(process.argv[1]);
       db.exec("BEGIN EXCLUSIVE");
       process.stdout.write("locked\\n");
       process.stdin.once("data", () => { db.exec("COMMIT"); db.close(); process.stdout.write("released\\n"); process.exit(0); });`,
      join(dataDir, "mcpscope.db"),
    ]);
    await locker.waitForStdout("locked\n");
    const wrapped = await runRaw(NODE, wrapperArgs(dataDir), async (p) => {
      await p.write(INITIALIZE);
      await p.waitForStdout('"id":1');
      for (let i = 0; i < 5; i++) {
        await p.write(echo(`during-${i}`, `sent while the new database is locked ${i}`));
        await p.waitForStdout(`"id":"during-${i}"`);
      }
      // The wrapper's open gave up waiting (it says so): the lock goes, as the other wrapper's would.
      await p.waitForStderr("locked");
      await locker.write("release\n");
      await locker.waitForStdout("released\n");
      expect((await locker.done).code).toBe(0);
      for (let i = 0; i < 5; i++) {
        await p.write(echo(`after-${i}`, `sent after the lock was released ${i}`));
        await p.waitForStdout(`"id":"after-${i}"`);
      }
    });

    const { ours } = splitStderr(wrapped.stderr);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^mcpscope: .*mcpscope\.db.*locked.*traffic unaffected/);
    const calls = new Map(
      query(dataDir, "SELECT request_id, outcome FROM calls").map((row) => [
        String(row.request_id),
        String(row.outcome),
      ]),
    );
    const expected = [
      "1",
      ...Array.from({ length: 5 }, (_, i) => `during-${i}`),
      ...Array.from({ length: 5 }, (_, i) => `after-${i}`),
    ];
    expect(expected.filter((id) => calls.get(id) !== "ok")).toEqual([]);
    const session = query(dataDir, "SELECT dropped, ended_at FROM sessions")[0];
    expect(session?.ended_at).not.toBeNull();
    expect(Number(session?.dropped)).toBe(0);
  });

  it("(e) six wrappers at once on one data dir, 50 echo calls each with the SDK client: nothing lost", async () => {
    const dataDir = await mkdtemp(join(scratch, "e-"));
    const wrappers = 6;
    const callsEach = 50;
    const stderrs: string[] = Array.from({ length: wrappers }, () => "");
    const run = async (index: number) => {
      const transport = new StdioClientTransport({
        command: NODE,
        args: [
          BIN,
          "run",
          "--name",
          `everything-${index}`,
          "--data-dir",
          dataDir,
          "--",
          NODE,
          EVERYTHING,
          "stdio",
        ],
        stderr: "pipe",
      });
      transport.stderr?.on("data", (chunk: Buffer) => {
        stderrs[index] += chunk.toString("utf8");
      });
      const client = new Client({ name: `concurrent-${index}`, version: "1.0.0" });
      await client.connect(transport);
      try {
        for (let i = 0; i < callsEach; i++) {
          const message = `wrapper ${index} call ${i}`;
          const result = await client.callTool({ name: "echo", arguments: { message } });
          expect(result.content).toEqual([{ type: "text", text: `Echo: ${message}` }]);
        }
        // What the wrapper promises while the session lasts: its calls committed (every 100 ms, on its own
        // thread). Closed sooner, the SDK client's close gives the wrapper 2 s, then SIGTERM and 1.4 s
        // more: on a loaded machine a backlog can outlast that, and is then counted as not recorded, as
        // wrapper-life tests; here the point is six wrappers sharing one database.
        await waitFor(() => storedEchoes(dataDir, `everything-${index}`) === callsEach);
      } finally {
        await client.close();
      }
    };
    await Promise.all(Array.from({ length: wrappers }, (_, i) => run(i)));

    // Six writers take turns at one lock: on a loaded machine one can wait past its busy timeout and say
    // once that it holds its rows meanwhile (true, and nothing lost); nothing else is said.
    for (const stderr of stderrs) {
      const said = stderr.split("\n").filter((l) => l.startsWith("mcpscope:"));
      expect(said.filter((l) => !/locked.*; holding up to \d+ rows/.test(l))).toEqual([]);
    }
    const sessions = query(dataDir, "SELECT server, ended_at, dropped FROM sessions");
    expect(sessions).toHaveLength(wrappers);
    for (const session of sessions) {
      expect(session.ended_at, String(session.server)).not.toBeNull();
      expect(Number(session.dropped), String(session.server)).toBe(0);
    }
    const byServer = query(
      dataDir,
      `SELECT server, count(*) AS n, sum(outcome = 'ok') AS ok, count(DISTINCT request_id) AS ids
       FROM calls WHERE method = 'tools/call' AND target = 'echo' GROUP BY server ORDER BY server`,
    );
    expect(byServer).toEqual(
      Array.from({ length: wrappers }, (_, i) => ({
        server: `everything-${i}`,
        n: callsEach,
        ok: callsEach,
        ids: callsEach,
      })),
    );
    expect(query(dataDir, "SELECT count(*) AS n FROM calls WHERE method = 'tools/call'")[0]?.n).toBe(
      wrappers * callsEach,
    );
    expect(query(dataDir, "SELECT count(*) AS n FROM calls WHERE method = 'initialize'")[0]?.n).toBe(
      wrappers,
    );
  });
});

describe("no secret in the data dir", () => {
  const PEM_BODY = [
    "MIIEowIBAAKCAQEAx7Jb0qXbT3kLmN9pQrStUvWxYz0123456789abcdEFGHijk",
    "ZmFrZWtleWJvZHlsaW5lMmZha2VrZXlib2R5bGluZTJmYWtla2V5Ym9keWxpbmUy",
  ];
  const JWT =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  const SECRETS = {
    openai: "sk-proj-Zx9Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9LzQ2",
    github: `ghp_${"aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"}`,
    aws: "AKIAIOSFODNN7EXAMPLE",
    password: "correct-horse-battery-staple-42",
    jwt: JWT,
  };
  const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY.join("\n")}\n-----END RSA PRIVATE KEY-----`;
  /** Every string that must not appear anywhere in the data dir. */
  const NEEDLES = [...Object.values(SECRETS), JWT.split(".")[2] ?? "", ...PEM_BODY];

  const TEXT = [
    `key ${SECRETS.openai} token ${SECRETS.github} aws ${SECRETS.aws}`,
    PEM,
    `Authorization: Bearer ${JWT}`,
    `{"user":"bob","password":"${SECRETS.password}"}`,
  ].join("\n");

  /** Every file under `dir`, as bytes. */
  async function allFiles(dir: string): Promise<Array<[string, Buffer]>> {
    const out: Array<[string, Buffer]> = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) out.push(...(await allFiles(path)));
      else out.push([path, await readFile(path)]);
    }
    return out;
  }

  async function expectNoSecrets(dataDir: string): Promise<void> {
    const files = await allFiles(dataDir);
    expect(files.map(([path]) => path)).toContain(join(dataDir, "mcpscope.db"));
    const found: string[] = [];
    for (const [path, bytes] of files)
      for (const needle of NEEDLES)
        if (bytes.includes(Buffer.from(needle))) found.push(`${needle} in ${path}`);
    // Payload text above the threshold is stored compressed: look into it as a reader sees it.
    for (const { id, column, text } of storedPayloads(dataDir))
      for (const needle of NEEDLES)
        if (text.includes(needle)) found.push(`${needle} in call ${id} ${column}`);
    expect(found).toEqual([]);
  }

  it("(f) secrets in tool arguments and results (SDK client and server-everything's echo, and the fixture), in JSON keys and in JSON text, never reach a file", async () => {
    const dataDir = await mkdtemp(join(scratch, "f-"));
    const transport = new StdioClientTransport({
      command: NODE,
      args: [BIN, "run", "--name", "everything", "--data-dir", dataDir, "--", NODE, EVERYTHING, "stdio"],
      stderr: "pipe",
      env: { ...(process.env as Record<string, string>), API_KEY: SECRETS.openai },
    });
    transport.stderr?.on("data", () => {});
    const client = new Client({ name: "secrets", version: "1.0.0" });
    await client.connect(transport);
    const result = await client.callTool({
      name: "echo",
      arguments: { message: TEXT, password: SECRETS.password, headers: { Authorization: `Bearer ${JWT}` } },
    });
    expect(result.content).toEqual([{ type: "text", text: `Echo: ${TEXT}` }]);
    // Stored before the close, as in (e): the SDK's close gives the wrapper 2 s before SIGTERM, which a
    // loaded machine's backlog can outlast, and the count below would then miss a call this test needs.
    await waitFor(() => storedEchoes(dataDir, "everything") === 1);
    await client.close();

    const fixture = await runRaw(NODE, wrapperArgs(dataDir), async (p) => {
      await p.write(INITIALIZE);
      await p.write(
        request("secret-args", "tools/call", {
          name: "echo",
          arguments: {
            message: TEXT,
            password: SECRETS.password,
            apiKey: SECRETS.openai,
            credentials: { aws: SECRETS.aws, token: SECRETS.github },
            headers: { Authorization: `Bearer ${JWT}` },
          },
        }),
      );
      // Secrets in single-line stderr logs: plain, assignments, a header, JSON logs with and without a message.
      await p.write(
        cmd("stderr_text", {
          text: [
            `connecting with ${SECRETS.openai}`,
            `GITHUB_TOKEN=${SECRETS.github}`,
            `aws key ${SECRETS.aws}`,
            `Authorization: Bearer ${JWT}`,
            `{"level":"info","msg":"login","password":"${SECRETS.password}"}`,
            `{"password":"${SECRETS.password}"}`,
            "",
          ].join("\n"),
        }),
      );
      await p.waitForStdout('"id":"secret-args"');
    });
    expect(fixture.code).toBe(0);
    expect(fixture.stdout.includes(Buffer.from(SECRETS.password))).toBe(true); // it did cross the wrapper

    // The calls were recorded (so the absence below means masked, not missing).
    const recorded = query(dataDir, "SELECT request, response FROM calls WHERE method = 'tools/call'");
    expect(recorded).toHaveLength(2);
    for (const row of recorded) {
      expect(decodePayload(row.request as SqlValue)).toContain("[masked");
      expect(decodePayload(row.response as SqlValue)).toContain("[masked");
    }
    expect(query(dataDir, "SELECT count(*) AS n FROM logs WHERE source = 'stderr'")[0]?.n).toBeGreaterThan(5);
    await expectNoSecrets(dataDir);
  });

  it("(f) a private key printed to the server's stderr, one line at a time, never reaches a file", async () => {
    const dataDir = await mkdtemp(join(scratch, "f-pem-"));
    const result = await runRaw(NODE, wrapperArgs(dataDir), async (p) => {
      await p.write(INITIALIZE);
      await p.write(cmd("stderr_text", { text: `loaded the signing key:\n${PEM}\n` }));
      await p.write(request("done", "ping"));
      await p.waitForStdout('"id":"done"');
    });
    expect(result.code).toBe(0);
    expect(result.stderr.toString("utf8")).toContain(PEM); // the client still sees it: only storage masks
    await expectNoSecrets(dataDir);
  });
});
