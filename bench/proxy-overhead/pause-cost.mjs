#!/usr/bin/env node
/**
 * What the observer's courtesy pauses (electron/monitor/proxy/courtesy.ts) cost in CPU on this machine: a
 * worker thread sleeps PAUSE_MS with Atomics.wait, as the observer does between two slices of a batch's
 * work, and reads its own CPU time (user + system) per pause. Then the same fixed work (a walk over
 * 256 KiB, as a capture's passes touch memory) done in one go and with a pause every SLICE_MS, to show
 * what a pause adds to the work around it (caches and a core given up and taken back).
 *
 *   node bench/proxy-overhead/pause-cost.mjs               # WAITS=5000 BATCHES=300
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { bundleEngine, median } from "../lib.mjs";

const WAITS = Number(process.env.WAITS ?? 5000);
const BATCHES = Number(process.env.BATCHES ?? 300);

if (isMainThread) {
  const work = await mkdtemp(join(tmpdir(), "mcpscope-pause-cost-"));
  const { SLICE_MS, PAUSE_MS } = await bundleEngine(
    work,
    `export { SLICE_MS, PAUSE_MS } from "./electron/monitor/proxy/courtesy.ts";`,
  );
  const run = (mode) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { mode, SLICE_MS, PAUSE_MS } });
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  const waits = [];
  for (let i = 0; i < 3; i++) waits.push(await run("wait"));
  console.log(
    `pause-cost: Atomics.wait(${PAUSE_MS} ms) on a worker, ${WAITS} waits, 3 runs: ` +
      `${median(waits.map((w) => w.cpuUs)).toFixed(1)} µs CPU a wait ` +
      `(${median(waits.map((w) => w.sysUs)).toFixed(1)} µs in the kernel), lasting ${median(waits.map((w) => w.wallUs)).toFixed(0)} µs`,
  );
  const plain = [];
  const paused = [];
  for (let i = 0; i < 3; i++) {
    plain.push(await run("plain"));
    paused.push(await run("paused"));
  }
  const plainUs = median(plain.map((r) => r.cpuUs));
  const pausedUs = median(paused.map((r) => r.cpuUs));
  const pauses = median(paused.map((r) => r.pauses));
  console.log(
    `the same work, ${BATCHES} batches: ${plainUs.toFixed(0)} µs CPU a batch in one go, ` +
      `${pausedUs.toFixed(0)} µs with a pause every ${SLICE_MS} ms (${pauses.toFixed(1)} pauses a batch): ` +
      `${((pausedUs - plainUs) / Math.max(pauses, 1)).toFixed(1)} µs a pause in all`,
  );
  await rm(work, { recursive: true, force: true });
} else {
  const { mode, SLICE_MS, PAUSE_MS } = workerData;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const cpu = () => {
    const { user, system } = process.threadCpuUsage();
    return { user, system };
  };
  if (mode === "wait") {
    const start = cpu();
    const began = performance.now();
    for (let i = 0; i < WAITS; i++) Atomics.wait(cell, 0, 0, PAUSE_MS);
    const end = cpu();
    parentPort.postMessage({
      cpuUs: (end.user - start.user + end.system - start.system) / WAITS,
      sysUs: (end.system - start.system) / WAITS,
      wallUs: ((performance.now() - began) * 1000) / WAITS,
    });
  } else {
    const memory = new Uint8Array(256 * 1024);
    for (let i = 0; i < memory.length; i++) memory[i] = i * 7;
    let sink = 0;
    let pauses = 0;
    let at = 0;
    const start = cpu();
    for (let b = 0; b < BATCHES; b++) {
      let slice = performance.now();
      for (let step = 0; step < 150; step++) {
        for (let k = 0; k < 2048; k++) {
          at = (at + 61) & (memory.length - 1);
          sink += memory[at];
        }
        if (mode === "paused" && performance.now() - slice >= SLICE_MS) {
          Atomics.wait(cell, 0, 0, PAUSE_MS);
          pauses++;
          slice = performance.now();
        }
      }
      // Idle between batches, as the observer is between a call's copies.
      Atomics.wait(cell, 0, 0, 2);
    }
    const end = cpu();
    parentPort.postMessage({
      cpuUs: (end.user - start.user + end.system - start.system) / BATCHES,
      pauses: pauses / BATCHES,
      sink: sink & 1,
    });
  }
}
