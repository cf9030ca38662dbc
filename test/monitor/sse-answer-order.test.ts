/**
 * The legacy HTTP+SSE transport answers a POST on its GET stream, a different connection: the copy of the
 * answer can reach the proxy's observer before the POST's own response (the 202 that binds its request
 * to the session). The call is still paired with its answer and stored as it ended, with its POST's
 * status — not as `disconnected` when the stream closes, beside a response to an "unknown" request.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { EventTracker } from "../../electron/monitor/events/tracker.js";
import { LogSettingsSource } from "../../electron/monitor/logs/log-settings.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { EARLY_ANSWER_MS } from "../../electron/monitor/protocol/early-answers.js";
import { ExchangeObserver } from "../../electron/monitor/proxy-http/exchange-observer.js";
import { HttpSessions } from "../../electron/monitor/proxy-http/http-sessions.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";

let dir: string;
let sessions: HttpSessions;
let writer: BatchWriter;
let observer: ExchangeObserver;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-sse-order-"));
  writer = new BatchWriter({
    open: () => openDb(databasePath(dir)),
    afterBatch: (db) => sessions.writeRows(db),
    onBatch: () => sessions.committed(),
  });
  sessions = new HttpSessions(writer, {
    server: "legacy",
    upstream: "http://up.example/sse",
    proxyPid: process.pid,
    dataDir: dir,
    timeoutMs: 60_000,
    captureLimit: 65_536,
    logSettings: new LogSettingsSource(dir),
  });
  observer = new ExchangeObserver(sessions, new EventTracker(writer), "legacy", 16 * 1024 * 1024);
});
afterEach(async () => {
  writer.close();
  await rm(dir, { recursive: true, force: true });
});

const t0 = 1_800_000_000_000;
const STREAM = 1;

/** The client's GET /sse, answered with the stream that announces the session's POST endpoint. */
function openStream(): void {
  observer.request({
    type: "request",
    exchange: STREAM,
    at: t0,
    method: "GET",
    path: "/sse",
    session: null,
    contentType: null,
  });
  observer.response({
    type: "response",
    exchange: STREAM,
    at: t0 + 1,
    status: 200,
    contentType: "text/event-stream",
    contentEncoding: null,
    session: null,
    wwwAuthenticate: null,
    location: null,
  });
  onStream("event: endpoint\ndata: /message?sessionId=abc\n\n", t0 + 2);
}

function onStream(text: string, at: number): void {
  observer.chunk(STREAM, "out", Buffer.from(text), at);
}

function answerOnStream(message: unknown, at: number): void {
  onStream(`event: message\ndata: ${JSON.stringify(message)}\n\n`, at);
}

/** A POST to the session's endpoint: its body, then (separately) its 202. */
function post(exchange: number, message: unknown, at: number) {
  observer.request({
    type: "request",
    exchange,
    at,
    method: "POST",
    path: "/message?sessionId=abc",
    session: null,
    contentType: "application/json",
  });
  observer.chunk(exchange, "in", Buffer.from(JSON.stringify(message)), at);
  observer.end(exchange, "in", at);
  return {
    accepted(when: number) {
      observer.response({
        type: "response",
        exchange,
        at: when,
        status: 202,
        contentType: "text/plain",
        contentEncoding: null,
        session: null,
        wwwAuthenticate: null,
        location: null,
      });
      observer.chunk(exchange, "out", Buffer.from("Accepted"), when);
      observer.end(exchange, "out", when);
    },
  };
}

function stored() {
  writer.flush();
  const db = openDb(databasePath(dir), { readOnly: true });
  const calls = db
    .prepare("SELECT method, outcome, http_status, started_at, duration_ms FROM calls ORDER BY started_at")
    .all();
  const events = db.prepare("SELECT type, message FROM events WHERE type LIKE 'protocol.%'").all();
  db.close();
  return { calls, events };
}

const initialize = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2024-11-05" } };
const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };
const toolsList = { jsonrpc: "2.0", id: 1, method: "tools/list" };

it("pairs a POST's request with its answer read on the stream before the POST's 202", () => {
  openStream();
  post(2, initialize, t0 + 10).accepted(t0 + 11);
  answerOnStream({ jsonrpc: "2.0", id: 0, result: { protocolVersion: "2024-11-05" } }, t0 + 12);
  post(3, initialized, t0 + 20).accepted(t0 + 21);

  // The race: the server wrote the answer on the stream before the 202 of the POST that carried it.
  const list = post(4, toolsList, t0 + 30);
  answerOnStream({ jsonrpc: "2.0", id: 1, result: { tools: [] } }, t0 + 37);
  list.accepted(t0 + 38);

  observer.end(STREAM, "out", t0 + 50); // the client closes its stream: the session ends

  const { calls, events } = stored();
  expect(calls).toEqual([
    { method: "initialize", outcome: "ok", http_status: 202, started_at: t0 + 10, duration_ms: 2 },
    { method: "tools/list", outcome: "ok", http_status: 202, started_at: t0 + 30, duration_ms: 7 },
  ]);
  expect(events).toEqual([]);
});

it("still reports an answer whose request never comes, once the stream has moved on", () => {
  openStream();
  post(2, initialize, t0 + 10).accepted(t0 + 11);
  answerOnStream({ jsonrpc: "2.0", id: 0, result: {} }, t0 + 12);
  answerOnStream({ jsonrpc: "2.0", id: 99, result: {} }, t0 + 20);
  expect(stored().events).toEqual([]);

  // A later line on the stream, read long after: the answer is not waited for any longer.
  onStream(
    ': keep-alive\n\nevent: message\ndata: {"jsonrpc":"2.0","method":"notifications/x"}\n\n',
    t0 + 20 + EARLY_ANSWER_MS,
  );
  expect(stored().events).toEqual([
    { type: "protocol.unknown_response_id", message: "response to unknown request id 99" },
  ]);
});

it("reports a held answer whose request never came when the session ends", () => {
  openStream();
  answerOnStream({ jsonrpc: "2.0", id: 5, result: {} }, t0 + 20);
  observer.end(STREAM, "out", t0 + 30);
  expect(stored().events).toEqual([
    { type: "protocol.unknown_response_id", message: "response to unknown request id 5" },
  ]);
});

it("reads a null-id error on the legacy stream as any answer, not as nothing", () => {
  openStream();
  post(2, initialize, t0 + 10).accepted(t0 + 11);
  answerOnStream({ jsonrpc: "2.0", id: 0, result: {} }, t0 + 12);
  answerOnStream({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }, t0 + 20);
  observer.end(STREAM, "out", t0 + 30);
  expect(stored().events.map((e) => (e as { type: string }).type)).toHaveLength(1);
});

it("keeps a POST the client broke off before its 202 when its answer came on the stream", () => {
  openStream();
  post(2, initialize, t0 + 10).accepted(t0 + 11);
  answerOnStream({ jsonrpc: "2.0", id: 0, result: {} }, t0 + 12);
  post(3, toolsList, t0 + 30);
  answerOnStream({ jsonrpc: "2.0", id: 1, result: { tools: [] } }, t0 + 37);
  // The client has its answer and closes: its POST is aborted before the proxy saw the 202.
  observer.broken(3, "client", "the client closed the connection", t0 + 38);
  observer.end(STREAM, "out", t0 + 50);
  const { calls, events } = stored();
  expect(calls.map((c) => [(c as { method: string }).method, (c as { outcome: string }).outcome])).toEqual([
    ["initialize", "ok"],
    ["tools/list", "ok"],
  ]);
  expect(events).toEqual([]);
});
