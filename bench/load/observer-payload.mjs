#!/usr/bin/env node
/**
 * The observer thread's own cost per call with a large response, without the processes around it: the
 * payload bench's blob result (source-like text with a credential near its start) cut as the forwarding
 * thread cuts it (LineElider: the kept head, the elision, the tail), the request and the copies handed
 * straight to the observer's code (`Observation`) over a real database, one call at a time. Prints the
 * thread's CPU time per call, so that the in-situ figure of `bench/proxy-overhead/payload.mjs` (the same
 * work on two cores shared with the client and the server) has a quiet baseline to be read against.
 *
 *   node bench/load/observer-payload.mjs                     # BYTES=1048576 CALLS=300 ROUNDS=5
 *   BYTES=65536 node bench/load/observer-payload.mjs
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/load/observer-payload.mjs
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "../lib.mjs";
import { bundleObserver, startObservation } from "./in-process.mjs";

const BYTES = Number(process.env.BYTES ?? 1 << 20);
const CALLS = Number(process.env.CALLS ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
/** What a pipe read gives the forwarding thread. */
const READ_BYTES = 64 * 1024;

const work = await mkdtemp(join(tmpdir(), "mcpscope-observer-payload-"));
const lib = await bundleObserver(
  work,
  `export { LineElider, CONTROL_SLOTS } from "./electron/monitor/proxy/line-elider.ts";
   export { decodePayload } from "./electron/monitor/store/payload-codec.ts";`,
);

// As bench/proxy-overhead/blob-server.mjs makes it.
const LINE = "  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0); // x\n";
const head = 'const config = { apiKey: "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234" };\n';
const blob = (head + LINE.repeat(Math.ceil(BYTES / LINE.length))).slice(0, BYTES);
const encoder = new TextEncoder();
const request = (id) =>
  encoder.encode(
    `{"method":"tools/call","params":{"name":"blob","arguments":{"bytes":${BYTES}}},"jsonrpc":"2.0","id":${id}}\n`,
  );
const response = (id) =>
  encoder.encode(
    `${JSON.stringify({ result: { content: [{ type: "text", text: blob }] }, jsonrpc: "2.0", id })}\n`,
  );

async function round(n) {
  const elision = new SharedArrayBuffer(lib.CONTROL_SLOTS * 4);
  const { observation, dataDir } = await startObservation(lib, work, {
    server: "blob",
    command: "blob-server",
    elision,
  });
  const elider = new lib.LineElider(new Int32Array(elision));
  let at = Date.now();
  const batch = (items) => lib.packBatch(items, 0).message;
  const init0 = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}\n`;
  observation.handle(batch([{ stream: "in", at, bytes: encoder.encode(init0) }]));
  const initialized = `{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"blob","version":"1"}}}\n`;
  observation.handle(batch([{ stream: "out", at, bytes: encoder.encode(initialized) }]));
  // The copies prepared up front, as the forwarding thread makes them: the bench measures the observer.
  const calls = [];
  for (let id = 1; id <= n; id++) {
    const items = [];
    const bytes = Buffer.from(response(id));
    const sink = {
      copy: (part) => items.push({ stream: "out", at: at + id, bytes: Uint8Array.from(part) }),
      elided: (elided) => items.push({ stream: "out", at: at + id, bytes: new Uint8Array(0), elided }),
    };
    for (let from = 0; from < bytes.length; from += READ_BYTES)
      elider.offer(bytes.subarray(from, from + READ_BYTES), sink);
    calls.push([{ stream: "in", at: at + id, bytes: request(id) }, items]);
  }
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (const [req, items] of calls) {
    observation.handle(batch([req]));
    observation.handle(batch(items));
  }
  at += n + 10;
  observation.handle({ type: "exit", at, exitCode: 0, signal: null });
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const db = lib.openDb(join(dataDir, "mcpscope.db"), { readOnly: true });
  const rows = db.prepare("SELECT outcome, response FROM calls WHERE method = 'tools/call'").all();
  db.close();
  const good = rows.filter((r) => {
    const text = lib.decodePayload(r.response) ?? "";
    return r.outcome === "ok" && text.includes("[masked:") && !text.includes("ghp_R4nd0m");
  }).length;
  return { cpuUs: (cpu.user + cpu.system) / n, wallUs: (wall * 1000) / n, good };
}

console.log(`observer-payload: ${CALLS} calls with ${BYTES}-byte results, ${ROUNDS} rounds`);
const results = [];
for (let r = 0; r < ROUNDS; r++) {
  const result = await round(CALLS);
  results.push(result);
  console.log(
    `  round ${r + 1}: ${result.cpuUs.toFixed(0)} µs CPU, ${result.wallUs.toFixed(0)} µs wall per call; ${result.good} of ${CALLS} stored ok and masked`,
  );
}
console.log(
  `observer: ${median(results.map((r) => r.cpuUs)).toFixed(0)} µs CPU per ${BYTES}-byte call (median of ${ROUNDS})`,
);
await rm(work, { recursive: true, force: true });
if (results.some((r) => r.good !== CALLS)) process.exit(1);
