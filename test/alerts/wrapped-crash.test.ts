/**
 * `server-crashed` for a server wrapped by `mcpscope run`: one that fails on its own while its client is
 * connected raises it, as a server the app starts does; a client's normal stop does not, whatever the
 * exit code. Real processes: the SDK's client, the wrapper, the SDK's server; the engine's evaluator over
 * the data dir they recorded in.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DbSignalSource } from "../../electron/monitor/alerts/signals.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { MCPSCOPE, ROOT, tempDir, waitFor } from "../helpers/mcp.js";
import { evaluate, harness, openStore, VirtualClock } from "./alert-fixtures.js";

const SERVER = join(ROOT, "test/fixtures/life-server.mjs");

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/run.mjs")))
    throw new Error("dist/ is not built: run `node build/build.mjs node` (npm test builds first)");
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A client connected to `life-server` through `mcpscope run --name <name>`, recording in a fresh data dir. */
async function wrappedSession(name: string, ...serverArgs: string[]) {
  const dir = await tempDir();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      MCPSCOPE,
      "run",
      "--name",
      name,
      "--data-dir",
      dir.path,
      "--",
      process.execPath,
      SERVER,
      ...serverArgs,
    ],
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: "wrapped-crash-test", version: "1" });
  let closed = false;
  client.onclose = () => {
    closed = true;
  };
  await client.connect(transport);
  let db: Db | null = null;
  cleanups.push(async () => {
    await client.close().catch(() => {});
    db?.close();
    await dir.cleanup();
  });
  return {
    client,
    transport,
    /** The store once the wrapper has recorded the session's end. */
    async ended(): Promise<Db> {
      await waitFor(() => closed);
      db = openStore(dir.path);
      const store = db;
      await waitFor(() => store.prepare("SELECT 1 FROM sessions WHERE ended_at IS NOT NULL").get());
      return store;
    },
    dir: dir.path,
    stderr: () => stderr,
  };
}

/** The built-in rules evaluated over the store: the alerts of `server-crashed` that fire. */
async function crashAlerts(dir: string, db: Db): Promise<string[]> {
  const clock = new VirtualClock(Date.now());
  const h = harness(dir, db, clock, new DbSignalSource(db));
  try {
    await evaluate(h, clock);
    return h.manager
      .snapshot()
      .alerts.filter((a) => a.rule === "server-crashed" && a.state === "firing")
      .map((a) => a.labels.server ?? "");
  } finally {
    h.manager.close();
  }
}

const types = (db: Db) =>
  db
    .prepare("SELECT type FROM events WHERE category = 'system' ORDER BY id")
    .all()
    .map((row) => String(row.type));

describe("a wrapped server's end, and server-crashed", () => {
  it("fires when the server exits with a failure on its own while its client is connected", async () => {
    const session = await wrappedSession("exits3");
    await session.client.callTool({ name: "exit", arguments: { code: 3 } });
    const db = await session.ended();
    expect(types(db)).toContain("process.crash");
    const crash = db
      .prepare("SELECT severity, server, message FROM events WHERE type = 'process.crash'")
      .get();
    expect(crash).toMatchObject({ severity: "medium", server: "exits3" });
    expect(String(crash?.message)).toContain("exited with code 3");
    expect(await crashAlerts(session.dir, db)).toEqual(["exits3"]);
  });

  it("fires when the server is killed by a signal its client did not send", async () => {
    const session = await wrappedSession("killed");
    await session.client.listTools();
    const pid = await waitFor(() => /life-server: pid (\d+)/.exec(session.stderr())?.[1]);
    process.kill(Number(pid), "SIGKILL");
    const db = await session.ended();
    const crash = db.prepare("SELECT message FROM events WHERE type = 'process.crash'").get();
    expect(String(crash?.message)).toContain("was killed by SIGKILL");
    expect(await crashAlerts(session.dir, db)).toEqual(["killed"]);
  });

  it("stays quiet when the client stops the server, even if it then exits with a failure code", async () => {
    const session = await wrappedSession("stopped", "--exit-code", "3");
    await session.client.listTools();
    await session.client.close();
    const db = await session.ended();
    // The stop is recorded as the wrapper's, with the server's code; it is no crash.
    expect(types(db)).toContain("wrapper.stop");
    expect(types(db)).not.toContain("process.crash");
    expect(await crashAlerts(session.dir, db)).toEqual([]);
  });
});
