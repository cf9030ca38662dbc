/**
 * A task-augmented call (MCP 2025-11-25 tasks) is answered at once with the task it created; its real
 * outcome and duration come with the task's end. The observer and the store, in process over a real
 * database, driven by the traffic's own clock: the call is stored as running (no outcome, counted
 * nowhere), then takes the end of its task — a terminal status, `tasks/result`'s answer, or the session's
 * end — and the figures count it once, as that.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditKey, keyedArgumentsDigest } from "../../electron/monitor/audit/audit-key.js";
import { CallFeed, type FeedCall } from "../../electron/monitor/export/call-feed.js";
import { LiveFeeds } from "../../electron/monitor/live-feeds.js";
import { LoggingSystem } from "../../electron/monitor/logs/logging-system.js";
import { foldOnce } from "../../electron/monitor/metrics/fold.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { SessionObserver } from "../../electron/monitor/protocol/session-observer.js";
import { SESSION_WATCHERS } from "../../electron/monitor/session-watchers.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { type Db, openDb, type SqlValue } from "../../electron/monitor/store/db.js";
import { listCallDetails, listCalls, runningCalls } from "../../electron/monitor/store/queries.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { callsExport } from "../../shared/calls-export.js";
import type { CallDetail, CallSummary, StatsDocument } from "../../shared/domain.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { waitFor } from "../helpers/mcp.js";
import { tempStore } from "../logs/store.js";

let store: Awaited<ReturnType<typeof tempStore>>;
let db: Db;
beforeAll(async () => {
  store = await tempStore();
  db = store.db;
});
afterAll(() => store.cleanup());

const rpc = (id: number, method: string, params: unknown) => ({ jsonrpc: "2.0", id, method, params });
const ok = (id: number, result: unknown) => ({ jsonrpc: "2.0", id, result });
const task = (taskId: string, status: string, statusMessage?: string) => ({
  taskId,
  status,
  ...(statusMessage ? { statusMessage } : {}),
  createdAt: "2026-12-07T10:00:00Z",
  lastUpdatedAt: "2026-12-07T10:00:00Z",
  ttl: 60_000,
  pollInterval: 100,
});

/**
 * One wrapped session of `server` whose client called tool `research` as a task (request 1) at `t0`, a
 * few minutes ago, and got task `T` back 12 ms later.
 */
function session(server: string) {
  // The session's own row too: its timeline is read by its id.
  const writer = new BatchWriter({
    open: () => openDb(databasePath(store.dataDir)),
    afterBatch: (into) => recorder.writeSessionRow(into),
  });
  const identity = { sessionId: server, server, command: "x", startedAt: Date.now(), pid: 1, wrapperPid: 2 };
  const watchers = SESSION_WATCHERS.map((f) => f({ identity, writer, dataDir: store.dataDir, client: null }));
  const recorder: SessionRecorder = new SessionRecorder(writer, identity, undefined, null, watchers);
  const observer = new SessionObserver(recorder, { timeoutMs: 2000 });
  const t0 = Date.now() - 5 * 60_000;
  const send = (stream: "in" | "out", message: unknown, at: number) => {
    observer.line(stream, Buffer.from(JSON.stringify(message)), t0 + at);
    writer.flush();
  };
  send("in", rpc(1, "tools/call", { name: "research", arguments: { topic: "x" }, task: { ttl: 60_000 } }), 0);
  send("out", ok(1, { task: task("T", "working", "Gathering sources") }), 12);
  return {
    send,
    abandon(id: number, at: number) {
      observer.abandon("in", [id], "cancelled", t0 + at, "the client closed the stream");
      writer.flush();
    },
    close(at: number) {
      observer.close(t0 + at);
      writer.close();
    },
  };
}

async function stored(server: string, ...filter: string[]) {
  const args = ["--server", server, "--data-dir", store.dataDir];
  const { calls } = await cliJsonInProcess<{ calls: CallDetail[] }>(["calls", ...args, ...filter]);
  const stats = await cliJsonInProcess<StatsDocument>(["stats", "--since", "1h", ...args]);
  return { calls, server: stats.servers[0] };
}

describe("a task-augmented tools/call", () => {
  it("is stored as running, counted nowhere, and takes its task's end and the tool's result", async () => {
    const s = session("task-done");
    let { calls, server } = await stored("task-done");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      outcome: null,
      task: { id: "T", state: "working" },
      target: "research",
    });
    expect(server?.calls ?? 0).toBe(0);
    const table = (await cliOkInProcess(["calls", "--server", "task-done", "--data-dir", store.dataDir]))
      .stdout;
    expect(table).toContain("working (task)");
    expect((await stored("task-done", "--outcome", "ok")).calls).toEqual([]);
    // Asked for as what it is: still running, as `--help` says.
    const help = (await cliOkInProcess(["calls", "--help"])).stdout;
    expect(help).toMatch(
      /--outcome OUTCOME\s+ok, tool_error, .*disconnected; or running: the calls still working/,
    );
    const running = (await stored("task-done", "--outcome", "running")).calls;
    expect(running.map((c) => [c.target, c.outcome, c.task?.state])).toEqual([["research", null, "working"]]);
    // A fold passes it while it runs, and counts nothing of it.
    foldOnce(db);
    // Polls feed the task's call; they are not calls of their own.
    s.send("in", rpc(2, "tasks/get", { taskId: "T" }), 1000);
    s.send("out", ok(2, task("T", "working", "Analyzing content")), 1002);
    s.send("in", rpc(3, "tasks/get", { taskId: "T" }), 2000);
    s.send("out", ok(3, task("T", "working", "Analyzing content")), 2002);
    s.send("in", rpc(4, "tasks/get", { taskId: "T" }), 4000);
    s.send("out", ok(4, task("T", "completed")), 4003);
    s.send("in", rpc(5, "tasks/result", { taskId: "T" }), 4010);
    const result = { content: [{ type: "text", text: "the report" }] };
    s.send(
      "out",
      ok(5, { ...result, _meta: { "io.modelcontextprotocol/related-task": { taskId: "T" } } }),
      4015,
    );
    ({ calls, server } = await stored("task-done"));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      outcome: "ok",
      durationMs: 4003,
      task: { id: "T", state: "completed" },
    });
    expect(calls[0]?.response).toContain("the report");
    expect(calls[0]?.taskUpdates.map((u) => [u.state, u.message])).toEqual([
      ["working", "Gathering sources"],
      ["working", "Analyzing content"],
      ["completed", null],
    ]);
    expect(server).toMatchObject({ calls: 1, errors: 0 });
    expect(server?.operations[0]?.latency_ms.max).toBeCloseTo(4003, -2);
    expect(
      (await cliOkInProcess(["calls", "--server", "task-done", "--data-dir", store.dataDir])).stdout,
    ).toContain("ok (task completed)");
    // Ended, it is running no more, and is listed among its outcome's calls.
    expect((await stored("task-done", "--outcome", "running")).calls).toEqual([]);
    expect((await stored("task-done", "--outcome", "ok")).calls).toHaveLength(1);
    // Audited once, as it ended, with its arguments.
    const audited = db
      .prepare(
        `SELECT r.outcome, r.duration_us, hex(r.args_digest) AS args_digest FROM audit_records r
         JOIN audit_subjects s ON s.id = r.subject WHERE s.session_id = 'task-done'`,
      )
      .all();
    const digest = keyedArgumentsDigest(auditKey(store.dataDir), { topic: "x" });
    expect(audited).toEqual([{ outcome: "ok", duration_us: 4_003_000, args_digest: digest.toUpperCase() }]);
    s.close(5000);
  });

  it("exports its task's id and state as the CSV's last columns, an id a spreadsheet would run as text", async () => {
    const s = session("task-csv");
    s.send("in", rpc(2, "tools/call", { name: "sheet", arguments: {}, task: {} }), 100);
    s.send("out", ok(2, { task: task('=HYPERLINK("http://x")', "completed") }), 130);
    s.send("in", rpc(3, "tools/call", { name: "plain", arguments: {} }), 200);
    s.send("out", ok(3, { content: [] }), 210);
    const query = { server: "task-csv", until: new Date().toISOString() };
    const csv = callsExport("csv", query, {
      list: async (q) => listCalls(db, q),
      details: async (q) => listCallDetails(db, q),
    });
    let text = "";
    for await (const piece of csv.pieces) text += piece;
    const [header, ...rows] = text.trimEnd().split("\r\n");
    expect(header?.split(",").slice(-4)).toEqual(["session", "request_id", "task_id", "task_state"]);
    const byRequest = Object.fromEntries(rows.map((r) => [r.split(",").at(-3), r]));
    expect(byRequest["1"]).toMatch(/,1,T,working$/);
    expect(byRequest["2"]).toMatch(/,2,"'=HYPERLINK\(""http:\/\/x""\)",completed$/);
    expect(byRequest["3"]).toMatch(/,3,,$/);
    s.close(1000);
  });

  it("is found among the running calls by their index, with any filter, not by reading every call", () => {
    // Each listing's query planned instead of run, with its own parameters.
    const plans: string[] = [];
    const planning = new Proxy(db, {
      get: (target, key) =>
        key === "prepare"
          ? (sql: string) => ({
              all: (...params: SqlValue[]) => {
                const plan = target.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params);
                plans.push(plan.map((row) => String(row.detail)).join("; "));
                return [];
              },
            })
          : Reflect.get(target, key),
    });
    listCalls(planning, { outcome: "running", limit: 200 });
    listCalls(planning, { outcome: "running", server: "task-done", limit: 200 });
    listCallDetails(planning, { outcome: "running", server: "task-done", tool: "research", since: "1h" });
    // What a fresh live Calls list follows of them (live-feeds.ts).
    runningCalls(planning, 500);
    expect(plans).toHaveLength(4);
    for (const plan of plans) expect(plan).toContain("USING INDEX calls_running");
  });

  it("ends as a tool error when tasks/result answers with isError, status or not", async () => {
    const s = session("task-tool-error");
    s.send("in", rpc(2, "tasks/result", { taskId: "T" }), 20);
    s.send("out", ok(2, { content: [{ type: "text", text: "no such topic" }], isError: true }), 3000);
    const { calls, server } = await stored("task-tool-error");
    expect(calls[0]).toMatchObject({
      outcome: "tool_error",
      errorMessage: "no such topic",
      durationMs: 3000,
      task: { state: "failed" },
    });
    expect(server).toMatchObject({ calls: 1, errors: 1 });
    s.close(5000);
  });

  it("ends as an error when the task fails, and as the tool's error when tasks/result tells it after", async () => {
    const s = session("task-failed");
    s.send(
      "out",
      { jsonrpc: "2.0", method: "notifications/tasks/status", params: task("T", "failed", "API down") },
      2500,
    );
    let { calls, server } = await stored("task-failed");
    expect(calls[0]).toMatchObject({ outcome: "server_error", errorMessage: "API down", durationMs: 2500 });
    expect(calls[0]?.task).toEqual({ id: "T", state: "failed" });
    expect(server).toMatchObject({ calls: 1, errors: 1 });
    // Said once as an error, as it ended.
    const said = db.prepare(
      "SELECT message FROM events WHERE session_id = 'task-failed' AND category = 'error'",
    );
    expect(said.all()).toEqual([{ message: expect.stringContaining("API down") }]);
    s.send("in", rpc(2, "tasks/result", { taskId: "T" }), 2600);
    s.send("out", ok(2, { content: [{ type: "text", text: "rate limited" }], isError: true }), 2610);
    ({ calls, server } = await stored("task-failed"));
    // Its duration stays the task's: the end was seen at the status.
    expect(calls[0]).toMatchObject({ outcome: "tool_error", errorMessage: "rate limited", durationMs: 2500 });
    expect(server).toMatchObject({ calls: 1, errors: 1 });
    expect(server?.operations[0]?.outcomes).toMatchObject({ tool_error: 1, server_error: 0 });
    s.close(5000);
  });

  it("ends at once when the task it created had already ended", async () => {
    const s = session("task-at-once");
    s.send("in", rpc(2, "tools/call", { name: "quick", arguments: {}, task: {} }), 100);
    s.send("out", ok(2, { task: task("Q", "failed", "bad input") }), 130);
    const { calls, server } = await stored("task-at-once", "--tool", "quick");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ outcome: "server_error", durationMs: 30, errorMessage: "bad input" });
    expect(calls[0]?.taskUpdates.map((u) => u.state)).toEqual(["failed"]);
    expect(server).toMatchObject({ calls: 1, errors: 1 });
    s.close(5000);
  });

  it("leaves a tasks/result waiting on its task out of which request a log line is about", async () => {
    const s = session("task-log");
    s.send("in", rpc(2, "tasks/result", { taskId: "T" }), 20);
    s.send("in", rpc(3, "tools/call", { name: "echo", arguments: {} }), 30);
    s.send(
      "out",
      { jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "echoing" } },
      40,
    );
    s.send("out", ok(3, { content: [] }), 50);
    s.close(100);
    expect(db.prepare("SELECT request_id FROM logs WHERE session_id = 'task-log'").all()).toEqual([
      { request_id: "3" },
    ]);
  });

  it("ends as the JSON-RPC error tasks/result answers with", async () => {
    const s = session("task-rpc-error");
    s.send("in", rpc(2, "tasks/result", { taskId: "T" }), 20);
    s.send("out", { jsonrpc: "2.0", id: 2, error: { code: -32603, message: "worker crashed" } }, 1500);
    const { calls } = await stored("task-rpc-error");
    expect(calls[0]).toMatchObject({
      outcome: "server_error",
      errorCode: -32603,
      errorMessage: "worker crashed",
    });
    expect(calls[0]).toMatchObject({ durationMs: 1500, task: { state: "failed" } });
    s.close(5000);
  });

  it("stays running when tasks/result says Invalid params, which may only mean the task is unknown", async () => {
    const s = session("task-result-unknown");
    s.send("in", rpc(2, "tasks/result", { taskId: "T" }), 20);
    const unknown = { code: -32602, message: "Task not found: T" };
    s.send("out", { jsonrpc: "2.0", id: 2, error: unknown }, 1500);
    let { calls, server } = await stored("task-result-unknown");
    let byMethod = Object.fromEntries(calls.map((c) => [c.method, c]));
    // The task's end is not told: its call runs on, counted nowhere.
    expect(byMethod["tools/call"]).toMatchObject({ outcome: null, task: { state: "working" } });
    // The error is the tasks/result's own, as a tasks/get answered with an error is.
    expect(byMethod["tasks/result"]).toMatchObject({
      outcome: "client_error",
      errorCode: -32602,
      errorMessage: "Task not found: T",
      durationMs: 1480,
      task: null,
    });
    expect(server).toMatchObject({ calls: 1, errors: 1 });
    // Its end, told after all, is the call's.
    s.send(
      "out",
      { jsonrpc: "2.0", method: "notifications/tasks/status", params: task("T", "completed") },
      2000,
    );
    // A completed task's result asked for once its receiver deleted it: the task did not fail for that.
    s.send("in", rpc(3, "tasks/result", { taskId: "T" }), 2100);
    s.send("out", { jsonrpc: "2.0", id: 3, error: unknown }, 2105);
    ({ calls, server } = await stored("task-result-unknown"));
    byMethod = Object.fromEntries(calls.map((c) => [c.method, c]));
    expect(byMethod["tools/call"]).toMatchObject({
      outcome: "ok",
      durationMs: 2000,
      task: { state: "completed" },
    });
    expect(calls.map((c) => [c.method, c.outcome])).toEqual([
      ["tasks/result", "client_error"],
      ["tasks/result", "client_error"],
      ["tools/call", "ok"],
    ]);
    s.close(5000);
  });

  it("stores a tasks/result for a task it does not follow as a call of its own, cancelled or answered", async () => {
    // Task OLD was created before this wrapper started: nothing here follows it.
    const s = session("task-result-unfollowed");
    s.send("in", rpc(2, "tasks/result", { taskId: "OLD" }), 20);
    s.send("in", { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 2 } }, 900);
    // Its answer, after the client gave up, is allowed and changes nothing.
    s.send("out", ok(2, { content: [{ type: "text", text: "late" }] }), 950);
    s.send("in", rpc(3, "tasks/result", { taskId: "OLD" }), 1000);
    s.send("out", ok(3, { content: [{ type: "text", text: "the old report" }] }), 1040);
    // One naming no task at all is refused, and stored with its error: nothing else would tell of it.
    s.send("in", rpc(5, "tasks/result", {}), 1050);
    s.send("out", { jsonrpc: "2.0", id: 5, error: { code: -32602, message: "taskId: Required" } }, 1052);
    // One left when the session ends is disconnected, as any request is.
    s.send("in", rpc(4, "tasks/result", { taskId: "OLD" }), 1100);
    s.close(1200);
    const { calls } = await stored("task-result-unfollowed", "--method", "tasks/result");
    expect(calls.map((c) => [c.requestId, c.outcome, c.durationMs])).toEqual([
      ["4", "disconnected", 100],
      ["5", "client_error", 2],
      ["3", "ok", 40],
      ["2", "cancelled", 880],
    ]);
    expect(calls.find((c) => c.requestId === "3")?.response).toContain("the old report");
    // The task this session follows is left as it was: its call tells its own end.
    expect((await stored("task-result-unfollowed", "--tool", "research")).calls[0]).toMatchObject({
      outcome: "disconnected",
      task: { state: "unfinished" },
    });
  });

  it("ends as cancelled when the client cancels its task; tasks/cancel is a call of its own", async () => {
    const s = session("task-cancelled");
    foldOnce(db);
    s.send("in", rpc(2, "tasks/cancel", { taskId: "T" }), 800);
    s.send("out", ok(2, task("T", "cancelled", "The task was cancelled by request.")), 805);
    const { calls, server } = await stored("task-cancelled");
    const byMethod = Object.fromEntries(calls.map((c) => [c.method, c]));
    expect(byMethod["tools/call"]).toMatchObject({ outcome: "cancelled", durationMs: 805 });
    expect(byMethod["tools/call"]?.task).toEqual({ id: "T", state: "cancelled" });
    expect(byMethod["tasks/cancel"]).toMatchObject({ outcome: "ok", durationMs: 5, task: null });
    expect(server).toMatchObject({ calls: 2, errors: 0 });
    s.close(5000);
  });

  it("is told apart when the session ends before its task: unfinished, not ok", async () => {
    const s = session("task-unfinished");
    s.send("in", rpc(2, "tasks/get", { taskId: "T" }), 500);
    s.send("out", ok(2, task("T", "input_required", "Which topic?")), 502);
    expect((await stored("task-unfinished")).calls[0]).toMatchObject({
      outcome: null,
      task: { state: "input_required" },
    });
    const timeline = await cliJsonInProcess<{ items: { kind: string; summary: string }[] }>([
      "session",
      "task-unfinished",
      "--data-dir",
      store.dataDir,
    ]);
    expect(timeline.items.filter((i) => i.kind === "call").map((i) => i.summary)).toEqual([
      "tools/call research → input required (task) (12 ms)",
    ]);
    // A client may leave tasks/result's stream (HTTP) and ask again: none is a call of its own.
    s.send("in", rpc(3, "tasks/result", { taskId: "T" }), 550);
    s.abandon(3, 580);
    // Nor when it stops waiting on stdio, with notifications/cancelled.
    s.send("in", rpc(5, "tasks/result", { taskId: "T" }), 585);
    s.send("in", { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 5 } }, 590);
    // A tasks/result waiting on the task past the request timeout is not timed out, nor stored.
    s.send("in", rpc(4, "tasks/result", { taskId: "T" }), 600);
    s.close(9000);
    const { calls, server } = await stored("task-unfinished");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      outcome: "disconnected",
      durationMs: 9000,
      errorMessage: "the session ended while its task ran",
      task: { id: "T", state: "unfinished" },
    });
    expect(server).toMatchObject({ calls: 1, errors: 1 });
  });

  it("is emitted again to the live Calls list when its task changes, and once more when it ends", async () => {
    const feeds = new LiveFeeds({
      db,
      logging: new LoggingSystem({ dataDir: store.dataDir, db }),
      pollIntervalMs: 20,
    });
    const seen: CallSummary[] = [];
    feeds.subscribe("calls.new", (calls) => seen.push(...(calls as CallSummary[]).filter((c) => c.task)));
    feeds.start();
    try {
      const s = session("task-live");
      const state = () => seen.filter((c) => c.server === "task-live").map((c) => c.outcome ?? c.task?.state);
      await waitFor(() => state().length === 1);
      s.send("in", rpc(2, "tasks/get", { taskId: "T" }), 500);
      s.send("out", ok(2, task("T", "input_required", "Which topic?")), 502);
      await waitFor(() => state().length === 2);
      s.send(
        "out",
        { jsonrpc: "2.0", method: "notifications/tasks/status", params: task("T", "completed") },
        900,
      );
      await waitFor(() => state().length === 3);
      expect(state()).toEqual(["working", "input_required", "ok"]);
      s.close(1000);
    } finally {
      feeds.stop();
    }
  });

  it("reaches /metrics and OTLP once, when its task ended, with the task's outcome and duration", () => {
    const feed = new CallFeed(db);
    const exported: FeedCall[] = [];
    feed.subscribe((calls) => exported.push(...calls));
    const s = session("task-export");
    feed.pull();
    expect(exported.filter((c) => c.server === "task-export")).toEqual([]);
    s.send("out", { jsonrpc: "2.0", method: "notifications/tasks/status", params: task("T", "failed") }, 700);
    feed.pull();
    feed.pull();
    expect(exported.filter((c) => c.server === "task-export")).toEqual([
      expect.objectContaining({ outcome: "server_error", durationMs: 700, target: "research" }),
    ]);
    s.close(1000);
  });
});
