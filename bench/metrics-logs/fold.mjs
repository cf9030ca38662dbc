// bench/metrics-logs/fold: how fast the collector folds a backlog of raw calls into rollups, and how long
// it holds the write lock (and the engine's event loop) at a time while doing it.
//
// Seeds CALLS raw calls (20 servers × 15 tools, a mix of outcomes, recorded at RATE calls a second up to
// now, in time order as wrappers write them), then runs the collector's own catch-up (`MetricsCollector.catchUp`:
// adaptive transactions, the event loop free between them) and prints calls per second, the number of
// transactions, and the longest event-loop stall (≈ the longest transaction). Target: at least 20,000
// calls a second, no stall over 100 ms. Exits 1 if folding left a backlog or missed the target.
//
//   node bench/metrics-logs/fold.mjs                    # 600,000 calls recorded at 20,000 a second
//   CALLS=300000 RATE=20 node bench/metrics-logs/fold.mjs   # sparse: a few calls per series and minute
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { bundleEngine, mulberry32 } from "../lib.mjs";

const CALLS = Number(process.env.CALLS ?? 600_000);
const RATE = Number(process.env.RATE ?? 20_000);
const TARGET_RATE = 20_000;
const TARGET_STALL_MS = 100;

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-fold-"));
try {
  const lib = await bundleEngine(
    work,
    `export { openDb } from "./electron/monitor/store/db.ts";
     export { MetricsCollector } from "./electron/monitor/metrics/collector.ts";`,
  );
  const db = lib.openDb(join(work, "mcpscope.db"));
  const rand = mulberry32(3);
  const outcomes = ["ok", "ok", "ok", "ok", "ok", "ok", "tool_error", "server_error"];
  const insert = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms,
       outcome, bytes_in, bytes_out) VALUES (?, ?, 'c2s', ?, 'tools/call', ?, ?, ?, ?, ?, ?)`,
  );
  const now = Date.now();
  const from = now - (CALLS / RATE) * 1000;
  let seeded = 0;
  while (seeded < CALLS) {
    db.transaction(() => {
      for (let i = 0; i < 50_000 && seeded < CALLS; i++, seeded++) {
        const server = Math.floor(rand() * 20);
        insert.run(
          `s-${server}`,
          `srv-${server}`,
          String(seeded),
          `tool-${Math.floor(rand() * 15)}`,
          from + ((now - from) * seeded) / CALLS,
          Math.round(rand() * rand() * 2000 * 100) / 100,
          outcomes[Math.floor(rand() * outcomes.length)],
          100 + Math.floor(rand() * 400),
          200 + Math.floor(rand() * 4000),
        );
      }
    });
  }

  const collector = new lib.MetricsCollector(
    db,
    process.env.BATCH ? { foldBatch: Number(process.env.BATCH) } : {},
  );
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const folded = await collector.catchUp();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  delay.disable();
  const backlog = collector.backlog();
  db.close();

  const rate = folded / seconds;
  const stall = delay.max / 1e6;
  console.log(
    `metrics-logs/fold: ${CALLS.toLocaleString()} calls recorded at ${RATE.toLocaleString()}/s (20 servers × 15 tools); ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`,
  );
  console.log(
    `folded ${folded.toLocaleString()} in ${seconds.toFixed(1)} s: ${Math.round(rate).toLocaleString()} calls/s (CPU ${((used.user + used.system) / 1e6).toFixed(1)} s) — target ≥ ${TARGET_RATE.toLocaleString()}: ${rate >= TARGET_RATE ? "met" : "NOT met"}`,
  );
  console.log(
    `longest event-loop stall ${stall.toFixed(0)} ms — target ≤ ${TARGET_STALL_MS} ms: ${stall <= TARGET_STALL_MS ? "met" : "NOT met"}; backlog left ${backlog}`,
  );
  if (backlog !== 0 || rate < TARGET_RATE || stall > TARGET_STALL_MS) process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
