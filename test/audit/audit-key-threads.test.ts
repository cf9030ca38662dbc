/**
 * The engine's remote proxies each observe in a worker thread of one process: on a data dir without an
 * audit key, their first calls make it at once. Every thread must end up with the one key the file holds
 * (a record under a key nobody keeps could never be checked), and none may fail to get one.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAuditKey } from "../../electron/monitor/audit/audit-key.js";
import { bundleWorker } from "../helpers/worker-bundle.js";

const THREADS = 6;
const ROUNDS = 40;

type Answer = { round: number; id?: string; error?: string };

let dir: string;
let worker: URL;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-audit-key-"));
  worker = await bundleWorker(new URL("../fixtures/audit-key-worker.ts", import.meta.url), dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the audit key made by threads at once", () => {
  it("is one key, the one in the file, for every thread", async () => {
    const gate = new SharedArrayBuffer(8);
    const flag = new Int32Array(gate);
    const answers = new Map<number, Answer[]>();
    let failed: unknown = null;
    const threads = Array.from({ length: THREADS }, () => {
      const thread = new Worker(worker, { workerData: { base: dir, gate, rounds: ROUNDS } });
      thread.on("message", (answer: Answer) => {
        const list = answers.get(answer.round) ?? [];
        list.push(answer);
        answers.set(answer.round, list);
      });
      thread.on("error", (error) => {
        failed = error;
      });
      return thread;
    });
    const until = async (done: () => boolean) => {
      while (!done() && !failed) await new Promise((r) => setImmediate(r));
      if (failed) throw failed;
    };
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        // Every thread is waiting at the gate: then all are let go together.
        await until(() => Atomics.load(flag, 1) >= THREADS * round);
        Atomics.store(flag, 0, round);
        Atomics.notify(flag, 0);
        await until(() => (answers.get(round)?.length ?? 0) >= THREADS);
        const kept = readAuditKey(join(dir, `data-${round}`))?.id;
        expect(kept).toMatch(/^[0-9a-f]{8}$/);
        expect(answers.get(round)).toEqual(Array.from({ length: THREADS }, () => ({ round, id: kept })));
      }
    } finally {
      await Promise.all(threads.map((t) => t.terminate()));
    }
  });
});
