#!/usr/bin/env node
/**
 * What `mcpscope run` costs per call when responses are large. The real SDK client calls `blob` on a real
 * SDK server (bench/proxy-overhead/blob-server.mjs) for 64 KiB and 1 MiB results, sequentially, three
 * ways (direct, a bare pipe relay, `mcpscope run`), rounds interleaved. Prints per size the median round
 * trip of each mode, and the CPU time per call of the wrapper (both threads) beside the relay's: the
 * wrapper keeps 64 KiB of each payload, so its work should not grow with what it does not keep (target: at
 * most 2× the relay's CPU at 1 MiB). Then checks what was stored: every call, `ok`, the response text
 * capped and its credential masked.
 *
 *   node bench/proxy-overhead/payload.mjs              (build first: node build/build.mjs node)
 *   SIZES=65536,1048576 CALLS=40 ROUNDS=3 node bench/proxy-overhead/payload.mjs
 *   WRAPPER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/proxy-overhead/payload.mjs
 *
 * Exits 1 if a call was not stored, stored with another outcome, or stored unmasked or uncapped.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "bin", "mcpscope.js");
const RELAY = join(ROOT, "bench", "proxy-overhead", "relay.mjs");
const SERVER = join(ROOT, "bench", "proxy-overhead", "blob-server.mjs");
const NODE = process.execPath;
const SIZES = (process.env.SIZES ?? "65536,1048576").split(",").map(Number);
const CALLS = Number(process.env.CALLS ?? 40);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WARMUP = Number(process.env.WARMUP ?? 10);
const TARGET = 2;

const dataDir = await mkdtemp(join(tmpdir(), "mcpscope-bench-payload-"));
const MODES = {
  direct: [SERVER],
  relay: [RELAY, NODE, SERVER],
  mcpscope: [
    ...(process.env.WRAPPER_NODE_ARGS ?? "").split(" ").filter(Boolean),
    BIN,
    "run",
    "--name",
    "blob",
    "--data-dir",
    dataDir,
    "--",
    NODE,
    SERVER,
  ],
};
const order = Object.keys(MODES);

function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const conns = {};
for (const name of order) {
  const transport = new StdioClientTransport({ command: NODE, args: MODES[name], stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const client = new Client({ name: `bench-${name}`, version: "1.0.0" });
  await client.connect(transport);
  conns[name] = { client, transport, stderr: () => stderr, made: 0 };
}

async function calls(name, bytes, n, samples) {
  const conn = conns[name];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    const result = await conn.client.callTool({ name: "blob", arguments: { bytes } });
    samples?.push(Number(process.hrtime.bigint() - start) / 1000);
    conn.made++;
    if (result.content?.[0]?.text?.length !== bytes) throw new Error(`${name}: short result`);
  }
}

console.log(`proxy-overhead/payload: ${ROUNDS} rounds × ${CALLS} sequential blob calls per size and mode`);
const rows = [];
for (const bytes of SIZES) {
  for (const name of order) await calls(name, bytes, WARMUP);
  const samples = Object.fromEntries(order.map((name) => [name, []]));
  const cpu = { mcpscope: 0, relay: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of order.map((_, i) => order[(i + round) % order.length])) {
      const pid = conns[name].transport.pid;
      const before = name in cpu ? cpuSeconds(pid) : 0;
      await calls(name, bytes, CALLS, samples[name]);
      if (name in cpu) cpu[name] += cpuSeconds(pid) - before;
    }
  }
  const measured = ROUNDS * CALLS;
  rows.push({
    bytes,
    ...Object.fromEntries(order.map((name) => [name, median(samples[name])])),
    wrapperCpu: (cpu.mcpscope * 1e6) / measured,
    relayCpu: (cpu.relay * 1e6) / measured,
  });
}
for (const name of order) await conns[name].client.close();

// The wrapper has exited (its drain is done) once its client closed: read what it stored.
const db = new DatabaseSync(join(dataDir, "mcpscope.db"), { readOnly: true });
const stored = db
  .prepare(
    "SELECT count(*) AS n, sum(outcome = 'ok') AS ok, max(length(response)) AS longest, sum(response LIKE '%ghp_R4nd0m%') AS leaked, sum(response LIKE '%[masked:%') AS masked FROM calls WHERE method = 'tools/call'",
  )
  .get();
const dropped = db.prepare("SELECT coalesce(sum(dropped), 0) AS n FROM sessions").get().n;
db.close();
await rm(dataDir, { recursive: true, force: true });

const kib = (bytes) => (bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes / 1024} KiB`);
console.log("");
console.log("result    direct µs  relay µs  mcpscope µs   wrapper CPU/call  relay CPU/call  CPU ratio");
for (const row of rows) {
  const ratio = row.wrapperCpu / row.relayCpu;
  console.log(
    `${kib(row.bytes).padEnd(8)} ${row.direct.toFixed(0).padStart(10)} ${row.relay.toFixed(0).padStart(9)} ${row.mcpscope.toFixed(0).padStart(12)}   ${row.wrapperCpu.toFixed(0).padStart(13)} µs ${row.relayCpu.toFixed(0).padStart(11)} µs ${ratio.toFixed(2).padStart(9)}${row.bytes >= 1 << 20 ? ` (target ≤ ${TARGET}: ${ratio <= TARGET ? "met" : "NOT met"})` : ""}`,
  );
}
const made = conns.mcpscope.made;
const allGood =
  stored.n === made && stored.ok === made && stored.leaked === 0 && stored.masked === made && dropped === 0;
console.log(
  `stored: ${stored.n} of ${made} calls (${stored.ok} ok, ${dropped} dropped); longest response text ${stored.longest} characters; credential masked in ${stored.masked}, leaked in ${stored.leaked} — ${allGood ? "all good" : "MISMATCH"}`,
);
const said = conns.mcpscope
  .stderr()
  .split("\n")
  .filter((l) => l.startsWith("mcpscope:"));
if (said.length) console.log(`wrapper said: ${said.join(" | ")}`);
if (!allGood) process.exitCode = 1;
