#!/usr/bin/env node
/**
 * What `mcpscope run` costs an MCP client per call. Sequential `echo` calls to server-everything with the
 * real SDK client, measured three ways over the same kind of stdio pipe:
 *
 *   direct    client → server
 *   relay     client → relay.mjs (pipes bytes, parses nothing) → server
 *   mcpscope  client → `mcpscope run` (relays, copies to its observer, stores every call) → server
 *
 * All three connections stay open; after a warm-up, rounds are interleaved (the order rotates each round)
 * so that drift of the machine hits every mode alike. Prints the median, p90 and p99 round trip of each
 * in µs, the ratio (mcpscope − direct) / (relay − direct) (target ≤ 1.1), mcpscope's p99 over the relay's
 * (target ≤ 1.5), the calls the wrapper stored (must equal the calls made through it), and the wrapper's
 * peak RSS and CPU time. With IN_FLIGHT, each level is measured in turn: N callers on one connection,
 * each making its share of the calls one after another.
 *
 *   node bench/proxy-overhead/index.mjs            (npm run bench builds first)
 *   ROUNDS=5 CALLS=300 WARMUP=200 node bench/proxy-overhead/index.mjs
 *   IN_FLIGHT=1,8,32 node bench/proxy-overhead/index.mjs   (also with 8 and 32 calls in flight at once)
 *   WRAPPER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/proxy-overhead/index.mjs
 *   BEFORE=<commit> node bench/proxy-overhead/index.mjs   (that commit's wrapper too, as a fourth mode
 *                                                          `before`, in the same rounds)
 *
 * Exits 1 if a wrapper stored a different number of calls than were made through it.
 */
import "../require-node.mjs";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { buildBefore, cpuSeconds, wrapperEnvironment } from "../lib.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "bin", "mcpscope.js");
const RELAY = join(ROOT, "bench", "proxy-overhead", "relay.mjs");
const EVERYTHING = join(
  dirname(createRequire(import.meta.url).resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist",
  "index.js",
);
const NODE = process.execPath;

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CALLS = Number(process.env.CALLS ?? 300);
const WARMUP = Number(process.env.WARMUP ?? 200);
/** Calls kept in flight at once, one measured pass each (1: sequential, the figure's own framing). */
const IN_FLIGHT = (process.env.IN_FLIGHT ?? "1").split(",").map(Number);
const BEFORE = process.env.BEFORE;
const TARGET_RATIO = 1.1;
const TARGET_P99 = 1.5;

if (!existsSync(join(ROOT, "dist", "cli.mjs"))) {
  console.error("dist/ is not built: run `npm run bench` (it builds first) or `node build/build.mjs node`");
  process.exit(2);
}

const dataDir = await mkdtemp(join(tmpdir(), "mcpscope-bench-"));
const beforeRoot = BEFORE ? await buildBefore(BEFORE, dataDir, ["node"]) : null;
const beforeDataDir = join(dataDir, "before-data");

const MODES = {
  direct: [EVERYTHING, "stdio"],
  relay: [RELAY, NODE, EVERYTHING, "stdio"],
  // WRAPPER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the wrapper (both its threads).
  mcpscope: [
    ...(process.env.WRAPPER_NODE_ARGS ?? "").split(" ").filter(Boolean),
    BIN,
    "run",
    "--name",
    "bench",
    "--data-dir",
    dataDir,
    "--",
    NODE,
    EVERYTHING,
    "stdio",
  ],
};
const WRAPPERS = { mcpscope: { bin: BIN, dataDir } };
if (beforeRoot) {
  const bin = join(beforeRoot, "bin", "mcpscope.js");
  MODES.before = [
    bin,
    "run",
    "--name",
    "bench",
    "--data-dir",
    beforeDataDir,
    "--",
    NODE,
    EVERYTHING,
    "stdio",
  ];
  WRAPPERS.before = { bin, dataDir: beforeDataDir };
}

/** /proc/<pid>/status fields in kB, and the CPU seconds of its threads (Linux only). */
function procStats(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { hwmKb: kb("VmHWM"), rssKb: kb("VmRSS"), cpuSeconds: cpuSeconds(pid) ?? Number.NaN };
  } catch {
    return null;
  }
}

async function connect(name) {
  const transport = new StdioClientTransport({
    command: NODE,
    args: MODES[name],
    env: wrapperEnvironment(getDefaultEnvironment()),
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client({ name: `bench-${name}`, version: "1.0.0" });
  await client.connect(transport);
  return { name, client, transport, stderr: () => stderr, samples: [], roundMedians: [], made: 0 };
}

/** `n` calls, `inFlight` at a time: each of `inFlight` callers makes its share one after another. */
async function calls(conn, n, record, inFlight = 1) {
  const callers = Array.from({ length: inFlight }, (_, i) =>
    sequential(conn, Math.floor(n / inFlight) + (i < n % inFlight ? 1 : 0), record),
  );
  await Promise.all(callers);
}

async function sequential(conn, n, record) {
  for (let i = 0; i < n; i++) {
    const message = `bench ${conn.name} ${conn.made}`;
    const start = process.hrtime.bigint();
    const result = await conn.client.callTool({ name: "echo", arguments: { message } });
    const micros = Number(process.hrtime.bigint() - start) / 1000;
    conn.made++;
    if (result.content?.[0]?.text !== `Echo: ${message}`)
      throw new Error(`${conn.name}: unexpected result ${JSON.stringify(result)}`);
    if (record) record.push(micros);
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

const order = ["direct", "relay", "mcpscope", ...(beforeRoot ? ["before"] : [])];
const wrappers = Object.keys(WRAPPERS);
const conns = {};
for (const name of order) conns[name] = await connect(name);

console.log(
  `proxy-overhead: ${ROUNDS} rounds × ${CALLS} echo calls per mode (${IN_FLIGHT.join(", ")} in flight), after ${WARMUP} warm-up calls each`,
);
console.log(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${loadavg()[0].toFixed(1)}`,
);
if (beforeRoot) console.log(`before: mcpscope run built from ${BEFORE}, measured in the same rounds`);

for (const name of order) await calls(conns[name], WARMUP, null);

// CPU is counted over the measured rounds only (not start-up or warm-up).
const cpuBefore = Object.fromEntries(
  ["relay", ...wrappers].map((name) => [
    name,
    procStats(conns[name].transport.pid)?.cpuSeconds ?? Number.NaN,
  ]),
);
let hwmKb = 0;
const sampler = setInterval(() => {
  const s = procStats(conns.mcpscope.transport.pid);
  if (s && s.hwmKb > hwmKb) hwmKb = s.hwmKb;
}, 200);

const levels = {};
for (const inFlight of IN_FLIGHT) {
  if (IN_FLIGHT.length > 1) console.log(`${inFlight} in flight:`);
  for (const name of order) Object.assign(conns[name], { samples: [], roundMedians: [] });
  for (let round = 0; round < ROUNDS; round++) {
    const rotated = order.map((_, i) => order[(i + round) % order.length]);
    for (const name of rotated) {
      const conn = conns[name];
      const samples = [];
      await calls(conn, CALLS, samples, inFlight);
      conn.samples.push(...samples);
      conn.roundMedians.push(median(samples));
    }
    console.log(
      `  round ${round + 1}: ${order.map((name) => `${name} ${conns[name].roundMedians.at(-1).toFixed(0)} µs`).join(", ")}`,
    );
  }
  levels[inFlight] = Object.fromEntries(
    order.map((name) => [name, { samples: conns[name].samples, roundMedians: conns[name].roundMedians }]),
  );
}
clearInterval(sampler);

// Just before the wrappers exit: the wrapper's peak RSS (VmHWM) and CPU, and the relay's for comparison.
const exitStats = Object.fromEntries(
  ["relay", ...wrappers].map((name) => [name, procStats(conns[name].transport.pid)]),
);
const wrapperStats = exitStats.mcpscope;
const relayStats = exitStats.relay;
if (wrapperStats && wrapperStats.hwmKb > hwmKb) hwmKb = wrapperStats.hwmKb;

for (const name of order) await conns[name].client.close();

/** The echo calls a wrapper stored, read back with its own `mcpscope stats`. */
async function storedCalls({ bin, dataDir }) {
  const { stdout } = await promisify(execFile)(NODE, [
    bin,
    "stats",
    "--json",
    "--data-dir",
    dataDir,
    "--since",
    "1d",
  ]);
  const echo = JSON.parse(stdout)
    .servers.find((s) => s.server === "bench")
    ?.operations.find((o) => o.method === "tools/call" && o.target === "echo");
  return { stored: echo?.calls ?? 0, storedOk: echo?.outcomes?.ok ?? 0 };
}
const storedBy = {};
for (const name of wrappers) storedBy[name] = await storedCalls(WRAPPERS[name]);
await rm(dataDir, { recursive: true, force: true });

for (const inFlight of IN_FLIGHT) {
  const level = levels[inFlight];
  const med = Object.fromEntries(order.map((name) => [name, median(level[name].samples)]));
  const p90 = Object.fromEntries(order.map((name) => [name, quantile(level[name].samples, 0.9)]));
  const p99 = Object.fromEntries(order.map((name) => [name, quantile(level[name].samples, 0.99)]));
  const levelRatio = (med.mcpscope - med.direct) / (med.relay - med.direct);
  const beforeRatio = beforeRoot ? (med.before - med.direct) / (med.relay - med.direct) : null;
  console.log("");
  console.log(`${inFlight === 1 ? "sequential calls" : `${inFlight} calls in flight`}`);
  console.log("mode       median µs   p90 µs   p99 µs   per-round medians µs");
  for (const name of order) {
    console.log(
      `${name.padEnd(10)} ${med[name].toFixed(0).padStart(9)} ${p90[name].toFixed(0).padStart(8)} ${p99[name].toFixed(0).padStart(8)}   ${level[name].roundMedians.map((m) => m.toFixed(0)).join(" ")}`,
    );
  }
  console.log(`relay overhead     ${(med.relay - med.direct).toFixed(0)} µs per call`);
  console.log(`mcpscope overhead  ${(med.mcpscope - med.direct).toFixed(0)} µs per call`);
  console.log(
    `ratio (mcpscope − direct) / (relay − direct) = ${levelRatio.toFixed(2)} (target ≤ ${TARGET_RATIO}: ${levelRatio <= TARGET_RATIO ? "met" : "NOT met"}); mcpscope / direct = ${(med.mcpscope / med.direct).toFixed(2)}, relay / direct = ${(med.relay / med.direct).toFixed(2)}`,
  );
  // Each round's own ratio: how far this figure moves with the machine's load from one round to the next.
  const roundRatios = level.mcpscope.roundMedians.map(
    (m, r) =>
      (m - level.direct.roundMedians[r]) / (level.relay.roundMedians[r] - level.direct.roundMedians[r]),
  );
  console.log(`the same ratio round by round: ${roundRatios.map((r) => r.toFixed(2)).join(" ")}`);
  const p99Ratio = p99.mcpscope / p99.relay;
  console.log(
    `p99: mcpscope / relay = ${p99Ratio.toFixed(2)} (target ≤ ${TARGET_P99}: ${p99Ratio <= TARGET_P99 ? "met" : "NOT met"}); (mcpscope − direct) / (relay − direct) = ${((p99.mcpscope - p99.direct) / (p99.relay - p99.direct)).toFixed(2)}`,
  );
  if (beforeRatio !== null) {
    console.log(
      `before (${BEFORE}), same rounds: ratio ${beforeRatio.toFixed(2)}, before / direct = ${(med.before / med.direct).toFixed(2)}; p99 before / relay = ${(p99.before / p99.relay).toFixed(2)}; mcpscope / before = ${(med.mcpscope / med.before).toFixed(2)}`,
    );
  }
}
for (const name of wrappers) {
  const made = conns[name].made;
  const { stored, storedOk } = storedBy[name];
  console.log(
    `calls stored by ${name === "mcpscope" ? "the wrapper" : `the wrapper before (${BEFORE})`}: ${stored} of ${made} made through it (${storedOk} ok) — ${stored === made ? "all stored" : "MISMATCH"}`,
  );
  if (stored !== made) process.exitCode = 1;
}
const measured = ROUNDS * CALLS * IN_FLIGHT.length;
const cpuPerCall = (stats, name) => (((stats?.cpuSeconds ?? Number.NaN) - cpuBefore[name]) * 1e6) / measured;
if (wrapperStats) {
  console.log(
    `wrapper: peak RSS (VmHWM) ${(hwmKb / 1024).toFixed(1)} MiB; CPU ${cpuPerCall(wrapperStats, "mcpscope").toFixed(0)} µs per call (every thread, measured rounds)`,
  );
}
if (exitStats.before) {
  console.log(
    `before:  CPU ${cpuPerCall(exitStats.before, "before").toFixed(0)} µs per call (every thread, measured rounds)`,
  );
}
if (relayStats) {
  console.log(
    `relay:   peak RSS (VmHWM) ${(relayStats.hwmKb / 1024).toFixed(1)} MiB; CPU ${cpuPerCall(relayStats, "relay").toFixed(0)} µs per call`,
  );
}
const complaints = conns.mcpscope
  .stderr()
  .split("\n")
  .filter((l) => l.startsWith("mcpscope:"));
if (complaints.length) console.log(`wrapper said: ${complaints.join(" | ")}`);
