/**
 * The HTTP proxy's observer, on its own thread: reads copies of each exchange, follows each MCP session
 * with the stdio wrapper's SessionObserver and SessionRecorder, and writes batches to SQLite. Like the
 * wrapper's worker, it can only slow itself, never the traffic, and it gives way to the traffic the same
 * way: a lower priority (thread-priority.ts) and short pauses in a batch while it has time to spare
 * (courtesy.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { EventTracker } from "../events/tracker.js";
import { indexPendingLogs } from "../logs/fts-index.js";
import { LogSettingsSource } from "../logs/log-settings.js";
import { databasePath } from "../paths.js";
import { preciseNow } from "../proxy/clock.js";
import { batchItems } from "../proxy/copy-batch.js";
import { batchBuffers, type QueueMessage } from "../proxy/copy-queue.js";
import { Courtesy } from "../proxy/courtesy.js";
import { lowerThreadPriority } from "../proxy/thread-priority.js";
import { BatchWriter } from "../store/batch-writer.js";
import { openDb } from "../store/db.js";
import { ExchangeObserver } from "./exchange-observer.js";
import { HttpSessions } from "./http-sessions.js";
import type { BodyStream, FromHttpWorker, HttpWorkerInit, ToHttpWorker } from "./http-worker-protocol.js";

const init = workerData as HttpWorkerInit;
lowerThreadPriority();
const courtesy = new Courtesy();
const port = parentPort;
if (!port) throw new Error("http-observer-worker must run as a worker thread");
const send = (message: FromHttpWorker) => port.postMessage(message);

let sessions: HttpSessions | null = null;
const writer = new BatchWriter({
  open: () => openDb(databasePath(init.dataDir), { busyTimeoutMs: 2000 }),
  onBatch: () => send({ type: "ack", bytes: 0 }),
  onProblem: (message) => send({ type: "problem", message: `mcpscope proxy: ${message}` }),
  afterBatch: [
    { write: (db) => sessions?.writeRows(db), committed: () => sessions?.committed() },
    { write: (db) => indexPendingLogs(db) },
  ],
});
sessions = new HttpSessions(writer, {
  server: init.server,
  upstream: init.upstream,
  proxyPid: init.proxyPid,
  client: init.client,
  entry: init.entry ?? null,
  timeoutMs: init.timeoutMs,
  captureLimit: init.captureLimit,
  dataDir: init.dataDir,
  logSettings: new LogSettingsSource(init.dataDir, (message, unreadable) => {
    if (!unreadable) send({ type: "problem", message: `mcpscope proxy: ${message}` });
  }),
});
const exchanges = new ExchangeObserver(sessions, new EventTracker(writer), init.server, init.maxLineBytes);

const ticker = setInterval(() => {
  const now = Date.now();
  exchanges.tick(now);
  sessions?.tick(now);
}, 1000);
ticker.unref();

/** `12:in` → [12, "in"]. */
function parseStream(stream: string): [number, "in" | "out"] {
  const colon = stream.indexOf(":");
  return [Number(stream.slice(0, colon)), stream.slice(colon + 1) === "in" ? "in" : "out"];
}

port.on("message", (message: ToHttpWorker | QueueMessage<BodyStream, ToHttpWorker>) => {
  // A bug in observation must not stop it for later exchanges.
  try {
    handle(message);
  } catch {}
});

function handle(message: ToHttpWorker | QueueMessage<BodyStream, ToHttpWorker>): void {
  switch (message.type) {
    case "chunks": {
      const items = batchItems(message.batch);
      // When the batch's first item was read off the traffic (a control message says when it happened).
      const first = items[0];
      courtesy.begin(first === undefined ? preciseNow() : "control" in first ? first.control.at : first.at);
      for (const item of items) {
        courtesy.between();
        try {
          if ("control" in item) {
            handle(item.control);
            continue;
          }
          const bytes = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
          const [exchange, side] = parseStream(item.stream);
          exchanges.chunk(exchange, side, bytes, item.at);
        } catch {}
      }
      courtesy.end();
      send({ type: "ack", bytes: batchBuffers(message.batch).bytes });
      return;
    }
    case "gap": {
      // Part of this exchange was not copied: it cannot be parsed, but its traffic was forwarded.
      const [exchange] = parseStream(message.stream);
      exchanges.gap(exchange, message.droppedBytes, message.at);
      return;
    }
    case "request":
      exchanges.request(message);
      return;
    case "response":
      exchanges.response(message);
      return;
    case "end": {
      const [exchange, side] = parseStream(message.stream);
      exchanges.end(exchange, side, message.at);
      return;
    }
    case "broken":
      exchanges.broken(message.exchange, message.by, message.message, message.at);
      return;
    case "unreachable":
      exchanges.unreachable(message.exchange, message.message, message.at);
      return;
    case "exit":
      exchanges.closeAll(message.at);
      sessions?.closeAll(message.at);
      clearInterval(ticker);
      writer.close();
      send({ type: "closed", written: writer.written, dropped: writer.dropped + message.upstreamDropped });
      return;
  }
}
