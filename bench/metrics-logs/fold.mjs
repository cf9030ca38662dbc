// bench/metrics-logs/fold: how fast the collector folds a backlog of raw calls into rollups, and how long
// it holds the write lock and the engine's event loop at a time while doing it.
//
// Seeds CALLS raw calls (20 servers × 15 tools, a mix of outcomes, recorded at RATE calls a second up to
// now, in time order as wrappers write them), then folds them twice, side by side: on the fold worker, as
// the engine's collector does (`FoldThread`: the collector's own catch-up on a worker thread with its own
// connection), and on this thread (`MetricsCollector.catchUp`, as before the worker; the rollups are
// emptied in between). Prints calls per second, CPU, the longest fold transaction (wall: what writers wait
// for the lock at most) and the longest stall of this thread's event loop (what the engine's feeds and
// requests wait). Targets: at least 20,000 calls a second, no engine stall over 100 ms. Exits 1 if the
// worker left a backlog or missed a target.
//
// Then, live (LIVE seconds, default 10; LIVE=0 skips it): a writer thread stores RATE calls a second as a
// wrapper does (a transaction every 50 ms) while the engine's collector folds on its worker, its timer
// running; beside it the same writer with no folding. Prints the largest backlog seen, the backlog left
// 2 s after the writer stops, and the writer's longest transaction (waiting for the lock included).
//
//   node bench/metrics-logs/fold.mjs                    # 600,000 calls recorded at 20,000 a second
//   CALLS=300000 RATE=20 node bench/metrics-logs/fold.mjs   # sparse: a few calls per series and minute
//   GAPS=1 CALLS=100000 node bench/metrics-logs/fold.mjs    # also list this thread's pauses over 50 ms
//   CALLS=0 LIVE=20 RATE=30000 node bench/metrics-logs/fold.mjs   # live only, 30,000 calls a second
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import * as esbuild from "esbuild";
import { bundleEngine, mulberry32, ROOT } from "../lib.mjs";

const CALLS = Number(process.env.CALLS ?? 600_000);
const RATE = Number(process.env.RATE ?? 20_000);
const TARGET_RATE = 20_000;
const TARGET_STALL_MS = 100;
const LIVE_S = Number(process.env.LIVE ?? 10);
const TARGET_LOCK_MS = 100;

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-fold-"));
try {
  const lib = await bundleEngine(
    work,
    `export { openDb } from "./electron/monitor/store/db.ts";
     export { MetricsCollector } from "./electron/monitor/metrics/collector.ts";
     export { FoldThread } from "./electron/monitor/metrics/fold-thread.ts";`,
  );
  // The fold worker, beside the bundle (where the collector looks for it, as in dist/).
  await esbuild.build({
    entryPoints: [join(ROOT, "electron/monitor/metrics/fold-worker.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    outfile: join(work, "fold-worker.mjs"),
    logLevel: "warning",
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
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

  const foldBatch = Number(process.env.BATCH ?? 500);
  console.log(
    `metrics-logs/fold: ${CALLS.toLocaleString()} calls recorded at ${RATE.toLocaleString()}/s (20 servers × 15 tools); ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`,
  );
  console.log(
    "where                 calls/s    CPU s   longest transaction ms   engine stall ms   backlog left",
  );
  const measure = async (fold) => {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { folded, longestMs } = await fold();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    delay.disable();
    return {
      rate: folded / seconds,
      cpu: (used.user + used.system) / 1e6,
      longestMs,
      stall: delay.max / 1e6,
    };
  };
  const line = (where, r, backlog) =>
    console.log(
      `${where.padEnd(18)} ${Math.round(r.rate).toLocaleString().padStart(10)} ${r.cpu.toFixed(1).padStart(8)} ${r.longestMs.toFixed(0).padStart(24)} ${r.stall.toFixed(0).padStart(17)} ${String(backlog).padStart(14)}`,
    );
  const collector = new lib.MetricsCollector(db, { foldBatch }, { worker: false });
  // The machine's own stall, for scale: this thread idle for 3 s (on a busy machine a thread waits for a
  // core; that is not folding's doing).
  const idle = await measure(async () => {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return { folded: 0, longestMs: 0 };
  });
  line("idle (no folding)", idle, "-");

  // On the fold worker (CPU: the whole process, the worker's thread included).
  const thread = new lib.FoldThread(new URL("./fold-worker.mjs", pathToFileURL(join(work, "lib.mjs"))), {
    dbPath: join(work, "mcpscope.db"),
    foldBatch,
  });
  const gaps = [];
  let last = performance.now();
  const t0 = last;
  const ticker = setInterval(() => {
    const now = performance.now();
    if (now - last > 50) gaps.push([Math.round(last - t0), Math.round(now - last)]);
    last = now;
  }, 2);
  const worker = await measure(async () => {
    const report = await thread.catchUp();
    if (!report) throw new Error("the fold worker did not start");
    return { folded: report.folded, longestMs: report.longestMs };
  });
  await thread.close();
  clearInterval(ticker);
  if (process.env.GAPS) console.log("gaps (at ms, length ms):", JSON.stringify(gaps.slice(0, 30)));
  const backlog = collector.backlog();
  line("fold worker", worker, backlog);

  // The same backlog on this thread, as before the worker.
  db.exec(`DELETE FROM call_rollups; DELETE FROM rollup_series; DELETE FROM metrics_state;`);
  const here = await measure(async () => ({
    folded: await collector.catchUp(),
    longestMs: collector.longestTransactionMs,
  }));
  line("engine's thread", here, collector.backlog());
  console.log(
    `fold worker: ${Math.round(worker.rate).toLocaleString()} calls/s — target ≥ ${TARGET_RATE.toLocaleString()}: ${worker.rate >= TARGET_RATE ? "met" : "NOT met"}; engine stall ${worker.stall.toFixed(0)} ms (idle ${idle.stall.toFixed(0)} ms) — target ≤ ${TARGET_STALL_MS} ms: ${worker.stall <= TARGET_STALL_MS ? "met" : "NOT met"}`,
  );
  if (CALLS > 0 && (backlog !== 0 || worker.rate < TARGET_RATE || worker.stall > TARGET_STALL_MS))
    process.exitCode = 1;
  if (LIVE_S > 0) {
    console.log(
      `live: a writer storing ${RATE.toLocaleString()} calls/s for ${LIVE_S} s (a transaction every 50 ms); load ${loadavg()[0].toFixed(1)}`,
    );
    console.log(
      "folding               stored   largest backlog   backlog 2 s after   longest fold transaction ms   writer's longest transaction ms",
    );
    const engine = new lib.MetricsCollector(
      db,
      { collectionIntervalMs: 15_000, foldBatch },
      { worker: new URL("./fold-worker.mjs", pathToFileURL(join(work, "lib.mjs"))) },
    );
    const folding = await live(db, join(work, "mcpscope.db"), engine);
    console.log(
      `${"fold worker".padEnd(18)} ${folding.stored.toLocaleString().padStart(9)} ${folding.largest.toLocaleString().padStart(17)} ${folding.left.toLocaleString().padStart(19)} ${engine.longestTransactionMs.toFixed(0).padStart(29)} ${folding.longest.toFixed(0).padStart(33)}`,
    );
    // The same writer with nothing folding (after the folding run, which would fold what it stores).
    const alone = await live(db, join(work, "mcpscope.db"), null);
    console.log(
      `${"none".padEnd(18)} ${alone.stored.toLocaleString().padStart(9)} ${"-".padStart(17)} ${"-".padStart(19)} ${"-".padStart(29)} ${alone.longest.toFixed(0).padStart(33)}`,
    );

    const kept = folding.left === 0;
    console.log(
      `live: folding kept up with ${RATE.toLocaleString()} calls/s: ${kept ? "yes" : "NO"} (largest backlog ${(folding.largest / RATE).toFixed(1)} s of calls); longest fold transaction ${engine.longestTransactionMs.toFixed(0)} ms — target ≤ ${TARGET_LOCK_MS} ms: ${engine.longestTransactionMs <= TARGET_LOCK_MS ? "met" : "NOT met"}; writer's longest transaction ${folding.longest.toFixed(0)} ms (no folding: ${alone.longest.toFixed(0)} ms)`,
    );
    if (!kept || engine.longestTransactionMs > TARGET_LOCK_MS) process.exitCode = 1;
  }
  db.close();
} finally {
  await rm(work, { recursive: true, force: true });
}

/**
 * A writer thread stores RATE calls a second for LIVE_S seconds while `collector` (if any) runs its
 * timer; the backlog is sampled here every 100 ms. Resolves to what was stored, the largest backlog, the
 * backlog 2 s after the writer stopped and the writer's longest transaction.
 */
async function live(db, dbPath, collector) {
  const backlog = () =>
    Math.max(
      0,
      Number(db.prepare("SELECT max(id) AS id FROM calls").get()?.id ?? 0) -
        Number(db.prepare("SELECT value FROM metrics_state WHERE key = 'rollup_hwm'").get()?.value ?? 0),
    );
  if (collector) {
    await collector.catchUp();
    collector.start();
  }
  const writer = new Worker(new URL("./fold-writer.mjs", import.meta.url), {
    workerData: { dbPath, rate: RATE, seconds: LIVE_S },
  });
  let largest = 0;
  const sampler = setInterval(() => {
    largest = Math.max(largest, backlog());
  }, 100);
  const result = await new Promise((resolve, reject) => {
    writer.on("message", resolve);
    writer.on("error", reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  clearInterval(sampler);
  const left = backlog();
  await collector?.stop();
  return { ...result, largest, left };
}
