/**
 * A database that refuses writes under a real wrapper, unprivileged: the wrapper's connection is capped at
 * the pages it has (`max_page_count`, store/test-page-limit.ts), so SQLite answers "database or disk is
 * full" as on a full disk. The wrapper counts every call it could not store, in calls; when the room comes
 * back it stores again and its session ends with that count; if the room never comes back, its last
 * stderr line says how many calls were lost, and the engine's next start closes the session it could not.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { PAGE_LIMIT_FILE_ENV, withTestPageLimit } from "../../electron/monitor/store/test-page-limit.js";
import { killAll, type RawProcess, startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterEach(() => killAll());
afterAll(async () => {
  await dir.cleanup();
});

/** A wrapped server-everything driven line by line; `sent` counts the requests (each one call). */
async function wrapped(name: string, env: NodeJS.ProcessEnv = process.env) {
  const dataDir = join(dir.path, name);
  const limit = join(dir.path, `${name}.pages`);
  const run = startRaw(
    process.execPath,
    [
      MCPSCOPE,
      "run",
      "--name",
      "everything",
      "--data-dir",
      dataDir,
      "--",
      process.execPath,
      ...SERVERS.everything(),
    ],
    { env: { ...env, [PAGE_LIMIT_FILE_ENV]: limit }, timeoutMs: 60_000 },
  );
  let id = 0;
  const line = (method: string, params: unknown) =>
    `${JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params })}\n`;
  const echo = (i: number) => line("tools/call", { name: "echo", arguments: { message: `message ${i}` } });
  await run.write(
    line("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "refused-writes-test", version: "1.0.0" },
    }),
  );
  await run.waitForStdout(`"id":${id}}`);
  await run.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  return {
    run,
    dataDir,
    /** Sends `n` echo calls at once and waits for the last answer. */
    async burst(n: number): Promise<number> {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(echo(i));
      await run.write(lines.join(""));
      await run.waitForStdout(`"id":${id}}`);
      return id;
    },
    get sent() {
      return id;
    },
    full: () => writeFileSync(limit, "1"),
    room: () => rmSync(limit, { force: true }),
  };
}

function read<T>(dataDir: string, fn: (db: ReturnType<typeof openDb>) => T): T {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const storedCalls = (dataDir: string) =>
  read(dataDir, (db) => Number(db.prepare("SELECT count(*) AS n FROM calls").get()?.n));
/** The highest request id stored (0 while the wrapper's observer is still making the database). */
function lastStoredId(dataDir: string): number {
  try {
    return read(dataDir, (db) =>
      Number(db.prepare("SELECT max(CAST(request_id AS INTEGER)) AS n FROM calls").get()?.n ?? 0),
    );
  } catch {
    return 0;
  }
}

function ourLines(run: RawProcess): string[] {
  return run
    .stderr()
    .toString("utf8")
    .split("\n")
    .filter((l) => l.startsWith("mcpscope:"));
}

describe("a database that refuses writes", () => {
  it("holds the calls made while it is full and stores them when the room comes back", async () => {
    const w = await wrapped("resumes");
    const before = await w.burst(1);
    await waitFor(() => lastStoredId(w.dataDir) >= before);

    w.full();
    // Fewer rows than the write queue holds: every call waits in it for the room to come back.
    await w.burst(300);
    await w.run.waitForStderr("database or disk is full");
    expect(lastStoredId(w.dataDir)).toBe(before);

    w.room();
    // The writer tries again on its own schedule, with no more traffic needed: a call made now is stored
    // after those held.
    const after = await w.burst(1);
    await waitFor(() => lastStoredId(w.dataDir) >= after);
    w.run.end();
    const result = await w.run.done;
    expect(result.code).toBe(0);

    expect(storedCalls(w.dataDir)).toBe(w.sent);
    const session = read(w.dataDir, (db) => db.prepare("SELECT ended_at, dropped FROM sessions").get());
    expect(session?.ended_at).not.toBeNull();
    expect(Number(session?.dropped)).toBe(0);
    // Said once, not once per failed try.
    expect(ourLines(w.run).filter((l) => /full/.test(l))).toHaveLength(1);
  });

  it("says at exit how many calls were lost when even the last write fails, and the engine closes the session", async () => {
    const w = await wrapped("stays-full");
    const before = await w.burst(1);
    await waitFor(() => lastStoredId(w.dataDir) >= before);
    w.full();
    await w.burst(300);
    await w.run.waitForStderr("database or disk is full");
    w.run.end();
    const result = await w.run.done;
    expect(result.code).toBe(0);

    const stored = storedCalls(w.dataDir);
    const lines = ourLines(w.run);
    expect(lines[lines.length - 1]).toContain(`${w.sent - stored} calls of this session were not recorded`);
    const open = read(w.dataDir, (db) => db.prepare("SELECT id, ended_at, started_at FROM sessions").get());
    expect(open?.ended_at).toBeNull();

    // The wrapper is gone: the engine's start closes its session at its last recorded activity.
    w.room();
    const engine = await createEngine({
      dataDir: w.dataDir,
      alerts: false,
      inventory: false,
      remoteProxies: false,
      readPool: false,
    });
    await engine.close();
    const closed = read(w.dataDir, (db) =>
      db.prepare("SELECT ended_at, end_reason FROM sessions WHERE id = ?").get(open?.id as string),
    );
    expect(closed?.end_reason).toBe("lost");
    const lastCall = read(w.dataDir, (db) =>
      Number(db.prepare("SELECT max(started_at + duration_ms) AS t FROM calls").get()?.t),
    );
    expect(Number(closed?.ended_at)).toBeGreaterThanOrEqual(lastCall);
    expect(Number(closed?.ended_at)).toBeGreaterThan(Number(open?.started_at));
  });

  it("ignores the hook outside the test runner: the variable left in a client's env never caps a database", async () => {
    const { VITEST: _, ...shipped } = process.env;
    const w = await wrapped("ungated", shipped);
    const before = await w.burst(1);
    await waitFor(() => lastStoredId(w.dataDir) >= before);
    w.full();
    const after = await w.burst(20);
    await waitFor(() => lastStoredId(w.dataDir) >= after);
    w.run.end();
    expect((await w.run.done).code).toBe(0);
    expect(storedCalls(w.dataDir)).toBe(w.sent);
    expect(ourLines(w.run).filter((l) => /full/.test(l))).toEqual([]);
  });

  it("counts in calls what does not fit in the write queue while the database is full", () => {
    const path = join(dir.path, "writer.db");
    const limit = join(dir.path, "writer.pages");
    openDb(path).close();
    writeFileSync(limit, "1");
    const problems: string[] = [];
    const writer = new BatchWriter({
      open: () => withTestPageLimit(openDb(path), limit),
      maxQueue: 100,
      fullRetryMs: 0,
      onProblem: (message) => problems.push(message),
    });
    const call = (i: number) =>
      writer.enqueue("calls", {
        session_id: "s",
        server: "x",
        direction: "c2s",
        request_id: String(i),
        method: "tools/call",
        started_at: i,
        duration_ms: 1,
        outcome: "ok",
        bytes_in: 1000,
        bytes_out: 1000,
        progress_count: 0,
        rounds: 0,
        request: "r".repeat(1000),
      });
    for (let i = 1; i <= 80; i++) call(i);
    expect(writer.flush()).toBe(false); // refused: the 80 rows stay queued
    for (let i = 81; i <= 130; i++) call(i); // 20 fit, 30 do not
    expect(writer.droppedCalls).toBe(30);
    rmSync(limit);
    expect(writer.close()).toBe(true);
    expect(countCalls(path)).toBe(100);
    expect(writer.droppedCalls).toBe(30);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/database or disk is full/);
  });
});

function countCalls(path: string): number {
  const db = openDb(path, { readOnly: true });
  try {
    return Number(db.prepare("SELECT count(*) AS n FROM calls").get()?.n);
  } finally {
    db.close();
  }
}
