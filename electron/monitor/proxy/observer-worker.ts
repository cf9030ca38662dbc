/**
 * The wrapper's observer, on its own thread: frames and parses copies of the traffic, pairs requests
 * with responses, masks and caps payloads, and writes batches to SQLite. SQLite calls are synchronous
 * and may wait on another process's lock; here they can only slow this thread, never the traffic.
 */
import { parentPort, workerData } from "node:worker_threads";
import { indexPendingLogs } from "../logs/fts-index.js";
import { databasePath } from "../paths.js";
import { BatchWriter } from "../store/batch-writer.js";
import { type Db, openDb } from "../store/db.js";
import { withTestPageLimit } from "../store/test-page-limit.js";
import { isLockMessage } from "../store/write-refusals.js";
import { Observation } from "./observation.js";
import { lockWait, OPEN_BUSY_MS, WRITE_BUSY_MS } from "./stop-budget.js";
import { lowerThreadPriority } from "./thread-priority.js";
import { type FromWorker, sessionEnding, type ToWorker, type WorkerInit } from "./worker-protocol.js";

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error("observer-worker must run as a worker thread");
const send = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

let observation: Observation | null = null;
const deadline = new BigInt64Array(init.drainDeadline);
/** A lock wait of at most `cap` ms, cut to the stop deadline once the wrapper was asked to stop. */
const wait = (cap: number) => lockWait(cap, Number(Atomics.load(deadline, 1)));
const unstored = init.unstored ? new BigInt64Array(init.unstored) : null;
/** Calls not stored so far, for the wrapper to report if this thread cannot answer at exit in time. */
const publishUnstored = () => {
  if (!unstored || !observation) return;
  Atomics.store(unstored, 0, BigInt(observation.unstoredCalls));
  Atomics.store(unstored, 1, BigInt(observation.clientLines));
};

/** Opens the database, waiting out another process's lock in short tries that end early on a stop. */
function open(): Db {
  const path = databasePath(init.dataDir);
  const until = Date.now() + OPEN_BUSY_MS;
  for (;;) {
    // The open retries its steps until its own busy timeout has passed: one try can wait about twice it.
    const busyTimeoutMs = Math.floor(wait(Math.min(WRITE_BUSY_MS, until - Date.now())) / 2);
    try {
      // An older schema is left to the app or a command to upgrade (store/before-upgrade.ts).
      return withTestPageLimit(openDb(path, { busyTimeoutMs, olderSchema: "refuse" }));
    } catch (error) {
      if (!/busy|locked/i.test((error as Error).message) || Date.now() >= until || wait(1) === 0) throw error;
    }
  }
}

/** The connection's busy timeout, as last set. */
let busyMs = WRITE_BUSY_MS;
const writer = new BatchWriter({
  open: () => {
    let locked = false;
    try {
      const db = open();
      db.exec(`PRAGMA busy_timeout = ${WRITE_BUSY_MS}`);
      busyMs = WRITE_BUSY_MS;
      return db;
    } catch (error) {
      // Another process's lock outlasted the open: the writer tries again within its own lock budget,
      // so the thread is still opening, not stalled. Said ready here, the wrapper's exit drain would time
      // the steps left before the thread's last word, which a busy machine can hold up (its priority is
      // lowered), and give up on it with that word a moment away.
      locked = isLockMessage((error as Error).message);
      throw error;
    } finally {
      if (!locked) ready();
    }
  },
  beforeWrite: (db) => {
    const ms = wait(WRITE_BUSY_MS);
    if (ms === busyMs) return;
    db.exec(`PRAGMA busy_timeout = ${ms}`);
    busyMs = ms;
  },
  onBatch: () => {
    observation?.madeProgress();
    publishUnstored();
  },
  onProblem: (message) => send({ type: "problem", message: `mcpscope: ${message}` }),
  afterBatch: [
    {
      write: (db) => observation?.recorder.writeSessionRow(db),
      committed: () => observation?.recorder.committed(),
    },
    // The full-text index, once per batch (see logs/fts-index.ts).
    { write: (db) => indexPendingLogs(db) },
  ],
});
observation = new Observation(init, writer, send);
observation.beforeLastWrite = publishUnstored;
const current = observation;

let announced = false;
/**
 * The database is open (or failed to open for good, said in a problem line): from now on the wrapper's
 * exit drain holds a long wait for progress against this thread. Opening can take seconds (another
 * process's lock, a migration, tried again while the lock lasts): that is not a stall, also at exit.
 */
function ready(): void {
  if (announced) return;
  announced = true;
  send({ type: "ready" });
}

const ticker = setInterval(() => current.tick(Date.now()), 1000);
ticker.unref();
// Open the database (and migrate) and write the session row now, before traffic: the first calls'
// commit then waits for nothing but the flush itself.
// Not for a session that ended before this thread started: the exit writes it with the rest.
if (Atomics.load(deadline, 0) === 0n) writer.flush();
// Only then does the thread give way to the traffic (thread-priority.ts): its start, done once, runs at
// the priority its loading ran at. And only while the session goes on: once the client closed its input
// or the wrapper was asked to stop, there is no traffic to give way to, and a lowered priority cannot be
// raised again. Lowered from the start, the thread took seconds on a loaded machine to open the database
// (tens of milliseconds of a core), and a session its client stopped soon after it began (the MCP SDK's
// close: stdin closed, SIGTERM 2 s later, SIGKILL 2 s after that) ended before its end could be stored.
if (!sessionEnding(deadline)) lowerThreadPriority();

port.on("message", (message: ToWorker) => {
  current.handle(message);
  publishUnstored();
  if (message.type === "exit") clearInterval(ticker);
});
