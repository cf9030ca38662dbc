#!/usr/bin/env node
/**
 * The forwarding thread in place: per-thread CPU per call of the payload bench's 1 MiB `blob` calls through
 * `mcpscope run` observing, the same wrapper relaying only (as inside another wrapper, MCPSCOPE_RUN_OUTER:
 * no copy, no observer), the bare pipe relay, and BEFORE's wrapper when given, all connected at once and
 * measured in rounds whose order rotates, so that each meets the load the others meet. Prints per mode the
 * medians over rounds of each thread kind's CPU a call, and per round the paired difference of each main
 * thread from the relay's (and from this tree's with BEFORE): on a machine shared with other jobs, the
 * steadier way to read a difference of a few hundred microseconds between processes. PHASES measures again
 * after more calls (the JIT tiers code up over the first thousand calls), on the same connections.
 *
 *   node bench/proxy-overhead/forwarding-in-place.mjs          (build first: node build/build.mjs node)
 *   BEFORE=<commit> ROUNDS=12 CALLS=40 PHASES=100,1200 node bench/proxy-overhead/forwarding-in-place.mjs
 *   WRAPPER_NODE_ARGS="--perf-basic-prof-only-functions" node bench/proxy-overhead/forwarding-in-place.mjs
 *
 * Exits 1 if an observing wrapper stored fewer calls than were made through it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { buildBefore, median, ROOT, threadKindSeconds, wrapperEnvironment } from "../lib.mjs";

const BEFORE = process.env.BEFORE;
const BYTES = Number(process.env.BYTES ?? 1 << 20);
const CALLS = Number(process.env.CALLS ?? 40);
const ROUNDS = Number(process.env.ROUNDS ?? 12);
/** Calls made through each mode before each measured phase starts (in all, counting those before). */
const PHASES = (process.env.PHASES ?? "100").split(",").map(Number);
const NODE = process.execPath;
const SERVER = join(ROOT, "bench", "proxy-overhead", "blob-server.mjs");
const RELAY = join(ROOT, "bench", "proxy-overhead", "relay.mjs");
const NODE_ARGS = (process.env.WRAPPER_NODE_ARGS ?? "").split(" ").filter(Boolean);

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-forwarding-in-place-"));
const beforeRoot = BEFORE ? await buildBefore(BEFORE, work, ["node"]) : null;

/** Each mode: the command the client starts, its extra environment, and the data dir it records into. */
const modes = { relay: { args: [RELAY, NODE, SERVER], env: {}, dataDir: null } };
const wrapper = async (name, root, env = {}) => {
  const dataDir = await mkdtemp(join(work, `${name}-`));
  const run = [join(root, "bin", "mcpscope.js"), "run", "--name", "blob", "--data-dir", dataDir];
  modes[name] = { args: [...NODE_ARGS, ...run, "--", NODE, SERVER], env, dataDir };
};
await wrapper("mcpscope", ROOT);
await wrapper("relaying", ROOT, { MCPSCOPE_RUN_OUTER: "bench" });
if (beforeRoot) await wrapper("before", beforeRoot);
const order = Object.keys(modes);

const conns = {};
for (const name of order) {
  const env = { ...wrapperEnvironment(getDefaultEnvironment()), ...modes[name].env };
  const transport = new StdioClientTransport({ command: NODE, args: modes[name].args, env, stderr: "pipe" });
  transport.stderr?.on("data", () => {});
  const client = new Client({ name: `bench-${name}`, version: "1.0.0" });
  await client.connect(transport);
  conns[name] = { client, transport, made: 0 };
}

async function calls(name, n) {
  const conn = conns[name];
  for (let i = 0; i < n; i++) {
    const result = await conn.client.callTool({ name: "blob", arguments: { bytes: BYTES } });
    conn.made++;
    if (result.content?.[0]?.text?.length !== BYTES) throw new Error(`${name}: short result`);
  }
}

const pad = (value, width = 6) => value.toFixed(0).padStart(width);
console.log(
  `forwarding-in-place: ${ROUNDS} rounds × ${CALLS} sequential ${BYTES / 1024} KiB calls per mode; µs of CPU a call, medians over rounds`,
);
for (const phase of PHASES) {
  for (const name of order) await calls(name, Math.max(0, phase - conns[name].made));
  const rounds = Object.fromEntries(order.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of order.map((_, i) => order[(i + round) % order.length])) {
      const pid = conns[name].transport.pid;
      const before = threadKindSeconds(pid);
      await calls(name, CALLS);
      const after = threadKindSeconds(pid);
      rounds[name].push(
        Object.fromEntries(Object.keys(after).map((k) => [k, ((after[k] - before[k]) * 1e6) / CALLS])),
      );
    }
  }
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  console.log(`\nafter ${phase} calls per mode (load ${load}):`);
  console.log(
    "mode          all threads   main (range of rounds)   observer   V8 helpers   main − relay's, paired",
  );
  const pairedMain = (name, base) => median(rounds[name].map((r, i) => r.main - rounds[base][i].main));
  for (const name of order) {
    const r = rounds[name];
    const of = (kind) => median(r.map((x) => x[kind]));
    const all = median(r.map((x) => x.main + x.observer + x.v8 + x.other));
    const mains = r.map((x) => x.main);
    const range = `${pad(Math.min(...mains), 0)}–${pad(Math.max(...mains), 0)}`;
    const paired = name === "relay" ? "" : pad(pairedMain(name, "relay"));
    console.log(
      `${name.padEnd(10)} ${pad(all, 12)}   ${pad(of("main"))} (${range})`.padEnd(50) +
        `${pad(of("observer"), 8)}   ${pad(of("v8"), 10)}   ${paired}`,
    );
  }
  if (beforeRoot) console.log(`main − before's main, paired: ${pad(pairedMain("mcpscope", "before"), 0)} µs`);
}
for (const name of order) await conns[name].client.close();

// The wrappers have exited (their drains are done) once their clients closed: every call stored?
let allStored = true;
for (const name of order) {
  const { dataDir } = modes[name];
  if (!dataDir || modes[name].env.MCPSCOPE_RUN_OUTER) continue;
  const db = new DatabaseSync(join(dataDir, "mcpscope.db"), { readOnly: true });
  const ok = db
    .prepare("SELECT count(*) AS n FROM calls WHERE method = 'tools/call' AND outcome = 'ok'")
    .get().n;
  db.close();
  const good = ok === conns[name].made;
  allStored &&= good;
  console.log(`${name}: ${ok} of ${conns[name].made} calls stored ok${good ? "" : " — MISMATCH"}`);
}
if (!allStored) process.exitCode = 1;
await rm(work, { recursive: true, force: true });
