// bench/live-feeds/corrections: what following corrected calls costs the engine's thread, over a
// database of CALLS calls (default 1,000,000; one in 20 timed out, one in 20 a JSON-RPC error, one in 20 a
// task still running).
//
// The live Calls feed (electron/monitor/live-feeds.ts) reads the rollup generation every tick (300 ms),
// re-reads the calls it follows (at most 500) only when that changed, and looks through the newest 5000
// calls and the 500 newest still running when calls.new gets its first listener; the exporters' feed (export/call-feed.ts) reads the
// running task calls (at most 10,000) when the engine starts. Each is timed RUNS times: median and p90.
//
//   node bench/live-feeds/corrections.mjs
//   CALLS=5000000 RUNS=50 node bench/live-feeds/corrections.mjs
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { bundleEngine, median, p90 } from "../lib.mjs";

const CALLS = Number(process.env.CALLS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 200);

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-feeds-"));
try {
  const lib = await bundleEngine(
    work,
    `export { openDb } from "./electron/monitor/store/db.ts";
     export { migrate } from "./electron/monitor/store/migrations.ts";
     export { callsAfter, callsByIds, runningCalls } from "./electron/monitor/store/queries.ts";
     export { readState, renewRollupGeneration, STATE } from "./electron/monitor/metrics/rollups.ts";
     export { CallFeed } from "./electron/monitor/export/call-feed.ts";`,
  );
  const db = lib.openDb(join(work, "mcpscope.db"));
  lib.migrate(db);
  const insert = db.prepare(
    `INSERT INTO calls (server, session_id, direction, request_id, method, target, outcome, started_at,
       duration_ms, bytes_in, bytes_out, error_code, task_id, task_state)
     VALUES (?, 's', 'c2s', ?, 'tools/call', 't', ?, ?, 5, 10, 10, ?, ?, ?)`,
  );
  const t0 = Date.now() - 86_400_000;
  db.exec("BEGIN");
  for (let i = 0; i < CALLS; i++) {
    const kind = i % 20;
    const outcome = kind === 0 ? "timeout" : kind === 1 ? "server_error" : "ok";
    const task = kind === 2;
    insert.run(
      `srv${i % 20}`,
      String(i),
      outcome,
      t0 + i,
      kind === 1 ? -32603 : null,
      task ? `T${i}` : null,
      task ? "working" : null,
    );
  }
  db.exec("COMMIT");
  lib.renewRollupGeneration(db);

  const time = (label, runs, fn) => {
    fn();
    const ms = [];
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      fn();
      ms.push(performance.now() - start);
    }
    console.log(`${label}: median ${median(ms).toFixed(3)} ms, p90 ${p90(ms).toFixed(3)} ms`);
  };
  console.log(`${CALLS} calls, load average ${loadavg()[0].toFixed(1)}`);
  time("each tick: the rollup generation", RUNS * 10, () => lib.readState(db, lib.STATE.generation));
  const followed = Array.from({ length: 500 }, (_, k) => CALLS - k * 7);
  time("a new generation: 500 followed calls re-read", RUNS, () => lib.callsByIds(db, followed));
  time("a first listener: the newest 5000 calls looked through", Math.ceil(RUNS / 4), () =>
    lib.callsAfter(db, CALLS - 5000, 5000),
  );
  time("a first listener: the 500 newest running calls", Math.ceil(RUNS / 4), () =>
    lib.runningCalls(db, 500),
  );
  time(
    "the exporters' feed starts: running task calls held",
    Math.ceil(RUNS / 10),
    () => new lib.CallFeed(db),
  );
  db.close();
} finally {
  await rm(work, { recursive: true, force: true });
}
