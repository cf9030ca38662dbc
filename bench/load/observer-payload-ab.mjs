#!/usr/bin/env node
/**
 * observer-payload.mjs's work for two trees in one process, rounds alternating (A B, B A, …), so that both
 * see the same load: on a shared machine whose load moves by tens between runs, the steadier way to read a
 * change of a few percent. `BEFORE`: the other tree (a checkout or an unpacked `git archive`, with its
 * own node_modules or a link to one); this tree is B. Prints each round's CPU time per call (the whole
 * process: the observer's work and the collections it causes) and the ratio of the medians.
 *
 *   BEFORE=/tmp/old node bench/load/observer-payload-ab.mjs          # PAIRS=8 CALLS=200 BYTES=1048576
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../lib.mjs";
import { treeObserver } from "./in-process.mjs";

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BEFORE = process.env.BEFORE;
if (!BEFORE) {
  console.error("observer-payload-ab: set BEFORE to the tree to compare this one with");
  process.exit(1);
}
const BYTES = Number(process.env.BYTES ?? 1 << 20);
const CALLS = Number(process.env.CALLS ?? 200);
const PAIRS = Number(process.env.PAIRS ?? 8);
/** What a pipe read gives the forwarding thread. */
const READ_BYTES = 64 * 1024;

const work = await mkdtemp(join(tmpdir(), "mcpscope-observer-payload-ab-"));

const tree = async (root, name) => ({
  name,
  root,
  ...(await treeObserver(
    root,
    join(work, name),
    `export { LineElider, CONTROL_SLOTS } from "./electron/monitor/proxy/line-elider.ts";`,
  )),
});

// As bench/proxy-overhead/blob-server.mjs makes it.
const LINE = "  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0); // x\n";
const head = 'const config = { apiKey: "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234" };\n';
const blob = (head + LINE.repeat(Math.ceil(BYTES / LINE.length))).slice(0, BYTES);
const encoder = new TextEncoder();
const line = (message) => encoder.encode(`${JSON.stringify(message)}\n`);

/** CPU µs per call of one round of `n` calls (copies cut and prepared before the clock starts). */
async function round({ lib, startObservation }, n) {
  const elision = new SharedArrayBuffer(lib.CONTROL_SLOTS * 4);
  const { observation } = await startObservation(lib, work, {
    server: "blob",
    command: "blob-server",
    elision,
  });
  const elider = new lib.LineElider(new Int32Array(elision));
  const at = Date.now();
  const batch = (items) => lib.packBatch(items, 0).message;
  const init = {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "bench", version: "1" },
  };
  observation.handle(
    batch([{ stream: "in", at, bytes: line({ jsonrpc: "2.0", id: 0, method: "initialize", params: init }) }]),
  );
  const server = {
    protocolVersion: "2025-06-18",
    capabilities: { tools: {} },
    serverInfo: { name: "blob", version: "1" },
  };
  observation.handle(batch([{ stream: "out", at, bytes: line({ jsonrpc: "2.0", id: 0, result: server }) }]));
  const calls = [];
  for (let id = 1; id <= n; id++) {
    const items = [];
    const bytes = Buffer.from(
      line({ result: { content: [{ type: "text", text: blob }] }, jsonrpc: "2.0", id }),
    );
    const sink = {
      copy: (part) => items.push({ stream: "out", at: at + id, bytes: Uint8Array.from(part) }),
      elided: (elided) => items.push({ stream: "out", at: at + id, bytes: new Uint8Array(0), elided }),
    };
    for (let from = 0; from < bytes.length; from += READ_BYTES)
      elider.offer(bytes.subarray(from, from + READ_BYTES), sink);
    const params = { name: "blob", arguments: { bytes: BYTES } };
    calls.push([
      { stream: "in", at: at + id, bytes: line({ method: "tools/call", params, jsonrpc: "2.0", id }) },
      items,
    ]);
  }
  const cpu0 = process.cpuUsage();
  for (const [request, items] of calls) {
    observation.handle(batch([request]));
    observation.handle(batch(items));
  }
  const cpu = process.cpuUsage(cpu0);
  observation.handle({ type: "exit", at: at + n + 10, exitCode: 0, signal: null });
  return (cpu.user + cpu.system) / n;
}

const trees = [await tree(resolve(BEFORE), "a"), await tree(HERE, "b")];
for (const t of trees) await round(t, 100); // warm-up
const results = { a: [], b: [] };
for (let p = 0; p < PAIRS; p++)
  for (const t of p % 2 ? [...trees].reverse() : trees) results[t.name].push(await round(t, CALLS));
console.log(`observer-payload-ab: ${PAIRS} pairs of ${CALLS} calls with ${BYTES}-byte results, CPU per call`);
for (const t of trees)
  console.log(
    `  ${t.name === "a" ? "before" : "this  "} ${results[t.name].map((v) => v.toFixed(0)).join(" ")}  median ${median(results[t.name]).toFixed(0)} µs  (${t.root})`,
  );
console.log(`this / before by medians: ${(median(results.b) / median(results.a)).toFixed(3)}`);
await rm(work, { recursive: true, force: true });
