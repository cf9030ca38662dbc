/**
 * Sessions whose wrapper died without closing them: the engine closes them at their last recorded
 * activity, marked lost, with one `session.lost` event; a wrapper still running keeps its session open,
 * and a pid that another process got since does not (checked on Linux, from the process's start ticks,
 * which no wall-clock step moves). A wrapper still running whose session was closed anyway reopens it with
 * its next write, and its own end says how it really ended.
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { sessionTimeline } from "../../electron/monitor/events/queries.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { processStartTicks } from "../../electron/monitor/process-start.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { closeLostSessions, wrapperAlive } from "../../electron/monitor/store/lost-sessions.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { type SessionTimeline, sessionEndText } from "../../shared/events.js";
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
    await run.waitForStdout('"id":1}');
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
    if (process.platform === "linux") {
      // The wall clock stepped an hour since the session started: the wrapper still runs, and says so.
      withDb(dataDir, (db) => {
        expect(db.prepare("SELECT wrapper_start_ticks AS t FROM sessions").get()?.t).toBe(
          processStartTicks(run.pid ?? 0),
        );
        db.prepare("UPDATE sessions SET started_at = started_at - 3600000").run();
        expect(closeLostSessions(db)).toEqual([]);
      });
    }
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
      // Rows an older wrapper wrote, without its start ticks: judged by wall-clock start times.
      const old = (pid: number, startedAt: number) => wrapperAlive({ pid, startTicks: null, startedAt });
      expect(old(running.pid, sessionStart)).toBe(true);
      expect(old(reused.pid, sessionStart - 3_600_000)).toBe(false);
      expect(old(gone.pid, sessionStart)).toBe(false);
      // With start ticks the wall clock plays no part: the same ticks are the same process, whenever the
      // clock says the session started; other ticks are another process that got the pid.
      const runningTicks = processStartTicks(running.pid);
      expect(runningTicks).not.toBeNull();
      const ticked = (startTicks: number | null, startedAt: number) =>
        wrapperAlive({ pid: running.pid, startTicks, startedAt });
      expect(ticked(runningTicks, sessionStart - 3_600_000)).toBe(true);
      expect(ticked(runningTicks, sessionStart + 3_600_000)).toBe(true);
      // The wrapper that wrote the row started a tick earlier than the process now holding its pid.
      expect(ticked((runningTicks ?? 0) - 1, sessionStart)).toBe(false);
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

  it("a session closed as lost while its wrapper runs is reopened by the wrapper's next write, and its exit says exit", () => {
    const dataDir = join(dir.path, "reopen");
    const identity = {
      sessionId: "s1",
      server: "memory",
      command: "x",
      startedAt: Date.now(),
      pid: null,
      wrapperPid: process.pid,
    };
    let recorder: SessionRecorder | null = null;
    const writer = new BatchWriter({
      open: () => openDb(databasePath(dataDir)),
      afterBatch: (db) => recorder?.writeSessionRow(db),
      onBatch: () => recorder?.committed(),
    });
    recorder = new SessionRecorder(writer, identity);
    const row = () =>
      withDb(dataDir, (db) =>
        db.prepare("SELECT ended_at, end_reason, exit_code FROM sessions WHERE id = 's1'").get(),
      );
    try {
      writer.flush();
      // The engine took the wrapper for gone (as `closeLostSessions` does) while it still ran.
      withDb(dataDir, (db) =>
        db.prepare("UPDATE sessions SET ended_at = started_at, end_reason = 'lost' WHERE id = 's1'").run(),
      );
      recorder.setPid(4242);
      writer.flush();
      expect(row()).toEqual({ ended_at: null, end_reason: null, exit_code: null });
      // This process is the wrapper, with its start ticks stored: alive, left open.
      expect(withDb(dataDir, (db) => closeLostSessions(db))).toEqual([]);

      const endedAt = Date.now();
      recorder.ended({ endedAt, exitCode: 0, signal: null });
      writer.close();
      expect(row()).toEqual({ ended_at: endedAt, end_reason: "exit", exit_code: 0 });
      const timeline = withDb(dataDir, (db) => sessionTimeline(db, "s1"));
      expect(timeline?.session.endReason).toBe("exit");
      expect(timeline && sessionEndText(timeline.session)).toBe("the server exited with code 0");
    } finally {
      writer.close();
    }
  });
});
