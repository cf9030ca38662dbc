/** Real MCP servers and the real SDK client, directly or through `mcpscope run`. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { onTestFinished } from "vitest";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const MCPSCOPE = join(ROOT, "bin", "mcpscope.js");
/**
 * A Node that runs mcpscope in its own process: the project's (Node 24) when installed. On an older Node
 * bin/mcpscope.js starts the command as a child, so a test that stops or signals the process it spawned
 * would reach only that launcher, which passes some signals on and none of SIGSTOP.
 */
export const RUNTIME =
  [
    join(ROOT, "node_modules", "node", "bin", "node"),
    join(ROOT, "node_modules", "node", "bin", "node.exe"),
  ].find(existsSync) ?? process.execPath;
const require = createRequire(import.meta.url);

function serverEntry(pkg: string): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  const bin = (require(manifest) as { bin: Record<string, string> }).bin;
  return join(dirname(manifest), Object.values(bin)[0] ?? "dist/index.js");
}

export const SERVERS = {
  everything: () => [serverEntry("@modelcontextprotocol/server-everything"), "stdio"],
  memory: () => [serverEntry("@modelcontextprotocol/server-memory")],
  filesystem: (root: string) => [serverEntry("@modelcontextprotocol/server-filesystem"), root],
};

export interface Wrap {
  dataDir: string;
  name: string;
  extra?: string[];
}

/**
 * Connects the SDK client to `node <serverArgs>`, through `mcpscope run` when `wrap` is given, declaring
 * `capabilities` (none by default).
 */
export async function connect(
  serverArgs: string[],
  wrap?: Wrap,
  env: Record<string, string> = {},
  capabilities: ClientCapabilities = {},
): Promise<Client> {
  const args = wrap
    ? [
        MCPSCOPE,
        "run",
        "--name",
        wrap.name,
        "--data-dir",
        wrap.dataDir,
        ...(wrap.extra ?? []),
        "--",
        process.execPath,
        ...serverArgs,
      ]
    : serverArgs;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args,
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: "pipe",
  });
  const client = new Client({ name: "mcpscope-test", version: "1.0.0" }, { capabilities });
  await client.connect(transport);
  if (wrap) answers.set(client, { answered: countAnswers(client), pid: transport.pid ?? 0 });
  return client;
}

/** For each client `connect` wrapped: the responses it received. */
const answers = new WeakMap<Client, { answered: () => number; pid: number }>();

/**
 * Closes a client `connect` wrapped once the wrapper has stored a call (`initialize` aside) for every
 * answer the client received: what the wrapper promises while the session lasts. Closed sooner, the
 * client's close gives the wrapper 2 s before SIGTERM, which on a loaded machine its backlog can
 * outlast (then counted as not recorded): a test of what is stored would read a loss it did not test.
 */
export async function closeOnceStored(client: Client, wrap: Wrap): Promise<void> {
  const session = answers.get(client);
  if (!session) throw new Error("closeOnceStored: a client that connect() wrapped");
  try {
    await waitFor(() => storedCalls(wrap.dataDir, session.pid) >= session.answered());
  } finally {
    await client.close();
  }
}

/**
 * One whole wrapped session: connects (declaring `capabilities`), runs `body`, closes once its calls are
 * stored, and waits until the wrapper stored the session's end (its events with it).
 */
export async function wrappedSession(
  serverArgs: string[],
  wrap: Wrap,
  body: (client: Client) => Promise<void>,
  options: { env?: Record<string, string>; capabilities?: ClientCapabilities } = {},
): Promise<void> {
  const before = endedSessions(wrap);
  const client = await connect(serverArgs, wrap, options.env, options.capabilities);
  try {
    await body(client);
  } finally {
    await closeOnceStored(client, wrap);
  }
  await waitFor(() => endedSessions(wrap) > before);
}

function endedSessions(wrap: Wrap): number {
  let db: DatabaseSync | null = null;
  try {
    db = new DatabaseSync(join(wrap.dataDir, "mcpscope.db"), { readOnly: true });
    const row = db
      .prepare("SELECT count(*) AS n FROM sessions WHERE server = ? AND ended_at IS NOT NULL")
      .get(wrap.name) as { n: number } | undefined;
    return Number(row?.n ?? 0);
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

/** Calls the wrapper `pid` stored, `initialize` aside (0 before the database exists). */
function storedCalls(dataDir: string, pid: number): number {
  let db: DatabaseSync | null = null;
  try {
    db = new DatabaseSync(join(dataDir, "mcpscope.db"), { readOnly: true });
    const row = db
      .prepare(
        `SELECT count(*) AS n FROM calls WHERE method <> 'initialize' AND session_id IN
           (SELECT id FROM sessions WHERE wrapper_pid = ?)`,
      )
      .get(pid) as { n: number } | undefined;
    return Number(row?.n ?? 0);
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

/**
 * Counts the responses `client` receives from now on: each answers a request the wrapper records as a
 * call. A test that closes the client once that many calls are stored asks the wrapper's exit for its
 * session's end only, not for a backlog: the SDK's close gives a wrapper 2 s before SIGTERM, which on a
 * loaded machine a backlog can outlast (and is then counted as not recorded).
 */
export function countAnswers(client: Client): () => number {
  const transport = client.transport;
  if (!transport) throw new Error("countAnswers: the client is not connected");
  let answered = 0;
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if ("id" in message && ("result" in message || "error" in message)) answered++;
    deliver?.(message, extra);
  };
  return () => answered;
}

/** Runs an `mcpscope` command and returns its output; rejects on a non-zero exit. */
export async function mcpscope(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [MCPSCOPE, ...args], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
}

export async function mcpscopeJson<T>(args: string[]): Promise<T> {
  const { stdout } = await mcpscope([...args, "--json"]);
  return JSON.parse(stdout) as T;
}

export async function tempDir(
  prefix = "mcpscope-test-",
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A temp dir removed once the current test is over: after the file's afterEach hooks, which stop what
 * still writes into it (an engine, a server's pid file). Only inside a test.
 */
export async function testDir(prefix?: string): Promise<string> {
  const dir = await tempDir(prefix);
  onTestFinished(dir.cleanup);
  return dir.path;
}

/**
 * How long a wait for a condition the product promises (a stored row, an event, a drawn view) may last
 * before the test fails: long enough for a CI machine of two cores running two test files and other work
 * beside them (load 20 and more), where a wrapper's or engine's few hundred milliseconds of work take
 * seconds. A bound on a condition, never a pause: a wait that is met returns at once. Within the 60 s test
 * timeout, so that a stuck condition fails by its name.
 */
export const CONDITION_MS = 40_000;

/** Polls `check` until it returns a truthy value; fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = CONDITION_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
