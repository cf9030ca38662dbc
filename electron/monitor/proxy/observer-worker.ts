/**
 * The wrapper's observer, on its own thread: frames and parses copies of the traffic, pairs requests
 * with responses, masks and caps payloads, and writes batches to SQLite. SQLite calls are synchronous
 * and may wait on another process's lock; here they can only slow this thread, never the traffic.
 */
import { parentPort, workerData } from "node:worker_threads";
import { indexPendingLogs } from "../logs/fts-index.js";
import { LogSettingsSource } from "../logs/log-settings.js";
import { StderrAssembler } from "../logs/stderr-assembler.js";
import { databasePath } from "../paths.js";
import { LineSplitter } from "../protocol/line-splitter.js";
import { SessionObserver, type Stream } from "../protocol/session-observer.js";
import { SESSION_WATCHERS } from "../session-watchers.js";
import { BatchWriter } from "../store/batch-writer.js";
import { openDb } from "../store/db.js";
import { SessionRecorder } from "../store/session-recorder.js";
import type { CopyStream, FromWorker, ToWorker, WorkerInit } from "./worker-protocol.js";

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error("observer-worker must run as a worker thread");
const send = (message: FromWorker) => port.postMessage(message);

let recorder: SessionRecorder | null = null;
const writer = new BatchWriter({
  open: () => openDb(databasePath(init.dataDir), { busyTimeoutMs: 2000 }),
  onBatch: () => {
    recorder?.committed();
    send({ type: "ack", bytes: 0 });
  },
  onProblem: (message) => send({ type: "problem", message: `mcpscope: ${message}` }),
  afterBatch: (db) => {
    recorder?.writeSessionRow(db);
    indexPendingLogs(db); // full-text index, once per batch (see logs/fts-index.ts)
  },
});
const identity = {
  sessionId: init.sessionId,
  server: init.server,
  command: init.command,
  startedAt: init.startedAt,
  pid: null,
  wrapperPid: init.wrapperPid,
};
recorder = new SessionRecorder(
  writer,
  identity,
  init.captureLimit,
  // An unreadable data dir is said once already, by the database's own problem line.
  new LogSettingsSource(init.dataDir, (message, unreadable) => {
    if (!unreadable) send({ type: "problem", message: `mcpscope: ${message}` });
  }),
  SESSION_WATCHERS.map((factory) => factory({ identity, writer, client: init.client })),
);
const observer = new SessionObserver(recorder, { timeoutMs: init.timeoutMs });

const decoder = new TextDecoder("utf-8");
// A stack trace after an error line becomes one record (flushed 100 ms after its last line).
const stderrRecords = new StderrAssembler((record) =>
  recorder?.stderrLine(record.text, record.at, record.levelHint),
);
const splitters: Record<CopyStream, LineSplitter> = {
  in: protocolSplitter("in"),
  out: protocolSplitter("out"),
  err: new LineSplitter(
    {
      line: (bytes, at) => stderrRecords.push(decoder.decode(bytes).replace(/\r$/, ""), at),
      oversized: (head, _tail, total, at) =>
        stderrRecords.push(`${decoder.decode(head)}…[a ${total}-byte stderr line, truncated]`, at),
    },
    256 * 1024,
  ),
};

function protocolSplitter(stream: Stream): LineSplitter {
  return new LineSplitter(
    {
      line: (bytes, at) => observer.line(stream, bytes, at),
      oversized: (head, tail, total, at) => observer.oversized(stream, head, tail, total, at),
    },
    init.maxLineBytes,
  );
}

const ticker = setInterval(() => observer.tick(Date.now()), 1000);
ticker.unref();
writer.touch(); // the session row appears as soon as the wrapper starts

port.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "chunks": {
      let total = 0;
      for (const item of message.items) {
        const bytes = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
        total += bytes.length;
        try {
          splitters[item.stream].push(bytes, item.at);
        } catch {
          // A bug in observation must not stop it for later chunks.
          splitters[item.stream].reset();
        }
      }
      send({ type: "ack", bytes: total });
      return;
    }
    case "gap":
      splitters[message.stream].reset();
      if (message.stream === "err") stderrRecords.flush();
      recorder?.protocolEvent({
        time: message.at,
        type: "observation_gap",
        stream: message.stream === "in" ? "in" : "out",
        message: `${message.droppedBytes} bytes of ${message.stream === "err" ? "stderr" : "traffic"} not observed (copy queue full); traffic itself was forwarded`,
        bytes: message.droppedBytes,
      });
      return;
    case "child":
      recorder?.setPid(message.pid);
      return;
    case "end":
      splitters[message.stream].end(message.at);
      if (message.stream === "err") stderrRecords.end();
      return;
    case "exit": {
      for (const splitter of Object.values(splitters)) splitter.end(message.at);
      stderrRecords.end();
      observer.close(message.at);
      if (recorder) {
        recorder.upstreamDropped = message.upstreamDropped;
        recorder.ended({ endedAt: message.at, exitCode: message.exitCode, signal: message.signal });
      }
      clearInterval(ticker);
      writer.close();
      send({ type: "closed", written: writer.written, dropped: writer.dropped + message.upstreamDropped });
      return;
    }
  }
});
