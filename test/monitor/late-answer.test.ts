/**
 * A response that comes after `--timeout` is what the client got: the call stored as `timeout` takes its
 * real outcome, latency and response, whether or not a fold has counted it in the rollups since (then it
 * stays counted once, as what it turned out to be). Driven with the traffic's own clock: no waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldOnce } from "../../electron/monitor/metrics/fold.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { SessionObserver } from "../../electron/monitor/protocol/session-observer.js";
import { SESSION_WATCHERS } from "../../electron/monitor/session-watchers.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { cliJsonInProcess } from "../helpers/cli-in-process.js";
import { tempStore } from "../logs/store.js";

let store: Awaited<ReturnType<typeof tempStore>>;
let db: Db;
beforeAll(async () => {
  store = await tempStore();
  db = store.db;
});
afterAll(() => store.cleanup());

const line = (message: unknown) => Buffer.from(JSON.stringify(message));

/** A wrapped session of `server` with a 2 s `--timeout`, recording into the test's database. */
function observed(server: string) {
  const writer = new BatchWriter({ open: () => openDb(databasePath(store.dataDir)) });
  const identity = { sessionId: server, server, command: "x", startedAt: Date.now(), pid: 1, wrapperPid: 2 };
  const watchers = SESSION_WATCHERS.map((f) => f({ identity, writer, dataDir: store.dataDir, client: null }));
  const recorder = new SessionRecorder(writer, identity, undefined, null, watchers);
  return { writer, observer: new SessionObserver(recorder, { timeoutMs: 2000 }) };
}

/** One wrapped session of `server` with a 2 s `--timeout`, its traffic a few minutes old. */
function session(server: string) {
  const { writer, observer } = observed(server);
  const t0 = Date.now() - 5 * 60_000;
  observer.line("in", line({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "slow" } }), t0);
  observer.tick(t0 + 2100);
  writer.flush();
  return {
    t0,
    answer(at: number, text = "slow done") {
      const result = { content: [{ type: "text", text }] };
      observer.line("out", line({ jsonrpc: "2.0", id: 1, result }), at);
      writer.flush();
    },
    close() {
      observer.close(t0 + 10_000);
      writer.close();
    },
  };
}

interface Calls {
  calls: { target: string; outcome: string; durationMs: number; bytesOut: number; response: string | null }[];
}
interface Stats {
  servers: { calls: number; errors: number; operations: { latency_ms: { max: number } }[] }[];
}

async function stored(server: string) {
  const args = ["--server", server, "--data-dir", store.dataDir];
  const { calls } = await cliJsonInProcess<Calls>(["calls", ...args]);
  const stats = await cliJsonInProcess<Stats>(["stats", "--since", "1h", ...args]);
  return { calls, server: stats.servers[0] };
}

describe("a response after the request's timeout", () => {
  it("gives the stored call its real outcome, latency and response, and the event says so", async () => {
    const s = session("late-raw");
    expect((await stored("late-raw")).calls.map((c) => c.outcome)).toEqual(["timeout"]);
    s.answer(s.t0 + 3000);
    const { calls, server } = await stored("late-raw");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ outcome: "ok", durationMs: 3000 });
    expect(calls[0]?.bytesOut).toBeGreaterThan(0);
    expect(calls[0]?.response).toContain("slow done");
    expect(server).toMatchObject({ calls: 1, errors: 0 });
    const events = db
      .prepare("SELECT message FROM events WHERE session_id = ? AND type = 'protocol.late_response'")
      .all("late-raw");
    expect(events.map((e) => e.message)).toEqual([
      "response to request 1 after its timeout, 3.0 s after the request: the call is stored with it (ok)",
    ]);
    s.close();
  });

  it("an answer after a null-id error taken for it corrects the stored call the same way", async () => {
    const { writer, observer } = observed("guessed");
    const t0 = Date.now() - 5 * 60_000;
    observer.line("in", line({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "work" } }), t0);
    // The server could not parse a client line the observer never saw: its error names no request.
    observer.gap("in", 1, t0 + 10);
    observer.line(
      "out",
      line({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }),
      t0 + 20,
    );
    writer.flush();
    expect((await stored("guessed")).calls.map((c) => c.outcome)).toEqual(["client_error"]);
    const result = { content: [{ type: "text", text: "work done" }] };
    observer.line("out", line({ jsonrpc: "2.0", id: 1, result }), t0 + 700);
    writer.flush();
    const { calls, server } = await stored("guessed");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ outcome: "ok", durationMs: 700 });
    expect(calls[0]?.response).toContain("work done");
    expect(server).toMatchObject({ calls: 1, errors: 0 });
    observer.close(t0 + 10_000);
    writer.close();
  });

  it("gives an answer to a reused id to the newer request, not to an older one a null-id error ended", async () => {
    const { writer, observer } = observed("reused");
    const t0 = Date.now() - 5 * 60_000;
    const call = (name: string, at: number) =>
      observer.line("in", line({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name } }), at);
    call("first", t0);
    // Taken for the answer of the one request in flight: the first call is stored with it.
    observer.line(
      "out",
      line({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request" } }),
      t0 + 10,
    );
    // A client whose ids start over sends id 7 again; that request times out, then its answer comes.
    call("second", t0 + 100);
    observer.tick(t0 + 2200);
    const result = { content: [{ type: "text", text: "second done" }] };
    observer.line("out", line({ jsonrpc: "2.0", id: 7, result }), t0 + 3100);
    writer.flush();
    const { calls } = await stored("reused");
    const byTarget = Object.fromEntries(calls.map((c) => [c.target, c]));
    expect(byTarget.first).toMatchObject({ outcome: "client_error" });
    expect(byTarget.first?.response).not.toContain("second done");
    expect(byTarget.second).toMatchObject({ outcome: "ok", durationMs: 3000 });
    expect(byTarget.second?.response).toContain("second done");
    observer.close(t0 + 10_000);
    writer.close();
  });

  it("keeps the start of a late answer longer than the capture limit", async () => {
    const s = session("late-large");
    s.answer(s.t0 + 3000, `slow done ${"x".repeat(200_000)}`);
    const { calls } = await stored("late-large");
    expect(calls[0]).toMatchObject({ outcome: "ok" });
    expect(calls[0]?.bytesOut).toBeGreaterThan(200_000);
    expect(calls[0]?.response).toContain("slow done xxx");
    s.close();
  });

  it("counts it once, as answered, in rollups that had folded it as a timeout", async () => {
    const s = session("late-folded");
    foldOnce(db);
    expect((await stored("late-folded")).server).toMatchObject({ calls: 1, errors: 1 });
    s.answer(s.t0 + 3000);
    // Nothing is left to fold: the figures come from the corrected rollups alone.
    expect(foldOnce(db).folded).toBe(0);
    const { calls, server } = await stored("late-folded");
    expect(calls[0]).toMatchObject({ outcome: "ok", durationMs: 3000 });
    expect(server).toMatchObject({ calls: 1, errors: 0 });
    expect(server?.operations[0]?.latency_ms.max).toBeCloseTo(3000, -2);
    const series = db
      .prepare(
        `SELECT s.method, s.outcome, r.count FROM call_rollups r JOIN rollup_series s ON s.id = r.series
         WHERE s.server = 'late-folded' AND r.resolution = 60000 ORDER BY s.method, s.outcome`,
      )
      .all();
    // The operation's ok and any-outcome rows and the server's ok summary; no timeout, no error left.
    expect(series).toEqual([
      { method: "*", outcome: "ok", count: 1 },
      { method: "tools/call", outcome: "*", count: 1 },
      { method: "tools/call", outcome: "ok", count: 1 },
    ]);
    s.close();
  });
});
