/**
 * Known workloads for the metrics tests, stored through the wrappers' own path (SessionRecorder →
 * BatchWriter → SQLite), so rollups, `/metrics` and OTLP see rows exactly as `mcpscope run` writes them.
 */
import { randomUUID } from "node:crypto";
import { databasePath } from "../../electron/monitor/paths.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import type { Outcome } from "../../shared/domain.js";

/** A seeded PRNG (mulberry32), so every run sees the same workload. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TestCall {
  server: string;
  method: string;
  target: string | null;
  outcome: Outcome;
  startedAt: number;
  durationMs: number;
  bytesIn?: number;
  bytesOut?: number;
  errorCode?: number | null;
  direction?: "c2s" | "s2c";
  requestId?: string;
  /** The parsed request (masked and capped on the way in, like the wrapper's). */
  request?: unknown;
}

export interface SessionOptions {
  protocolVersion?: string;
  /** Rows the session's wrapper dropped (counted in sessions.dropped). */
  dropped?: number;
}

/** Stores `calls` as one wrapper session per server; returns the session ids by server. */
export function recordCalls(
  dataDir: string,
  calls: TestCall[],
  options: SessionOptions = {},
): Map<string, string> {
  const sessions = new Map<string, SessionRecorder>();
  const ids = new Map<string, string>();
  const writer = new BatchWriter({
    open: () => openDb(databasePath(dataDir)),
    afterBatch: (db) => {
      for (const recorder of sessions.values()) recorder.writeSessionRow(db);
    },
    maxQueue: 1_000_000,
  });
  calls.forEach((call, i) => {
    let recorder = sessions.get(call.server);
    if (!recorder) {
      const sessionId = randomUUID();
      ids.set(call.server, sessionId);
      recorder = new SessionRecorder(writer, {
        sessionId,
        server: call.server,
        command: "node server.js",
        startedAt: call.startedAt,
        pid: 1234,
        wrapperPid: 1233,
      });
      if (options.protocolVersion)
        recorder.session({ protocolVersion: options.protocolVersion }, call.startedAt);
      if (options.dropped) recorder.unobserved(options.dropped);
      sessions.set(call.server, recorder);
    }
    recorder.call({
      direction: call.direction ?? "c2s",
      requestId: call.requestId ?? String(i + 1),
      method: call.method,
      target: call.target,
      startedAt: call.startedAt,
      durationMs: call.durationMs,
      outcome: call.outcome,
      errorCode: call.errorCode ?? null,
      errorMessage: call.outcome === "ok" ? null : "failed",
      bytesIn: call.bytesIn ?? 100,
      bytesOut: call.bytesOut ?? 200,
      request: call.request ?? { jsonrpc: "2.0", id: i + 1, method: call.method },
      response: { jsonrpc: "2.0", id: i + 1, result: {} },
      progressCount: 0,
      rounds: 0,
    });
  });
  for (const recorder of sessions.values())
    recorder.ended({ endedAt: Date.now(), exitCode: 0, signal: null });
  writer.close();
  return ids;
}

const OUTCOME_MIX: Outcome[] = ["ok", "ok", "ok", "ok", "ok", "ok", "tool_error", "server_error", "timeout"];

/** `n` calls spread over [from, to) across a few servers and tools, with latencies from 0.1 ms to 2 s. */
export function mixedCalls(n: number, from: number, to: number, seed = 1): TestCall[] {
  const rand = random(seed);
  return Array.from({ length: n }, () => {
    const server = `srv-${Math.floor(rand() * 3)}`;
    const tool = rand() < 0.8;
    return {
      server,
      method: tool ? "tools/call" : rand() < 0.5 ? "tools/list" : "resources/read",
      target: tool ? `tool-${Math.floor(rand() * 4)}` : rand() < 0.5 ? null : "file:///a.txt",
      outcome: OUTCOME_MIX[Math.floor(rand() * OUTCOME_MIX.length)] as Outcome,
      startedAt: from + rand() * (to - from),
      durationMs: 0.1 * 10 ** (rand() * 4.3),
      bytesIn: 50 + Math.floor(rand() * 500),
      bytesOut: 80 + Math.floor(rand() * 5000),
    };
  });
}
