/**
 * Starts an observer worker behind a bounded copy queue, for the ways in that are not the stdio wrapper
 * (the HTTP proxy, the in-process tap). If the worker cannot start or dies, copies are dropped and the
 * traffic goes on; at the end, the worker gets a bounded time to store what it holds.
 */
import { Worker } from "node:worker_threads";
import { CopyQueue } from "../proxy/copy-queue.js";

type WorkerReply = { type: "ack"; bytes: number } | { type: "problem"; message: string } | { type: "closed" };

export interface ObserverThread<S extends string, M extends { type: string }> {
  queue: CopyQueue<S, M>;
  /** Posts the final message and waits (bounded) until the worker has stored what it holds. */
  finish(last: M): Promise<void>;
}

export interface ObserverThreadOptions {
  workerUrl: URL;
  workerData: unknown;
  /** One line per problem, e.g. to stderr; never to a protocol stream. */
  report: (line: string) => void;
  label: string;
  /** Longest wait for the worker at the end. */
  finishLimitMs?: number;
}

export function startObserverThread<S extends string, M extends { type: string }>(
  options: ObserverThreadOptions,
): ObserverThread<S, M> {
  let worker: Worker;
  try {
    worker = new Worker(options.workerUrl, { workerData: options.workerData, stdout: true, stderr: false });
    worker.stdout.resume();
  } catch (error) {
    options.report(
      `${options.label}: observation is off (${(error as Error).message}); traffic is unaffected`,
    );
    const queue = new CopyQueue<S, M>({ postMessage: () => {} });
    queue.markBroken();
    return { queue, finish: async () => {} };
  }
  worker.unref();
  const queue = new CopyQueue<S, M>(worker);
  let closed: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    closed = resolve;
  });
  worker.on("message", (message: WorkerReply) => {
    if (message.type === "ack") queue.acknowledge(message.bytes);
    else if (message.type === "problem") options.report(message.message);
    else if (message.type === "closed") closed();
  });
  worker.on("error", (error) => {
    queue.markBroken();
    options.report(`${options.label}: observation stopped (${error.message}); traffic is unaffected`);
    closed();
  });
  worker.on("exit", () => {
    queue.markBroken();
    closed();
  });
  return {
    queue,
    async finish(last) {
      // Until what the worker holds is stored, it keeps the process alive (bounded below).
      worker.ref();
      queue.post(last);
      const limit = options.finishLimitMs ?? 15_000;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), limit);
        timer.unref();
      });
      const finished = await Promise.race([done.then(() => true), expired]);
      clearTimeout(timer);
      if (!finished) {
        options.report(
          `${options.label}: stopped storing observations after ${Math.round(limit / 1000)} s (storage too slow); traffic was unaffected`,
        );
      }
      await worker.terminate();
    },
  };
}
