#!/usr/bin/env node
/**
 * The observer thread's own cost per small call, without the processes around it: copies of CALLS
 * `tools/call` requests and their answers (in chunks as the forwarding thread posts them) handed straight
 * to the observer's code (`Observation`, bundled from the sources) over a real database, and the thread's
 * CPU time per call. The shared machine's load moves wall time, not this.
 *
 *   node bench/load/observer.mjs                  # CALLS=100000 ROUNDS=3
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/load/observer.mjs
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "../lib.mjs";
import { bundleObserver, startObservation } from "./in-process.mjs";

const CALLS = Number(process.env.CALLS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PER_CHUNK = 200;

const work = await mkdtemp(join(tmpdir(), "mcpscope-observer-"));
const lib = await bundleObserver(work);

const request = (id) =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello ${id}"}}}\n`;
const response = (id) =>
  `{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"hello ${id}"}]}}\n`;

async function round(n) {
  const { observation, dataDir } = await startObservation(lib, work, {
    server: "load",
    command: "echo-server",
  });
  const init0 = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}\n`;
  let at = Date.now();
  const batch = (stream, at, bytes) => lib.packBatch([{ stream, at, bytes }], 0).message;
  observation.handle(batch("in", at, new TextEncoder().encode(init0)));
  observation.handle(
    batch(
      "out",
      at,
      new TextEncoder().encode(
        `{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"e","version":"1"}}}\n`,
      ),
    ),
  );
  // Chunks prepared up front: the bench measures the observer, not the making of its input.
  const chunks = [];
  for (let first = 1; first <= n; first += PER_CHUNK) {
    let inText = "";
    let outText = "";
    for (let id = first; id < first + PER_CHUNK && id <= n; id++) {
      inText += request(id);
      outText += response(id);
    }
    chunks.push([new TextEncoder().encode(inText), new TextEncoder().encode(outText)]);
  }
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (const [inBytes, outBytes] of chunks) {
    at += 5;
    observation.handle(batch("in", at, inBytes));
    observation.handle(batch("out", at + 1, outBytes));
  }
  observation.handle({ type: "exit", at: at + 10, exitCode: 0, signal: null });
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const db = lib.openDb(join(dataDir, "mcpscope.db"), { readOnly: true });
  const stored = Number(
    db.prepare("SELECT count(*) AS n FROM calls WHERE method = 'tools/call' AND outcome = 'ok'").get().n,
  );
  db.close();
  return { cpuUs: (cpu.user + cpu.system) / n, wallUs: (wall * 1000) / n, stored };
}

const results = [];
for (let r = 0; r < ROUNDS; r++) {
  const result = await round(CALLS);
  results.push(result);
  console.log(
    `  round ${r + 1}: ${result.cpuUs.toFixed(1)} µs CPU, ${result.wallUs.toFixed(1)} µs wall per call; ${result.stored} of ${CALLS} stored ok`,
  );
}
const cpu = median(results.map((r) => r.cpuUs));
console.log(
  `observer: ${cpu.toFixed(1)} µs CPU per small call (median of ${ROUNDS}): at most ${Math.floor(1e6 / cpu).toLocaleString("en")} calls/s on one core`,
);
await rm(work, { recursive: true, force: true });
if (results.some((r) => r.stored !== CALLS)) process.exit(1);
