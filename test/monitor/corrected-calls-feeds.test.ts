/**
 * A stored call can change after it was stored (metrics/call-correction.ts): a late answer after its
 * timeout, its task's end after the task expired, a lost session's task ended by the engine. Every live
 * front must get the new state: the `calls.new` feed sends the call again (a list takes the newer copy of
 * an id), and `/metrics` and OTLP export a task call once when it ended, even one stored before the engine
 * started.
 * The engine over a real database; the live feed's sessions are recorded in process on the traffic's own
 * clock, the lost one by a real `mcpscope run` killed with -9.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, type MetricsEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { SessionObserver } from "../../electron/monitor/protocol/session-observer.js";
import { SESSION_WATCHERS } from "../../electron/monitor/session-watchers.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { API_EVENTS } from "../../shared/api.js";
import type { CallSummary } from "../../shared/domain.js";
import type { BackupListEntry, RestoreResult } from "../../shared/storage.js";
import { killAll, startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE, tempDir, waitFor } from "../helpers/mcp.js";
import { type Json, receiver } from "../metrics/otlp-receiver.js";
import { parsePrometheusText } from "../metrics/prom-parser.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: MetricsEngine | null = null;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  killAll();
  await engine?.close();
  engine = null;
  await dir.cleanup();
});

const MIN = 60_000;
const rpc = (id: number, method: string, params: unknown) => ({ jsonrpc: "2.0", id, method, params });
const ok = (id: number, result: unknown) => ({ jsonrpc: "2.0", id, result });
const task = (status: string) => ({
  taskId: "T",
  status,
  createdAt: "2026-12-07T10:00:00Z",
  lastUpdatedAt: "2026-12-07T10:00:00Z",
  ttl: 5 * MIN,
  pollInterval: 1000,
});

/** A wrapped session of `server` (2 s `--timeout`) recorded by the wrapper of pid `wrapperPid`. */
function session(server: string, wrapperPid = process.pid) {
  const writer = new BatchWriter({
    open: () => openDb(databasePath(dir.path)),
    afterBatch: (into) => recorder.writeSessionRow(into),
  });
  const t0 = Date.now() - 30 * MIN;
  const identity = { sessionId: server, server, command: "x", startedAt: t0, pid: 1, wrapperPid };
  const watchers = SESSION_WATCHERS.map((f) => f({ identity, writer, dataDir: dir.path, client: null }));
  const recorder: SessionRecorder = new SessionRecorder(writer, identity, undefined, null, watchers);
  const observer = new SessionObserver(recorder, { timeoutMs: 2000 });
  return {
    send(stream: "in" | "out", message: unknown, at: number) {
      observer.line(stream, Buffer.from(JSON.stringify(message)), t0 + at);
      writer.flush();
    },
    /** `n` pings (ids from `fromId`) answered at `at`: calls that will never change. */
    pings(n: number, fromId: number, at: number) {
      for (let id = fromId; id < fromId + n; id++) {
        observer.line("in", Buffer.from(JSON.stringify(rpc(id, "ping", {}))), t0 + at);
        observer.line("out", Buffer.from(JSON.stringify(ok(id, {}))), t0 + at);
        if (id % 1000 === 0) writer.flush();
      }
      writer.flush();
    },
    tick(at: number) {
      observer.tick(t0 + at);
      writer.flush();
    },
    /** The wrapper dies: what it wrote stays as it was. */
    die() {
      writer.close();
    },
    close(at: number) {
      observer.close(t0 + at);
      writer.close();
    },
  };
}

async function startEngine(otlpEndpoint?: string): Promise<MetricsEngine> {
  const otlp = { endpoint: otlpEndpoint ?? "", flushIntervalMs: 60_000, metricsIntervalMs: 60_000 };
  engine = await createEngine({
    dataDir: dir.path,
    inventory: false,
    alerts: false,
    remoteProxies: false,
    pollIntervalMs: 20,
    metrics: { collector: false, ...(otlpEndpoint ? { otlp } : {}) },
  });
  return engine;
}

/** The copies of calls `calls.new` sends, in order. */
function listen(e: MetricsEngine): CallSummary[] {
  const seen: CallSummary[] = [];
  e.subscribe("calls.new", (payload) => seen.push(...API_EVENTS["calls.new"].parse(payload)));
  return seen;
}

/** What a list taking the newer copy of each id shows of `server`'s tools/call. */
const shown = (seen: CallSummary[], server: string) =>
  seen.filter((c) => c.server === server && c.method === "tools/call").at(-1);

describe("a corrected call on the live Calls list", () => {
  it("is sent again when its answer comes after its timeout", async () => {
    const seen = listen(await startEngine());
    const s = session("late");
    s.send("in", rpc(1, "tools/call", { name: "slow", arguments: {} }), 0);
    s.tick(2100);
    await waitFor(() => shown(seen, "late")?.outcome === "timeout");
    s.send("out", ok(1, { content: [{ type: "text", text: "done" }] }), 3000);
    const call = await waitFor(() =>
      shown(seen, "late")?.outcome === "ok" ? shown(seen, "late") : undefined,
    );
    expect(call).toMatchObject({ outcome: "ok", durationMs: 3000 });
    s.close(4000);
  });

  it("is sent again when its task, expired, ends after all", async () => {
    const seen = listen(await startEngine());
    const s = session("expired");
    s.send("in", rpc(1, "tools/call", { name: "research", arguments: {}, task: { ttl: 5 * MIN } }), 0);
    s.send("out", ok(1, { task: task("working") }), 10);
    s.tick(6 * MIN);
    await waitFor(() => shown(seen, "expired")?.task?.state === "expired");
    expect(shown(seen, "expired")).toMatchObject({ outcome: "timeout" });
    s.send("in", rpc(2, "tasks/get", { taskId: "T" }), 7 * MIN);
    s.send("out", ok(2, task("completed")), 7 * MIN + 5);
    await waitFor(() => shown(seen, "expired")?.outcome === "ok");
    expect(shown(seen, "expired")).toMatchObject({ durationMs: 7 * MIN + 5, task: { state: "completed" } });
    s.close(8 * MIN);
  });

  it("is sent again when it timed out before the list subscribed", async () => {
    const e = await startEngine();
    const s = session("before");
    s.send("in", rpc(1, "tools/call", { name: "slow", arguments: {} }), 0);
    s.tick(2100);
    // The list read this call from the store (calls.list), then subscribed.
    const listed = (await e.invoke("calls.list", { server: "before" })) as CallSummary[];
    expect(listed.map((c) => c.outcome)).toEqual(["timeout"]);
    const seen = listen(e);
    s.send("out", ok(1, { content: [{ type: "text", text: "done" }] }), 3000);
    await waitFor(() => shown(seen, "before")?.outcome === "ok");
    s.close(4000);
  });

  it("is sent again when its task ends, though it ran behind more calls than the list looked through", async () => {
    const e = await startEngine();
    const s = session("behind");
    s.send("in", rpc(1, "tools/call", { name: "research", arguments: {}, task: { ttl: 5 * MIN } }), 0);
    s.send("out", ok(1, { task: task("working") }), 10);
    // More calls since than a fresh list looks through for those that may change: the task still runs.
    s.pings(5001, 2, 1000);
    const listed = (await e.invoke("calls.list", { server: "behind", outcome: "running" })) as CallSummary[];
    expect(listed.map((c) => c.task?.state)).toEqual(["working"]);
    const seen = listen(e);
    s.send("out", { jsonrpc: "2.0", method: "notifications/tasks/status", params: task("completed") }, 2000);
    await waitFor(() => shown(seen, "behind")?.outcome === "ok");
    expect(shown(seen, "behind")).toMatchObject({ durationMs: 2000, task: { state: "completed" } });
    s.close(3000);
  });

  it("is sent again when its task ends after the database was restored under the list", async () => {
    const e = await startEngine();
    const seen = listen(e);
    const s = session("restored");
    s.send("in", rpc(1, "tools/call", { name: "research", arguments: {}, task: { ttl: 5 * MIN } }), 0);
    s.send("out", ok(1, { task: task("working") }), 10);
    await waitFor(() => shown(seen, "restored")?.task?.state === "working");
    await e.invoke("storage.backup", {});
    const [backup] = (await e.invoke("storage.backups.list", {})) as BackupListEntry[];
    const restored = (await e.invoke("storage.restore", { name: backup?.name ?? "" })) as RestoreResult;
    expect(restored.ok, restored.message).toBe(true);
    // The wrapper records on into the restored database, as it does after any restore.
    s.send("out", { jsonrpc: "2.0", method: "notifications/tasks/status", params: task("completed") }, 2000);
    await waitFor(() => shown(seen, "restored")?.outcome === "ok");
    s.close(3000);
  });
});

/** A stdio server that answers every tools/call with a task that keeps working. */
const TASK_SERVER = `
const lines = require("node:readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const m = JSON.parse(line);
  if (m.id === undefined) return;
  const now = new Date().toISOString();
  const result = m.method === "initialize"
    ? { protocolVersion: "2025-11-25", capabilities: { tools: {}, tasks: { requests: { tools: { call: {} } } } },
        serverInfo: { name: "tasks", version: "1.0.0" } }
    : { task: { taskId: "T", status: "working", createdAt: now, lastUpdatedAt: now, ttl: 300000, pollInterval: 1000 } };
  process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: m.id, result }) + "\\n");
});`;

describe("a lost session's task call on /metrics and OTLP", () => {
  it("is exported once, as disconnected, by the engine that ends it, though stored before it started", async () => {
    const run = startRaw(process.execPath, [
      MCPSCOPE,
      "run",
      "--name",
      "lost",
      "--data-dir",
      dir.path,
      "--",
      process.execPath,
      "-e",
      TASK_SERVER,
    ]);
    await run.write(
      `${JSON.stringify(rpc(1, "initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "kill-test", version: "1.0.0" } }))}\n`,
    );
    await run.waitForStdout('"id":1,');
    await run.write(
      `${JSON.stringify(rpc(2, "tools/call", { name: "research", arguments: {}, task: { ttl: 300_000 } }))}\n`,
    );
    await run.waitForStdout('"id":2,');
    const server = await waitFor(() => {
      try {
        const db = openDb(databasePath(dir.path));
        try {
          return db
            .prepare(
              "SELECT s.pid FROM calls c JOIN sessions s ON s.id = c.session_id WHERE c.task_state = 'working'",
            )
            .get();
        } finally {
          db.close();
        }
      } catch {
        return undefined; // the observer is still making the database
      }
    });
    run.kill("SIGKILL");
    await run.done;
    try {
      process.kill(Number(server.pid), "SIGKILL");
    } catch {
      // It saw its stdin close, and ended.
    }
    const rx = await receiver();
    try {
      // Its start closes the session as lost and ends its task's call (store/lost-tasks.ts).
      const e = await startEngine(`${rx.url}/`);
      const count = () =>
        parsePrometheusText(e.metrics.prometheus())
          .get("mcpscope_calls_total")
          ?.samples.find((x) => x.labels.server === "lost" && x.labels.outcome === "disconnected")?.value;
      expect(count()).toBe(1);
      expect(count()).toBe(1);
      await e.metrics.otlp?.flushSpans();
      await e.metrics.otlp?.flushSpans();
      const spans = rx.got
        .filter((r) => r.path === "/v1/traces")
        .flatMap((r) => r.body.resourceSpans as Json[])
        .flatMap((r) => r.scopeSpans[0].spans as Json[]);
      expect(spans.map((span) => span.name)).toEqual(["tools/call research"]);
      const errorType = spans[0].attributes.find((a: Json) => a.key === "error.type");
      expect(errorType?.value.stringValue).toBe("disconnected");
    } finally {
      await rx.close();
    }
  });
});
