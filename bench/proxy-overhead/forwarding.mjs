#!/usr/bin/env node
/**
 * The forwarding thread's own work on a large response, without the processes and pipes around it: what
 * `mcpscope run` does with each read after forwarding it (stamp it, offer its copy to the queue: cut the
 * long line to its head and tail, find the hidden names in the middle, batch, post to the observer), for
 * the payload bench's 1 MiB `blob` call read in 64 KiB pieces, this tree against BEFORE in alternating
 * rounds in one process. The observer is a real worker thread that takes each batch, counts its bytes as
 * handled and hands slabs back as the real one does; calls are spaced as a client's sequential calls are,
 * so the batch timer fires as it does in place. Prints the thread's CPU per call (process.threadCpuUsage),
 * less what the waits between calls cost it alone (measured in each round).
 *
 *   node bench/proxy-overhead/forwarding.mjs                  # BEFORE=72a57a3 CALLS=300 ROUNDS=6
 *   PAYLOAD=code node bench/proxy-overhead/forwarding.mjs     # the result is this repository's sources
 *   BEFORE= node bench/proxy-overhead/forwarding.mjs          # this tree alone
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { bundleEngine, median, ROOT } from "../lib.mjs";

const BEFORE = process.env.BEFORE ?? "72a57a3";
const CALLS = Number(process.env.CALLS ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 6);
const BYTES = Number(process.env.BYTES ?? 1 << 20);
/** `blob`: the payload bench's text (few quotes); `code`: this repository's TypeScript (many). */
const PAYLOAD = process.env.PAYLOAD ?? "blob";
/** What a pipe read gives the forwarding thread. */
const READ_BYTES = 64 * 1024;
/** Between calls, as a sequential client's next call comes (a 1 MiB call takes a few ms in place). */
const CALL_GAP_MS = 4;
const EXPORTS = (root) =>
  ["proxy/copy-queue.ts", "proxy/line-elider.ts", "proxy/clock.ts", "proxy/observer-thread.ts"]
    .map((file, i) => {
      const names = [
        "CopyQueue",
        "CONTROL_HEAD, CONTROL_SHORT_HEAD, CONTROL_SLOTS",
        "preciseNow",
        "WRAPPER_QUEUE",
      ][i];
      return `export { ${names} } from ${JSON.stringify(join(root, "electron/monitor", file))};`;
    })
    .join("\n");

/** The observer's side of the hand-over: bytes counted as handled, slabs back sixteen at a time. */
const OBSERVER = `
const { parentPort, workerData } = require("node:worker_threads");
const progress = new BigInt64Array(workerData);
let back = [];
parentPort.on("message", (message) => {
  if (message.type !== "chunks") return;
  let bytes = 0;
  for (const buffer of message.batch.buffers) {
    bytes += buffer.byteLength;
    if (buffer.byteLength === 65536) back.push(buffer);
  }
  Atomics.add(progress, 0, BigInt(bytes));
  Atomics.store(progress, 1, BigInt(Date.now()));
  if (back.length >= 16) {
    parentPort.postMessage(back, back);
    back = [];
  }
});`;

function resultText() {
  if (PAYLOAD === "code") {
    let text = "";
    const dir = join(ROOT, "electron/monitor/protocol");
    for (const file of readdirSync(dir).sort()) text += readFileSync(join(dir, file), "utf8");
    while (text.length < BYTES) text += text;
    return text.slice(0, BYTES);
  }
  // As bench/proxy-overhead/blob-server.mjs makes it.
  const LINE = "  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0); // x\n";
  const head = 'const config = { apiKey: "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234" };\n';
  return (head + LINE.repeat(Math.ceil(BYTES / LINE.length))).slice(0, BYTES);
}

const text = resultText();
const request = (id) =>
  Buffer.from(
    `{"method":"tools/call","params":{"name":"blob","arguments":{"bytes":${BYTES}}},"jsonrpc":"2.0","id":${id}}\n`,
  );
const response = (id) =>
  Buffer.from(`${JSON.stringify({ result: { content: [{ type: "text", text }] }, jsonrpc: "2.0", id })}\n`);

/**
 * Calls' reads made once, before the clock starts (the bench measures the copies, not the server's
 * printing): a few, taken in turn, each read its own buffer as a pipe's are.
 */
const PIECES = [1, 2, 3, 4].map((id) => {
  const bytes = response(id);
  const reads = [];
  for (let from = 0; from < bytes.length; from += READ_BYTES)
    reads.push(Buffer.from(bytes.subarray(from, from + READ_BYTES)));
  return [request(id), reads];
});

/** A queue wired as the wrapper wires it, with its observer thread. */
function forwarding(lib) {
  const elision = new Int32Array(new SharedArrayBuffer(4 * lib.CONTROL_SLOTS));
  // As the observer sets it for the default 64 KiB capture (its masking margin included).
  Atomics.store(elision, lib.CONTROL_HEAD, 64 * 1024 + 4096);
  Atomics.store(elision, lib.CONTROL_SHORT_HEAD, 4096 + 4096);
  const progress = new SharedArrayBuffer(16);
  const worker = new Worker(OBSERVER, { eval: true, workerData: progress });
  const queue = new lib.CopyQueue(worker, lib.WRAPPER_QUEUE);
  queue.elideLongLines("out", "in", elision);
  queue.reportProgressIn(new BigInt64Array(progress));
  worker.on("message", (slabs) => queue.recycle(slabs));
  return { lib, queue, worker };
}

/**
 * `calls` sequential calls; the forwarding thread's CPU µs per call, less what the same waits between
 * calls cost with nothing offered (`idle`, measured with null for `tree`).
 */
async function run(tree, calls) {
  const before = process.threadCpuUsage();
  for (let id = 0; id < calls; id++) {
    if (tree) {
      const { lib, queue } = tree;
      const [req, reads] = PIECES[id % PIECES.length];
      // As the wrapper of that tree offers them: a queue that reads the clock itself gets no time.
      const at = typeof queue.stamp === "function" ? () => undefined : lib.preciseNow;
      queue.offer("in", req, at());
      for (const read of reads) queue.offer("out", read, at());
    }
    // The batch timer and the observer's slabs run here, on this thread: counted too.
    await sleep(CALL_GAP_MS);
  }
  const used = process.threadCpuUsage(before);
  return (used.user + used.system) / calls;
}

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-forwarding-"));
try {
  const trees = [["this tree", forwarding(await bundleEngine(join(work, "after"), EXPORTS(ROOT)))]];
  if (BEFORE) {
    const src = join(work, "before-src");
    await mkdir(src, { recursive: true });
    const archive = execFileSync("git", ["archive", BEFORE, "electron", "shared"], {
      cwd: ROOT,
      maxBuffer: 256 * 2 ** 20,
    });
    execFileSync("tar", ["-x", "-C", src], { input: archive });
    trees.unshift([BEFORE, forwarding(await bundleEngine(join(work, "before"), EXPORTS(src)))]);
  }
  console.log(
    `forwarding thread CPU per ${(BYTES / 1024).toFixed(0)} KiB call (${PAYLOAD}), ${ROUNDS} rounds of ${CALLS} calls, µs`,
  );
  // Warm-up: as the payload bench's 100 calls, so that both run optimised code.
  for (const [, tree] of trees) await run(tree, 100);
  const figures = new Map(trees.map(([name]) => [name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // Each goes first in every other round: neither always meets the machine as the other left it.
    const order = r % 2 ? [...trees].reverse() : trees;
    const idle = await run(null, CALLS);
    for (const [name, tree] of order) figures.get(name)?.push((await run(tree, CALLS)) - idle);
  }
  for (const [name, values] of figures)
    console.log(
      `${name.padEnd(10)} median ${median(values).toFixed(1)}   rounds ${values.map((v) => v.toFixed(1)).join(" ")}`,
    );
  if (BEFORE) {
    const [b, a] = [...figures.values()].map(median);
    console.log(`this tree / ${BEFORE}: ${(a / b).toFixed(2)}`);
  }
  for (const [, tree] of trees) await tree.worker.terminate();
} finally {
  await rm(work, { recursive: true, force: true });
}
