/**
 * Folding on a worker thread with its own connection: a fold step takes tens to hundreds of milliseconds
 * of CPU (longer on a busy machine), and on the engine's thread each one held its live feeds, alert
 * evaluation and every request it answers itself. The worker runs the collector's own catch-up (the same
 * batches, the same high-water mark), with batches sized by their write transaction alone since nothing
 * else waits for it, so the engine's thread only waits for its answer.
 *
 * Both ends live here. Fail-open: without the bundle (tests running the sources) or when the worker
 * dies, `catchUp` resolves to null and the collector folds on its own thread as before.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type MessagePort, Worker } from "node:worker_threads";

/** The fold worker's niceness on Linux (0 normal, 19 lowest): below the engine's own threads. */
export const FOLD_NICE = 10;

/** The fold worker's young generation, MiB. */
const FOLD_YOUNG_GENERATION_MB = 32;

export interface FoldWorkerData {
  dbPath: string;
  foldBatch: number;
}

export interface FoldReport {
  folded: number;
  /** The longest fold transaction of the run, wall time in ms (what writers waited for the lock at most). */
  longestMs: number;
}

type Reply = ({ ok: true } & FoldReport) | { ok: false; message: string };

export class FoldThread {
  private worker: Worker | null = null;
  private broken: boolean;
  private waiting: ((reply: Reply | null) => void) | null = null;

  constructor(
    private readonly url: URL,
    private readonly data: FoldWorkerData,
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.broken = !bundleExists(url);
  }

  /** Folds until caught up on the worker; null when there is no worker to do it. */
  async catchUp(): Promise<FoldReport | null> {
    const worker = this.start();
    if (!worker) return null;
    const reply = await new Promise<Reply | null>((resolve) => {
      this.waiting = resolve;
      worker.ref();
      worker.postMessage("catch-up");
    });
    worker.unref();
    if (!reply) return null;
    if (!reply.ok) throw new Error(reply.message);
    return { folded: reply.folded, longestMs: reply.longestMs };
  }

  /** Stops the worker after its current transaction (a run in progress resolves with what it folded). */
  async close(): Promise<void> {
    this.broken = true;
    const worker = this.worker;
    if (!worker) return;
    if (this.waiting) {
      const answered = new Promise<void>((resolve) => {
        const waiting = this.waiting;
        this.waiting = (reply) => {
          waiting?.(reply);
          resolve();
        };
      });
      worker.postMessage("stop");
      await answered;
    }
    this.worker = null;
    await worker.terminate();
  }

  private settle(reply: Reply | null): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(reply);
  }

  private start(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    try {
      const worker = new Worker(this.url, {
        workerData: this.data,
        stdout: true,
        // Folding allocates a sketch per group: with a worker's default young generation it spent about
        // half as much CPU again on scavenges as on the engine's thread (bench/metrics-logs/fold.mjs).
        resourceLimits: { maxYoungGenerationSizeMb: FOLD_YOUNG_GENERATION_MB },
      });
      worker.stdout.resume();
      worker.unref();
      worker.on("message", (reply: Reply) => this.settle(reply));
      worker.on("error", (error) => this.warn(`the fold worker failed: ${error.message}`));
      worker.on("exit", () => {
        if (this.worker !== worker) return;
        // Folding goes on on the engine's thread; the high-water mark says where.
        this.worker = null;
        this.broken = true;
        this.warn("the fold worker ended; folding goes on on the engine's thread");
        this.settle(null);
      });
      this.worker = worker;
      return worker;
    } catch (error) {
      this.broken = true;
      this.warn(`cannot start the fold worker: ${(error as Error).message}`);
      return null;
    }
  }
}

function bundleExists(url: URL): boolean {
  try {
    return url.protocol === "file:" && existsSync(fileURLToPath(url));
  } catch {
    return false;
  }
}

/** The worker's side: one catch-up per request, answered with what it folded; `stop` ends a run early. */
export function serveFolds(port: MessagePort, catchUp: () => Promise<FoldReport>, stop: () => void): void {
  port.on("message", async (message: "catch-up" | "stop") => {
    if (message === "stop") return stop();
    let reply: Reply;
    try {
      reply = { ok: true, ...(await catchUp()) };
    } catch (error) {
      reply = { ok: false, message: (error as Error).message };
    }
    port.postMessage(reply);
  });
}
