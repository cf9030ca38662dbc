/**
 * The wrapper's observer, on its own thread: frames and parses copies of the traffic, pairs requests
 * with responses, masks and caps payloads, and writes batches to SQLite. SQLite calls are synchronous
 * and may wait on another process's lock; here they can only slow this thread, never the traffic.
 */
import { parentPort, workerData } from "node:worker_threads";
import { indexPendingLogs } from "../logs/fts-index.js";
import { databasePath } from "../paths.js";
import { BatchWriter } from "../store/batch-writer.js";
import { openDb } from "../store/db.js";
import { withTestPageLimit } from "../store/test-page-limit.js";
import { Observation } from "./observation.js";
import { lowerThreadPriority } from "./thread-priority.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker-protocol.js";

const init = workerData as WorkerInit;
lowerThreadPriority();
const port = parentPort;
if (!port) throw new Error("observer-worker must run as a worker thread");
const send = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

let observation: Observation | null = null;
/**
 * How long one write waits for another process's lock once the database is open (opening, which may wait
 * for a migration, keeps the longer wait). Short, because a worker inside a busy wait holds up the
 * wrapper's exit: a stopping wrapper must be gone well before its client's own deadline (the MCP SDK
 * kills it 2 s after SIGTERM). A refused write keeps its rows and is tried again.
 */
const WRITE_BUSY_MS = 500;
const unstored = init.unstored ? new BigInt64Array(init.unstored) : null;
/** Calls not stored so far, for the wrapper to report if this thread cannot answer at exit in time. */
const publishUnstored = () => {
  if (!unstored || !observation) return;
  Atomics.store(unstored, 0, BigInt(observation.recorder.unrecordedCalls + writer.pendingCalls));
  Atomics.store(unstored, 1, BigInt(observation.clientLines));
};

const writer = new BatchWriter({
  open: () => {
    const db = withTestPageLimit(openDb(databasePath(init.dataDir), { busyTimeoutMs: 2000 }));
    db.exec(`PRAGMA busy_timeout = ${WRITE_BUSY_MS}`);
    return db;
  },
  onBatch: () => {
    observation?.recorder.committed();
    observation?.madeProgress();
    publishUnstored();
  },
  onProblem: (message) => send({ type: "problem", message: `mcpscope: ${message}` }),
  afterBatch: (db) => {
    observation?.recorder.writeSessionRow(db);
    indexPendingLogs(db); // full-text index, once per batch (see logs/fts-index.ts)
  },
});
observation = new Observation(init, writer, send);
observation.beforeLastWrite = publishUnstored;
const current = observation;

const ticker = setInterval(() => current.tick(Date.now()), 1000);
ticker.unref();
// Open the database (and migrate) and write the session row now, before traffic: the first calls'
// commit then waits for nothing but the flush itself.
// Not for a session that ended before this thread started: the exit writes it with the rest.
if (Atomics.load(new BigInt64Array(init.drainDeadline), 0) === 0n) writer.flush();
// Opening can take seconds (another process's lock, a migration): the wrapper's exit drain waits for this.
send({ type: "ready" });

port.on("message", (message: ToWorker) => {
  current.handle(message);
  publishUnstored();
  if (message.type === "exit") clearInterval(ticker);
});
