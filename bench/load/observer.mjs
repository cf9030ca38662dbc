#!/usr/bin/env node
/**
 * The observer thread's own cost per small call, without the processes around it: copies of CALLS
 * `tools/call` requests and their answers (in chunks as the forwarding thread posts them) handed straight
 * to the observer's code (`Observation`, bundled from the sources) over a real database, and the thread's
 * CPU time per call. The shared machine's load moves wall time, not this. With `BEFORE` (another tree: a
 * checkout or an unpacked `git archive` with its own node_modules or a link to one), both trees' observers
 * run in this one process, rounds alternating (A B, B A, …), so that both see the same load.
 *
 *   node bench/load/observer.mjs                  # CALLS=100000 ROUNDS=3
 *   BEFORE=/tmp/old CALLS=50000 ROUNDS=8 node bench/load/observer.mjs
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/load/observer.mjs
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "../lib.mjs";
import { treeObserver } from "./in-process.mjs";

const CALLS = Number(process.env.CALLS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PER_CHUNK = 200;
const HERE = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const work = await mkdtemp(join(tmpdir(), "mcpscope-observer-"));

const tree = async (root, name) => ({ name, root, ...(await treeObserver(root, join(work, name))) });

const request = (id) =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello ${id}"}}}\n`;
const response = (id) =>
  `{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"hello ${id}"}]}}\n`;

async function round({ lib, startObservation }, n) {
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

const trees = process.env.BEFORE
  ? [await tree(resolve(process.env.BEFORE), "before"), await tree(HERE, "this")]
  : [await tree(HERE, "this")];
if (trees.length > 1) for (const t of trees) await round(t, Math.min(CALLS, 10_000)); // warm-up
const results = new Map(trees.map((t) => [t, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const t of r % 2 ? [...trees].reverse() : trees) {
    const result = await round(t, CALLS);
    results.get(t).push(result);
    console.log(
      `  round ${r + 1}${trees.length > 1 ? ` ${t.name.padEnd(6)}` : ""}: ${result.cpuUs.toFixed(1)} µs CPU, ${result.wallUs.toFixed(1)} µs wall per call; ${result.stored} of ${CALLS} stored ok`,
    );
  }
}
const cpu = (t) => median(results.get(t).map((r) => r.cpuUs));
for (const t of trees)
  console.log(
    `observer${trees.length > 1 ? ` (${t.name}, ${t.root})` : ""}: ${cpu(t).toFixed(1)} µs CPU per small call (median of ${ROUNDS}): at most ${Math.floor(1e6 / cpu(t)).toLocaleString("en")} calls/s on one core`,
  );
if (trees.length > 1) console.log(`this / before by medians: ${(cpu(trees[1]) / cpu(trees[0])).toFixed(3)}`);
await rm(work, { recursive: true, force: true });
if ([...results.values()].flat().some((r) => r.stored !== CALLS)) process.exit(1);
