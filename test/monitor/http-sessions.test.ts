/**
 * The HTTP proxy's sessions: ended on idle only when no exchange is open, and written like stdio ones.
 * Copies of a body dropped at its tail (the copy queue full) are said before the body's end, and the
 * exchange's call is counted as unobserved, never stored with an outcome it did not have; the proxy's
 * shared writer's drops are counted once, not once per session.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { EventTracker } from "../../electron/monitor/events/tracker.js";
import { LogSettingsSource } from "../../electron/monitor/logs/log-settings.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { MAX_MESSAGE_BYTES } from "../../electron/monitor/protocol/line-splitter.js";
import { batchItems } from "../../electron/monitor/proxy/copy-batch.js";
import { CopyQueue, type QueueMessage } from "../../electron/monitor/proxy/copy-queue.js";
import { ExchangeObserver } from "../../electron/monitor/proxy-http/exchange-observer.js";
import { HttpSessions, MAX_OPEN } from "../../electron/monitor/proxy-http/http-sessions.js";
import type { BodyStream, ToHttpWorker } from "../../electron/monitor/proxy-http/http-worker-protocol.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";

let dir: string;
let sessions: HttpSessions;
let writer: BatchWriter;
let exchangeObserver: ExchangeObserver | null;

beforeEach(async () => {
  exchangeObserver = null;
  dir = await mkdtemp(join(tmpdir(), "mcpscope-http-sessions-"));
  writer = new BatchWriter({
    open: () => openDb(databasePath(dir)),
    afterBatch: (db) => sessions.writeRows(db),
    onBatch: () => sessions.committed(),
  });
  sessions = new HttpSessions(writer, {
    server: "remote",
    upstream: "http://up.example/mcp",
    proxyPid: process.pid,
    dataDir: dir,
    timeoutMs: 60_000,
    captureLimit: 65_536,
    logSettings: new LogSettingsSource(dir),
  });
});
afterEach(async () => {
  writer.close();
  await rm(dir, { recursive: true, force: true });
});

const MIN = 60_000;

/** A session the upstream answered, as after its first served exchange. */
function served(key: string, at: number) {
  const session = sessions.open(key, at);
  session.served = true;
  return session;
}

it("ends a session idle for 30 minutes with no open exchange, at its last activity", () => {
  const t0 = 1_800_000_000_000;
  const idle = served("s-idle", t0);
  sessions.release(idle, t0 + 1000);
  const streaming = served("s-stream", t0); // a GET stream still open

  sessions.tick(t0 + 29 * MIN);
  expect(sessions.get("s-idle")).toBe(idle);
  sessions.tick(t0 + 31 * MIN);
  expect(sessions.get("s-idle")).toBeUndefined();
  expect(sessions.get("s-stream")).toBe(streaming);

  writer.flush();
  const db = openDb(databasePath(dir), { readOnly: true });
  const rows = db
    .prepare("SELECT command, started_at, ended_at, end_reason FROM sessions ORDER BY command")
    .all();
  db.close();
  expect(rows).toEqual([
    {
      command: "http://up.example/mcp (session s-idle)",
      started_at: t0,
      ended_at: t0 + 1000,
      end_reason: "idle",
    },
    { command: "http://up.example/mcp (session s-stream)", started_at: t0, ended_at: null, end_reason: null },
  ]);

  // Stopping the proxy closes the rest, and says so on each.
  sessions.closeAll(t0 + 32 * MIN);
  writer.flush();
  const reader = openDb(databasePath(dir), { readOnly: true });
  const stopped = reader.prepare("SELECT end_reason FROM sessions WHERE ended_at = ?").get(t0 + 32 * MIN);
  reader.close();
  expect(stopped?.end_reason).toBe("proxy_stopped");
});

it("says why it closed each session: idle beyond 30 minutes, else one too many open", () => {
  const t0 = 1_800_000_000_000;
  // One more than the proxy keeps open, the oldest one also idle for 30 minutes.
  sessions.release(served("s-old", t0), t0);
  for (let i = 0; i < MAX_OPEN; i++) sessions.release(served(`s-${i}`, t0 + 20 * MIN), t0 + 20 * MIN);
  sessions.tick(t0 + 31 * MIN);
  sessions.release(served("s-new", t0 + 31 * MIN), t0 + 31 * MIN);
  sessions.tick(t0 + 32 * MIN);
  writer.flush();
  const db = openDb(databasePath(dir), { readOnly: true });
  const reasons = db
    .prepare(
      `SELECT json_extract(details, '$.reason') AS reason, count(*) AS n FROM events
       WHERE type = 'proxy.session_close' GROUP BY reason ORDER BY reason`,
    )
    .all();
  db.close();
  expect(reasons).toEqual([
    { reason: "idle", n: 1 },
    { reason: "too_many_open", n: 1 },
  ]);
});

it("ends a session the upstream never served after a minute idle: it is not shown as open for 30", () => {
  const t0 = 1_800_000_000_000;
  const refused = sessions.open("s-refused", t0);
  sessions.release(refused, t0 + 10);
  const answered = served("s-answered", t0);
  sessions.release(answered, t0 + 10);
  sessions.tick(t0 + 30_000);
  expect(sessions.get("s-refused")).toBe(refused);
  sessions.tick(t0 + 2 * MIN);
  expect(sessions.get("s-refused")).toBeUndefined();
  expect(sessions.get("s-answered")).toBe(answered);
});

type Message = QueueMessage<BodyStream, ToHttpWorker> | ToHttpWorker;

/** The proxy worker's exchange observer over these sessions. */
function observer(): ExchangeObserver {
  exchangeObserver ??= new ExchangeObserver(sessions, new EventTracker(writer), "remote", MAX_MESSAGE_BYTES);
  return exchangeObserver;
}

/** Delivers what the queue posted to the exchange observer, as the proxy's worker does. */
function deliver(posted: Message[]): void {
  const handle = (message: Message): void => {
    if (message.type === "chunks") {
      for (const item of batchItems(message.batch)) {
        if ("control" in item) handle(item.control);
        else {
          const [exchange, side] = item.stream.split(":") as [string, "in" | "out"];
          observer().chunk(Number(exchange), side, Buffer.from(item.bytes), item.at);
        }
      }
    } else if (message.type === "gap") {
      observer().gap(Number(message.stream.split(":")[0]), message.droppedBytes, message.at);
    } else if (message.type === "request") observer().request(message);
    else if (message.type === "response") observer().response(message);
    else if (message.type === "end") {
      const [exchange, side] = message.stream.split(":") as [string, "in" | "out"];
      observer().end(Number(exchange), side, message.at);
    }
  };
  for (const message of posted) handle(message);
}

it("a response whose last copy was dropped ends unobserved, not disconnected", () => {
  const posted: Message[] = [];
  const body = Buffer.from(
    `${JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "echo" } })}\n`,
  );
  const answer = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 7, result: { content: [] } }));
  // Room for the request's copy only: the response's copy is dropped (the client still got it).
  const queue = new CopyQueue<BodyStream, ToHttpWorker>(
    { postMessage: (m) => posted.push(m as Message) },
    body.length,
  );
  const t0 = 1_800_000_000_000;
  queue.defer({
    type: "request",
    exchange: 1,
    at: t0,
    method: "POST",
    path: "/mcp",
    session: null,
    contentType: "application/json",
  });
  queue.offer("1:in", body, t0);
  queue.postGap("1:in");
  queue.defer({ type: "end", stream: "1:in", at: t0 });
  queue.defer({
    type: "response",
    exchange: 1,
    at: t0 + 5,
    status: 200,
    contentType: "application/json",
    contentEncoding: null,
    session: null,
    wwwAuthenticate: null,
    location: null,
  });
  queue.flush();
  queue.offer("1:out", answer, t0 + 6);
  queue.postGap("1:out");
  queue.defer({ type: "end", stream: "1:out", at: t0 + 7 });
  queue.flush();

  const gap = posted.find((m) => m.type === "gap");
  expect(gap).toMatchObject({ type: "gap", stream: "1:out", droppedBytes: answer.length });
  deliver(posted);
  sessions.closeAll(t0 + 10);
  writer.flush();

  const db = openDb(databasePath(dir), { readOnly: true });
  const calls = db.prepare("SELECT outcome FROM calls").all();
  const session = db.prepare("SELECT dropped FROM sessions").get();
  db.close();
  expect(calls).toEqual([]);
  expect(session).toEqual({ dropped: 1 });
});

it("the shared writer's dropped calls count once across the proxy's sessions", () => {
  const t0 = 1_800_000_000_000;
  const a = sessions.open("s-a", t0);
  const b = sessions.open("s-b", t0);
  sessions.release(a, t0);
  sessions.release(b, t0);
  // Two calls the writer could not keep, whichever session they came from.
  (writer as unknown as { droppedCalls: number }).droppedCalls = 2;
  sessions.closeAll(t0 + 10);
  writer.flush();
  const db = openDb(databasePath(dir), { readOnly: true });
  const total = Number(db.prepare("SELECT sum(dropped) AS n FROM sessions").get()?.n);
  db.close();
  expect(total).toBe(2);
});

const RESPONSE = {
  type: "response",
  contentType: null,
  contentEncoding: null,
  session: null,
  wwwAuthenticate: null,
  location: null,
} as const;

function post(exchange: number, session: string, at: number): void {
  observer().request({
    type: "request",
    exchange,
    at,
    method: "POST",
    path: "/mcp",
    session,
    contentType: "application/json",
  });
}

it("a call answered before its body passed, whose client then left mid-body, is counted unobserved", () => {
  const t0 = 1_800_000_000_000;
  const head = Buffer.from('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","argu');
  post(1, "s-early", t0);
  observer().chunk(1, "in", head, t0);
  observer().response({ ...RESPONSE, exchange: 1, at: t0 + 1, status: 404 });
  observer().end(1, "out", t0 + 2);
  observer().broken(
    1,
    "client",
    "the client closed the connection before its request body had passed",
    t0 + 3,
  );
  sessions.closeAll(t0 + 10);
  writer.flush();
  const db = openDb(databasePath(dir), { readOnly: true });
  const calls = db.prepare("SELECT outcome FROM calls").all();
  const session = db.prepare("SELECT dropped FROM sessions").get();
  db.close();
  expect(calls).toEqual([]);
  expect(session).toEqual({ dropped: 1 });
});

it("keeps no HTTP status for a call that ended before its response header", () => {
  const t0 = 1_800_000_000_000;
  post(1, "s-slow", t0);
  const body = Buffer.from('{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"slow"}}');
  observer().chunk(1, "in", body, t0);
  observer().end(1, "in", t0);
  const session = sessions.get("s-slow");
  sessions.tick(t0 + 2 * MIN); // the call times out: it is stored, without a status yet
  observer().response({ ...RESPONSE, exchange: 1, at: t0 + 2 * MIN + 1, status: 200 });
  expect(session?.statusOf.size).toBe(0);
});

it("pairs a stateless client's answer with the request its server sent on another exchange", () => {
  const t0 = 1_800_000_000_000;
  const o = observer();
  const request = (exchange: number, body: object, at: number) => {
    o.request({
      type: "request",
      exchange,
      at,
      method: "POST",
      path: "/mcp",
      session: null,
      contentType: "application/json",
    });
    o.chunk(exchange, "in", Buffer.from(JSON.stringify(body)), at);
    o.end(exchange, "in", at);
  };
  request(1, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "ask" } }, t0);
  o.response({ ...RESPONSE, exchange: 1, at: t0 + 1, status: 200, contentType: "text/event-stream" });
  const asked = { jsonrpc: "2.0", id: 0, method: "sampling/createMessage", params: { messages: [] } };
  o.chunk(1, "out", Buffer.from(`event: message\ndata: ${JSON.stringify(asked)}\n\n`), t0 + 2);
  // The client answers the sampling request in a POST of its own, with no session to name.
  request(
    2,
    { jsonrpc: "2.0", id: 0, result: { role: "assistant", content: { type: "text", text: "hi" } } },
    t0 + 3,
  );
  o.response({ ...RESPONSE, exchange: 2, at: t0 + 4, status: 202 });
  o.end(2, "out", t0 + 4);
  const answer = { jsonrpc: "2.0", id: 1, result: { content: [] } };
  o.chunk(1, "out", Buffer.from(`event: message\ndata: ${JSON.stringify(answer)}\n\n`), t0 + 5);
  o.end(1, "out", t0 + 6);
  sessions.closeAll(t0 + 10);
  writer.flush();
  const db = openDb(databasePath(dir), { readOnly: true });
  const calls = db.prepare("SELECT method, direction, outcome FROM calls ORDER BY method").all();
  const unknown = db.prepare("SELECT type FROM events WHERE type LIKE '%unknown_response_id'").all();
  db.close();
  expect(calls).toEqual([
    { method: "sampling/createMessage", direction: "s2c", outcome: "ok" },
    { method: "tools/call", direction: "c2s", outcome: "ok" },
  ]);
  expect(unknown).toEqual([]);
});

it("applies a stateless client's cancel to the one session-less request pending with that id", () => {
  const t0 = 1_800_000_000_000;
  const o = observer();
  const request = (exchange: number, body: object, at: number) => {
    o.request({
      type: "request",
      exchange,
      at,
      method: "POST",
      path: "/mcp",
      session: null,
      contentType: "application/json",
    });
    o.chunk(exchange, "in", Buffer.from(JSON.stringify(body)), at);
    o.end(exchange, "in", at);
  };
  const answer = (exchange: number, id: number, at: number) => {
    const result = { jsonrpc: "2.0", id, result: { content: [] } };
    o.chunk(exchange, "out", Buffer.from(`event: message\ndata: ${JSON.stringify(result)}\n\n`), at);
    o.end(exchange, "out", at);
  };
  const cancel = (exchange: number, requestId: number, reason: string, at: number) => {
    request(
      exchange,
      { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId, reason } },
      at,
    );
    o.response({ ...RESPONSE, exchange, at, status: 202 });
    o.end(exchange, "out", at);
  };
  const sse = { ...RESPONSE, status: 200, contentType: "text/event-stream" };
  // Two stateless clients: one stops its call (id 1), the other's SDK gives up on its own (id 2).
  request(1, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "stopped" } }, t0);
  request(2, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "waited" } }, t0);
  o.response({ ...sse, exchange: 1, at: t0 + 1 });
  o.response({ ...sse, exchange: 2, at: t0 + 1 });
  cancel(3, 1, "user pressed stop", t0 + 500);
  cancel(4, 2, "MCP error -32001: Request timed out", t0 + 600);
  // Two clients' requests with the same id: a cancel for it cannot tell which, and cancels neither.
  request(5, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "twin-a" } }, t0);
  request(6, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "twin-b" } }, t0);
  o.response({ ...sse, exchange: 5, at: t0 + 1 });
  o.response({ ...sse, exchange: 6, at: t0 + 1 });
  cancel(7, 9, "user pressed stop", t0 + 700);
  for (const [exchange, id] of [
    [1, 1],
    [2, 2],
    [5, 9],
    [6, 9],
  ] as const)
    answer(exchange, id, t0 + 1500);
  sessions.closeAll(t0 + 2000);
  writer.flush();
  const db = openDb(databasePath(dir), { readOnly: true });
  const calls = db.prepare("SELECT target, outcome, duration_ms FROM calls ORDER BY target").all();
  const events = db.prepare("SELECT message FROM events WHERE type = 'protocol.ambiguous_cancel'").all();
  db.close();
  expect(calls).toEqual([
    { target: "stopped", outcome: "cancelled", duration_ms: 500 },
    { target: "twin-a", outcome: "ok", duration_ms: 1500 },
    { target: "twin-b", outcome: "ok", duration_ms: 1500 },
    { target: "waited", outcome: "timeout", duration_ms: 600 },
  ]);
  expect(events).toEqual([
    {
      message:
        "a notifications/cancelled for request id 9 without a session matches 2 pending requests: none is cancelled",
    },
  ]);
});

it("writes each session's row alone: one the database refuses holds back no other's, and is written once it can be", () => {
  const t0 = 1_800_000_000_000;
  const setUp = openDb(databasePath(dir));
  setUp.exec(
    `CREATE TRIGGER test_refuse BEFORE UPDATE ON sessions WHEN NEW.command LIKE '%(session s-bad)'
     BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
  );
  setUp.close();
  served("s-good", t0);
  served("s-bad", t0);
  const commands = () => {
    const db = openDb(databasePath(dir), { readOnly: true });
    try {
      return db
        .prepare("SELECT command FROM sessions ORDER BY command")
        .all()
        .map((r) => r.command);
    } finally {
      db.close();
    }
  };
  expect(writer.flush()).toBe(true);
  expect(commands()).toEqual(["http://up.example/mcp (session s-good)"]);

  const db = openDb(databasePath(dir));
  db.exec("DROP TRIGGER test_refuse");
  db.close();
  expect(writer.flush()).toBe(true);
  expect(commands()).toEqual([
    "http://up.example/mcp (session s-bad)",
    "http://up.example/mcp (session s-good)",
  ]);
});
