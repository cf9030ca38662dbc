#!/usr/bin/env node
/**
 * Capacity: small `tools/call` requests written at a fixed rate into `mcpscope run` around a minimal
 * echo server (echo-server.mjs), and the same load through the bare relay, side by side. For each rate,
 * prints the calls made, how the wrapper stored them (ok, as an error or `disconnected`, unobserved or
 * dropped), the wrapper's CPU against the relay's, and the data dir's size per call.
 *
 *   node build/build.mjs node && node bench/load/index.mjs
 *   RATES=10000,20000,40000 SECONDS=20 ROUNDS=1 node bench/load/index.mjs
 *   WRAPPER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" RATES=40000 node bench/load/index.mjs
 *   KEEP=1 RATES=10000 node bench/load/index.mjs      # keep each data dir (its path is printed)
 *
 * Exits 1 if any call was stored with an outcome other than `ok` (none is mislabelled), or if stored plus
 * counted-as-unrecorded does not add up to the calls made.
 */
import "../require-node.mjs";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { cpuSeconds } from "../lib.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "bin", "mcpscope.js");
const RELAY = join(ROOT, "bench", "proxy-overhead", "relay.mjs");
const SERVER = join(ROOT, "bench", "load", "echo-server.mjs");
const NODE = process.execPath;

const RATES = (process.env.RATES ?? "10000,20000,40000").split(",").map(Number);
const SECONDS = Number(process.env.SECONDS ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
/** Requests are written in slices this many ms apart (the rate is kept over the whole run, not per slice). */
const TICK_MS = 5;

if (!existsSync(join(ROOT, "dist", "cli.mjs"))) {
  console.error("dist/ is not built: run `node build/build.mjs node` first");
  process.exit(2);
}

async function dirBytes(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

const request = (id) =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello ${id}"}}}\n`;

/** Runs one load: `rate` calls/s for SECONDS through `mode`; resolves with what the client saw. */
async function load(mode, rate, dataDir) {
  const args =
    mode === "relay"
      ? [RELAY, NODE, SERVER]
      : [
          ...(process.env.WRAPPER_NODE_ARGS ?? "").split(" ").filter(Boolean),
          BIN,
          "run",
          "--name",
          "load",
          "--data-dir",
          dataDir,
          "--",
          NODE,
          SERVER,
        ];
  const child = spawn(NODE, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  let answered = 0;
  let waiter = null;
  child.stdout.on("data", (chunk) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) answered++;
    if (waiter && answered >= waiter.count) waiter.resolve();
  });
  const answers = (count, ms) =>
    new Promise((resolve) => {
      if (answered >= count) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
    });
  const exited = new Promise((resolve) => child.on("close", (code) => resolve(code)));

  child.stdin.write(
    `${JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "load-bench", version: "1.0.0" } } })}\n`,
  );
  if (!(await answers(1, 30_000))) throw new Error(`${mode}: no answer to initialize; stderr: ${stderr}`);
  child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);

  const cpuStart = cpuSeconds(child.pid) ?? 0;
  let cpuLast = cpuStart;
  const sampler = setInterval(() => {
    cpuLast = cpuSeconds(child.pid) ?? cpuLast;
  }, 100);
  const total = Math.round(rate * SECONDS);
  let made = 0;
  const started = performance.now();
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.round(((performance.now() - started) / 1000) * rate));
      let text = "";
      while (made < due) text += request(++made);
      if (text) child.stdin.write(text);
      if (made >= total) {
        clearInterval(tick);
        resolve();
      }
    }, TICK_MS);
  });
  const sendSeconds = (performance.now() - started) / 1000;
  const allAnswered = await answers(total + 1, 60_000);
  const answerSeconds = (performance.now() - started) / 1000;
  cpuLast = cpuSeconds(child.pid) ?? cpuLast;
  const endedAt = performance.now();
  child.stdin.end();
  const code = await exited;
  clearInterval(sampler);
  return {
    made,
    answered: answered - 1,
    allAnswered,
    sendSeconds,
    answerSeconds,
    exitSeconds: (performance.now() - endedAt) / 1000,
    cpu: cpuLast - cpuStart,
    code,
    stderr,
  };
}

function storedCalls(dataDir) {
  const db = new DatabaseSync(join(dataDir, "mcpscope.db"), { readOnly: true });
  try {
    const outcomes = Object.fromEntries(
      db
        .prepare("SELECT outcome, count(*) AS n FROM calls WHERE method = 'tools/call' GROUP BY outcome")
        .all()
        .map((r) => [r.outcome, Number(r.n)]),
    );
    const dropped = Number(db.prepare("SELECT sum(dropped) AS n FROM sessions").get()?.n ?? 0);
    return { outcomes, dropped };
  } finally {
    db.close();
  }
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

console.log(
  `load: tools/call to a minimal echo server at ${RATES.join(", ")} calls/s for ${SECONDS} s, ${ROUNDS} round(s); node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}, load average ${loadavg()[0].toFixed(1)}`,
);
let failed = false;
const rows = [];
for (const rate of RATES) {
  const runs = [];
  for (let round = 0; round < ROUNDS; round++) {
    const relay = await load("relay", rate, null);
    const dataDir = await mkdtemp(join(tmpdir(), "mcpscope-load-"));
    try {
      const wrapped = await load("mcpscope", rate, dataDir);
      const { outcomes, dropped } = storedCalls(dataDir);
      const bytes = await dirBytes(dataDir);
      const ok = outcomes.ok ?? 0;
      const notOk = Object.entries(outcomes).filter(([o]) => o !== "ok");
      const errors = notOk.reduce((sum, [, n]) => sum + n, 0);
      runs.push({ relay, wrapped, ok, errors, notOk, dropped, bytes });
      if (errors > 0 || ok + dropped !== wrapped.made) failed = true;
      if (wrapped.code !== 0 && wrapped.stderr) process.stderr.write(wrapped.stderr);
    } finally {
      if (process.env.KEEP) console.log(`  data dir kept: ${dataDir}`);
      else await rm(dataDir, { recursive: true, force: true });
    }
  }
  const pick = (f) => median(runs.map(f));
  const row = {
    rate,
    made: pick((r) => r.wrapped.made),
    ok: pick((r) => r.ok),
    errors: pick((r) => r.errors),
    dropped: pick((r) => r.dropped),
    wrapperCpuUs: pick((r) => (r.wrapped.cpu / r.wrapped.made) * 1e6),
    relayCpuUs: pick((r) => (r.relay.cpu / r.relay.made) * 1e6),
    wrapperAnswerS: pick((r) => r.wrapped.answerSeconds),
    relayAnswerS: pick((r) => r.relay.answerSeconds),
    exitS: pick((r) => r.wrapped.exitSeconds),
    bytesPerCall: pick((r) => r.bytes / r.wrapped.made),
    bytesPerStored: pick((r) => r.bytes / Math.max(1, r.ok + r.errors)),
    notOk: runs.flatMap((r) => r.notOk.map(([o, n]) => `${o} ${n}`)).join(", "),
  };
  rows.push(row);
  console.log(
    `  ${rate}/s: made ${row.made}, stored ok ${row.ok}, stored as error/disconnected ${row.errors}${row.notOk ? ` (${row.notOk})` : ""}, unobserved/dropped ${row.dropped}; wrapper CPU ${row.wrapperCpuUs.toFixed(1)} µs/call, relay ${row.relayCpuUs.toFixed(1)} µs/call; data dir ${row.bytesPerCall.toFixed(0)} B per call made, ${row.bytesPerStored.toFixed(0)} B per call stored`,
  );
}

console.log("");
console.log(
  "rate/s    made      stored ok  error/disc  unrecorded  wrapper µs/call  relay µs/call  ratio  answered in s (relay)  exit s  B/call stored",
);
for (const r of rows) {
  console.log(
    `${String(r.rate).padEnd(9)} ${String(r.made).padEnd(9)} ${String(r.ok).padEnd(10)} ${String(r.errors).padEnd(11)} ${String(r.dropped).padEnd(11)} ${r.wrapperCpuUs.toFixed(1).padStart(15)} ${r.relayCpuUs.toFixed(1).padStart(14)} ${(r.wrapperCpuUs / r.relayCpuUs).toFixed(2).padStart(6)}  ${r.wrapperAnswerS.toFixed(1).padStart(8)} (${r.relayAnswerS.toFixed(1)})${"".padEnd(8)} ${r.exitS.toFixed(1).padStart(6)} ${r.bytesPerStored.toFixed(0).padStart(14)}`,
  );
}
for (const r of rows) {
  const all = r.ok === r.made;
  console.log(
    `${r.rate}/s: ${all ? "every call stored ok" : `${r.made - r.ok} of ${r.made} not stored ok (${r.dropped} counted as unrecorded, ${r.errors} stored with another outcome)`}`,
  );
}
console.log(`load average at the end ${loadavg()[0].toFixed(1)}`);
process.exit(failed ? 1 : 0);
