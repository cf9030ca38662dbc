/**
 * Sessions whose wrapper died without closing them: the engine closes them at their last recorded
 * activity, marked lost, with one `session.lost` event; a wrapper still running keeps its session open,
 * and a pid that another process got since does not (checked on Linux, from the process's start time).
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { closeLostSessions, wrapperAlive } from "../../electron/monitor/store/lost-sessions.js";
import type { SessionTimeline } from "../../shared/events.js";
import { killAll, startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterEach(() => killAll());
afterAll(async () => {
  await dir.cleanup();
});

function withDb<T>(dataDir: string, fn: (db: Db) => T): T {
  const db = openDb(databasePath(dataDir));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A process that idles until killed, and its pid once it runs. */
async function idler(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  await once(child, "spawn");
  return {
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill();
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
    },
  };
}

describe("sessions whose wrapper is gone", () => {
  it("a wrapper killed with -9: the engine's start closes its session as lost, and `session` says so", async () => {
    const dataDir = join(dir.path, "killed");
    const run = startRaw(process.execPath, [
      MCPSCOPE,
      "run",
      "--name",
      "everything",
      "--data-dir",
      dataDir,
      "--",
      process.execPath,
      ...SERVERS.everything(),
    ]);
    await run.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "kill-test", version: "1.0.0" } } })}\n`,
    );
    await run.waitForStdout('"id":1}', 20_000);
    await run.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { message: "hi" } } })}\n`,
    );
    await run.waitForStdout('"id":2}');
    const stored = await waitFor(() => {
      try {
        return withDb(dataDir, (db) =>
          db
            .prepare(
              "SELECT s.id, s.pid, c.started_at + c.duration_ms AS end FROM sessions s JOIN calls c ON c.session_id = s.id WHERE c.request_id = '2'",
            )
            .get(),
        );
      } catch {
        return undefined; // the observer is still making the database
      }
    });
    const id = String(stored.id);
    run.kill("SIGKILL");
    await run.done;
    // The server the wrapper started outlives it (nothing closed its stdin): stop it too.
    process.kill(Number(stored.pid), "SIGKILL");
    expect(withDb(dataDir, (db) => db.prepare("SELECT ended_at FROM sessions").get()?.ended_at)).toBeNull();

    const engine = await createEngine({ dataDir, inventory: false, alerts: false, remoteProxies: false });
    try {
      const timeline = (await engine.invoke("sessions.timeline", { id })) as SessionTimeline;
      expect(timeline.session.endReason).toBe("lost");
      // Its last recorded activity: the latest of its calls' ends, log records and events.
      const last = withDb(dataDir, (db) =>
        Math.max(
          ...[
            "SELECT max(started_at + duration_ms) AS t FROM calls WHERE session_id = ?",
            "SELECT max(time) AS t FROM logs WHERE session_id = ?",
            "SELECT max(time) AS t FROM events WHERE session_id = ? AND type <> 'session.lost'",
          ].map((sql) => Number(db.prepare(sql).get(id)?.t ?? 0)),
        ),
      );
      expect(last).toBeGreaterThanOrEqual(Number(stored.end));
      expect(Date.parse(timeline.session.endedAt ?? "")).toBe(Math.floor(last));
      const lost = timeline.items.filter(
        (item) => item.kind === "event" && item.summary.startsWith("session.lost"),
      );
      expect(lost).toHaveLength(1);
    } finally {
      await engine.close();
    }

    const { stdout } = await promisify(execFile)(process.execPath, [
      MCPSCOPE,
      "session",
      id,
      "--data-dir",
      dataDir,
    ]);
    expect(stdout).toMatch(/, ended .*\(lost: its wrapper ended without closing it/);
    expect(stdout).not.toMatch(/still running/);
  });

  it("keeps a running wrapper's session open, and closes one whose pid another process got since", async (context) => {
    if (process.platform !== "linux") context.skip(); // process start times come from /proc
    const dataDir = join(dir.path, "pids");
    const running = await idler(); // stands for a wrapper that started this session and still runs
    const sessionStart = Date.now();
    const reused = await idler(); // got the pid of a wrapper that died an hour ago
    const gone = await idler();
    await gone.stop();
    try {
      expect(wrapperAlive(running.pid, sessionStart)).toBe(true);
      expect(wrapperAlive(reused.pid, sessionStart - 3_600_000)).toBe(false);
      expect(wrapperAlive(gone.pid, sessionStart)).toBe(false);
      const closed = withDb(dataDir, (db) => {
        const add = db.prepare(
          "INSERT INTO sessions (id, server, command, started_at, wrapper_pid) VALUES (?, 's', 'x', ?, ?)",
        );
        add.run("running", sessionStart, running.pid);
        add.run("reused", sessionStart - 3_600_000, reused.pid);
        add.run("gone", sessionStart - 60_000, gone.pid);
        // The gone session's last activity is its last log record, after its last call ended.
        db.prepare(
          `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome,
             bytes_in, bytes_out) VALUES ('gone', 's', 'c2s', '1', 'ping', ?, 5, 'ok', 1, 1)`,
        ).run(sessionStart - 50_000);
        db.prepare(
          "INSERT INTO logs (time, level, server, session_id, source, message) VALUES (?, 'info', 's', 'gone', 'stderr', 'bye')",
        ).run(sessionStart - 40_000);
        const first = closeLostSessions(db, sessionStart);
        const again = closeLostSessions(db, sessionStart + 1000);
        return { first, again };
      });
      expect(closed.first.map((s) => s.id).sort()).toEqual(["gone", "reused"]);
      expect(closed.again).toEqual([]);
      const rows = withDb(dataDir, (db) =>
        db.prepare("SELECT id, ended_at, end_reason FROM sessions ORDER BY id").all(),
      );
      expect(rows).toEqual([
        { id: "gone", ended_at: sessionStart - 40_000, end_reason: "lost" },
        { id: "reused", ended_at: sessionStart - 3_600_000, end_reason: "lost" },
        { id: "running", ended_at: null, end_reason: null },
      ]);
      const events = withDb(dataDir, (db) =>
        db
          .prepare("SELECT session_id, time FROM events WHERE type = 'session.lost' ORDER BY session_id")
          .all(),
      );
      expect(events).toEqual([
        { session_id: "gone", time: sessionStart - 40_000 },
        { session_id: "reused", time: sessionStart - 3_600_000 },
      ]);
    } finally {
      await running.stop();
      await reused.stop();
    }
  });
});
