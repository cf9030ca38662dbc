/**
 * A task nobody hears of again (its client stopped polling, and no `tasks/result` waits on it) must not
 * keep its call running for ever: past its bound (the task's ttl, or an hour without one, never less than
 * the request timeout) the call ends as `timeout`, its task `expired`, counted once; an end seen after
 * that still gives the call its real outcome, as a late answer does; so does a task its server says it no
 * longer knows. Nor does a wrapper that dies first:
 * the engine that closes its session as lost ends its tasks' calls as the session's end would have. The
 * observer and the store over a real database, on the traffic's own clock: each line and tick is given
 * its time.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldOnce } from "../../electron/monitor/metrics/fold.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { SessionObserver } from "../../electron/monitor/protocol/session-observer.js";
import { TaskCalls } from "../../electron/monitor/protocol/task-calls.js";
import { SESSION_WATCHERS } from "../../electron/monitor/session-watchers.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { closeLostSessions } from "../../electron/monitor/store/lost-sessions.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import type { CallDetail, StatsDocument } from "../../shared/domain.js";
import { UNHEARD_TASK_MS } from "../../shared/tasks.js";
import { cliJsonInProcess } from "../helpers/cli-in-process.js";
import { tempStore } from "../logs/store.js";

let store: Awaited<ReturnType<typeof tempStore>>;
let db: Db;
beforeAll(async () => {
  store = await tempStore();
  db = store.db;
});
afterAll(() => store.cleanup());

const MIN = 60_000;
const rpc = (id: number, method: string, params: unknown) => ({ jsonrpc: "2.0", id, method, params });
const ok = (id: number, result: unknown) => ({ jsonrpc: "2.0", id, result });
const task = (status: string, ttl: number | null) => ({
  taskId: "T",
  status,
  createdAt: "2026-12-07T10:00:00Z",
  lastUpdatedAt: "2026-12-07T10:00:00Z",
  ttl,
  pollInterval: 1000,
});

/**
 * A session of `server` whose client called `research` as a task at t0 (3 hours ago), with this ttl,
 * recorded by the wrapper of pid `wrapperPid`: by default this process, whose start ticks the row then
 * holds, so that the engine takes the session for live however long ago the machine booted (a pid with
 * no ticks that started after the session would count as reused). Given `shared`, its tasks are followed there and expired by
 * its owner, as the HTTP proxy's session-less exchanges' are (http-sessions.ts).
 */
function session(server: string, ttl: number | null, wrapperPid = process.pid, shared?: TaskCalls) {
  // The session's own row too: its calls' audit records name it.
  const writer = new BatchWriter({
    open: () => openDb(databasePath(store.dataDir)),
    afterBatch: (into) => recorder.writeSessionRow(into),
  });
  const t0 = Date.now() - 180 * MIN;
  const identity = { sessionId: server, server, command: "x", startedAt: t0, pid: 1, wrapperPid };
  const watchers = SESSION_WATCHERS.map((f) => f({ identity, writer, dataDir: store.dataDir, client: null }));
  const recorder: SessionRecorder = new SessionRecorder(writer, identity, undefined, null, watchers);
  const observer = new SessionObserver(recorder, { timeoutMs: 2000, ...(shared ? { tasks: shared } : {}) });
  const send = (stream: "in" | "out", message: unknown, at: number) => {
    observer.line(stream, Buffer.from(JSON.stringify(message)), t0 + at);
    writer.flush();
  };
  send("in", rpc(1, "tools/call", { name: "research", arguments: {}, task: { ttl } }), 0);
  send("out", ok(1, { task: task("working", ttl) }), 10);
  return {
    send,
    tick(at: number) {
      observer.tick(t0 + at);
      shared?.expire(t0 + at, 2000, () => observer.taskResultsWaiting());
      writer.flush();
    },
    close(at: number) {
      observer.close(t0 + at);
      writer.close();
    },
    /** The wrapper dies: what it wrote stays as it was. */
    die() {
      writer.close();
    },
    t0,
  };
}

/** The server's calls as `mcpscope calls --json` lists them. */
async function listed(server: string): Promise<CallDetail[]> {
  const args = ["calls", "--server", server, "--data-dir", store.dataDir];
  return (await cliJsonInProcess<{ calls: CallDetail[] }>(args)).calls;
}

async function stored(server: string) {
  const args = ["--server", server, "--data-dir", store.dataDir];
  const calls = await listed(server);
  const stats = await cliJsonInProcess<StatsDocument>(["stats", "--since", "4h", ...args]);
  const call = calls.find((c) => c.method === "tools/call");
  return { call, server: stats.servers[0], methods: calls.map((c) => c.method) };
}

function audited(server: string) {
  return db
    .prepare(
      `SELECT r.outcome FROM audit_records r JOIN audit_subjects s ON s.id = r.subject WHERE s.session_id = ?`,
    )
    .all(server);
}

describe("a task nobody hears of again", () => {
  it("ends as timeout once its ttl passed unheard, and takes its real end if that is seen after", async () => {
    const s = session("task-ttl", 5 * MIN);
    s.send("in", rpc(2, "tasks/get", { taskId: "T" }), 1 * MIN);
    s.send("out", ok(2, task("working", 5 * MIN)), 1 * MIN + 5);
    // Heard of a minute in: its ttl counts from then.
    s.tick(6 * MIN);
    expect((await stored("task-ttl")).call).toMatchObject({ outcome: null, task: { state: "working" } });
    foldOnce(db);
    s.tick(6 * MIN + 10);
    let { call, server } = await stored("task-ttl");
    expect(call).toMatchObject({
      outcome: "timeout",
      durationMs: 6 * MIN + 10,
      task: { id: "T", state: "expired" },
      errorMessage: expect.stringContaining("nothing heard of its task for 300 s"),
    });
    expect(call?.taskUpdates.map((u) => u.state)).toEqual(["working", "expired"]);
    expect(server).toMatchObject({ calls: 1, errors: 1 });
    expect(audited("task-ttl")).toEqual([{ outcome: "timeout" }]);
    // Counted as the timeout it is now, once, by the fold too.
    foldOnce(db);
    expect((await stored("task-ttl")).server).toMatchObject({ calls: 1, errors: 1 });

    // The client asks again: the task had completed. Its call takes that end, counted once, as it was.
    s.send("in", rpc(3, "tasks/get", { taskId: "T" }), 7 * MIN);
    s.send("out", ok(3, task("completed", 5 * MIN)), 7 * MIN + 5);
    ({ call, server } = await stored("task-ttl"));
    expect(call).toMatchObject({ outcome: "ok", durationMs: 7 * MIN + 5, task: { state: "completed" } });
    expect(server).toMatchObject({ calls: 1, errors: 0 });
    expect(server?.operations[0]?.outcomes).toMatchObject({ ok: 1, timeout: 0 });
    // Audited and said once, when it ended as timeout; the store alone takes the late end.
    expect(audited("task-ttl")).toEqual([{ outcome: "timeout" }]);
    s.close(8 * MIN);
    expect((await stored("task-ttl")).call).toMatchObject({ outcome: "ok", task: { state: "completed" } });
  });

  it("without a ttl waits an hour from the last news, and not while a tasks/result waits on it", async () => {
    const s = session("task-no-ttl", null);
    s.send("in", rpc(2, "tasks/get", { taskId: "T" }), 30 * MIN);
    s.send("out", ok(2, task("input_required", null)), 30 * MIN + 5);
    s.tick(30 * MIN + UNHEARD_TASK_MS);
    expect((await stored("task-no-ttl")).call).toMatchObject({
      outcome: null,
      task: { state: "input_required" },
    });
    // The client blocks on tasks/result: however long that takes, it is waiting for the task.
    s.send("in", rpc(3, "tasks/result", { taskId: "T" }), 31 * MIN);
    s.tick(31 * MIN + 2 * UNHEARD_TASK_MS);
    expect((await stored("task-no-ttl")).call).toMatchObject({ outcome: null });
    // It gives up waiting, and nothing more is heard: an hour after the last tick that saw it wait, it expired.
    s.send("in", { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 3 } }, 152 * MIN);
    s.tick(151 * MIN + UNHEARD_TASK_MS);
    expect((await stored("task-no-ttl")).call).toMatchObject({ outcome: null });
    s.tick(151 * MIN + UNHEARD_TASK_MS + MIN);
    const { call, server, methods } = await stored("task-no-ttl");
    expect(call).toMatchObject({ outcome: "timeout", task: { state: "expired" } });
    expect(server).toMatchObject({ calls: 1, errors: 1 });
    // The tasks/result it gave up is the task's bookkeeping, not a cancelled call of its own.
    expect(methods).toEqual(["tools/call"]);
    // The session's end after that leaves it as it is: it ended already.
    s.close(240 * MIN);
    expect((await stored("task-no-ttl")).call).toMatchObject({
      outcome: "timeout",
      task: { state: "expired" },
    });
  });

  it("ends as timeout at once when the server says it no longer knows the task", async () => {
    const s = session("task-forgotten", 5 * MIN);
    // An error that says nothing of the task (the server busy) leaves its call running.
    s.send("in", rpc(1_000, "tasks/get", { taskId: "T" }), 8 * MIN);
    s.send("out", { jsonrpc: "2.0", id: 1_000, error: { code: -32603, message: "busy" } }, 8 * MIN + 4);
    expect((await stored("task-forgotten")).call).toMatchObject({
      outcome: null,
      task: { state: "working" },
    });
    s.send("in", rpc(2, "tasks/get", { taskId: "T" }), 9 * MIN);
    const expired = { code: -32602, message: "Failed to retrieve task: Task has expired" };
    s.send("out", { jsonrpc: "2.0", id: 2, error: expired }, 9 * MIN + 4);
    const { call, methods } = await stored("task-forgotten");
    expect(call).toMatchObject({
      outcome: "timeout",
      durationMs: 9 * MIN + 4,
      errorMessage: "the server no longer knows its task: Failed to retrieve task: Task has expired",
      task: { state: "expired" },
    });
    // The polls answered with an error are calls of their own, as any tasks/get answered with an error.
    expect(methods.sort()).toEqual(["tasks/get", "tasks/get", "tools/call"]);
    // Its result asked for after that, unknown too: still no end of the task, nor a failure of its tool;
    // the error is the tasks/result's own.
    s.send("in", rpc(3, "tasks/result", { taskId: "T" }), 9 * MIN + 10);
    s.send(
      "out",
      { jsonrpc: "2.0", id: 3, error: { code: -32602, message: "Task not found" } },
      9 * MIN + 14,
    );
    const after = await stored("task-forgotten");
    expect(after.call).toMatchObject({
      outcome: "timeout",
      durationMs: 9 * MIN + 4,
      task: { state: "expired" },
    });
    expect(after.methods.sort()).toEqual(["tasks/get", "tasks/get", "tasks/result", "tools/call"]);
    s.close(10 * MIN);
  });

  it("ends as disconnected, unfinished, when its wrapper died first and the engine closes the session", async () => {
    const gone = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    const [code] = await once(gone, "exit");
    expect(code).toBe(0);
    const s = session("task-lost", 5 * MIN, gone.pid);
    s.send("in", rpc(2, "tasks/get", { taskId: "T" }), 2 * MIN);
    s.send("out", ok(2, task("input_required", 5 * MIN)), 2 * MIN + 5);
    s.die();
    foldOnce(db);
    expect((await stored("task-lost")).server?.calls ?? 0).toBe(0);
    const closed = closeLostSessions(db);
    expect(closed.map((c) => c.id)).toEqual(["task-lost"]);
    const { call, server } = await stored("task-lost");
    // At its last news, after the session's last recorded activity (the task's creation).
    expect(call).toMatchObject({
      outcome: "disconnected",
      durationMs: 2 * MIN + 5,
      errorMessage: "the session ended while its task ran",
      task: { id: "T", state: "unfinished" },
    });
    expect(call?.taskUpdates.map((u) => u.state)).toEqual(["working", "input_required", "unfinished"]);
    expect(server).toMatchObject({ calls: 1, errors: 1 });
    foldOnce(db);
    expect((await stored("task-lost")).server).toMatchObject({ calls: 1, errors: 1 });
  });

  it("is let go once ended and unheard of past its bound again, by the proxy's shared follower too", async () => {
    // The HTTP proxy follows every session-less task in one follower for its whole life: a task whose
    // result nobody asks for, or whose late end never comes, must not stay there (with its exchange).
    const shared = new TaskCalls();
    const s = session("task-let-go", 5 * MIN, 2, shared);
    s.send("in", rpc(2, "tasks/get", { taskId: "T" }), 1 * MIN);
    s.send("out", ok(2, task("completed", 5 * MIN)), 1 * MIN + 5);
    const other = { ...task("working", 5 * MIN), taskId: "U" };
    s.send("in", rpc(3, "tools/call", { name: "research", arguments: {}, task: { ttl: 5 * MIN } }), 2 * MIN);
    s.send("out", ok(3, { task: other }), 2 * MIN + 10);
    // T ended, its tasks/result may still come; U runs.
    s.tick(6 * MIN);
    expect(shared.size).toBe(2);
    // Five minutes after its end T is let go; U expires past its bound, its late end still awaited.
    s.tick(7 * MIN + 11);
    expect(shared.size).toBe(1);
    let calls = await listed("task-let-go");
    expect(calls.map((c) => [c.task?.id, c.outcome])).toEqual([
      ["U", "timeout"],
      ["T", "ok"],
    ]);
    // Its client polls it again, still working: it is kept for its late end, which comes.
    s.send("in", rpc(5, "tasks/get", { taskId: "U" }), 10 * MIN);
    s.send("out", ok(5, other), 10 * MIN + 5);
    s.tick(12 * MIN + 12);
    expect(shared.size).toBe(1);
    s.send("in", rpc(6, "tasks/get", { taskId: "U" }), 14 * MIN);
    s.send("out", ok(6, { ...other, status: "completed" }), 14 * MIN + 5);
    calls = await listed("task-let-go");
    expect(calls.map((c) => [c.task?.id, c.outcome])).toEqual([
      ["U", "ok"],
      ["T", "ok"],
    ]);
    // As long again since its end, U is let go too.
    s.tick(19 * MIN + 6);
    expect(shared.size).toBe(0);
    // A result asked for after that leaves the task's call as it is: the tasks/result, which no task here
    // waits on any more, is a call of its own.
    s.send("in", rpc(4, "tasks/result", { taskId: "T" }), 20 * MIN);
    s.send("out", ok(4, { content: [{ type: "text", text: "late" }], isError: true }), 20 * MIN + 5);
    calls = await listed("task-let-go");
    expect(calls.map((c) => [c.method, c.task?.id, c.outcome])).toEqual([
      ["tasks/result", undefined, "tool_error"],
      ["tools/call", "U", "ok"],
      ["tools/call", "T", "ok"],
    ]);
    shared.close(21 * MIN);
    s.close(21 * MIN);
  });

  it("ends as disconnected, unfinished, when a later task takes its id", async () => {
    // A stateless server restarted behind the proxy counts its task ids afresh.
    const s = session("task-reused", 5 * MIN);
    s.send("in", rpc(7, "tools/call", { name: "research", arguments: {}, task: { ttl: 5 * MIN } }), MIN);
    s.send("out", ok(7, { task: task("working", 5 * MIN) }), MIN + 10);
    s.send("in", rpc(8, "tasks/get", { taskId: "T" }), 2 * MIN);
    s.send("out", ok(8, task("completed", 5 * MIN)), 2 * MIN + 5);
    const calls = await listed("task-reused");
    expect(calls.map((c) => [c.requestId, c.outcome, c.task?.state])).toEqual([
      ["7", "ok", "completed"],
      ["1", "disconnected", "unfinished"],
    ]);
    expect(calls[1]).toMatchObject({
      durationMs: MIN,
      errorMessage: "no longer followed: a later task took its id",
    });
    s.close(3 * MIN);
  });
});
