// bench/ui-reads: how fast the engine answers the API methods the UI calls, over a database holding
// millions of calls.
//
// Seeds CALLS calls (default 5,000,000) over the last 7 days, 20 servers × 10 tools with a few outcomes,
// in time order as wrappers write them, with their minute, hour and day rollups built alongside (what
// the collector's folding produces; the high-water mark says all are folded but the last TAIL calls).
// Then a real engine (`createEngine`) answers each method RUNS times; the bench prints the median and
// p90 per method. Target: every method under 50 ms. Exits 1 if one misses it.
//
//   node bench/ui-reads/index.mjs
//   CALLS=1000000 RUNS=15 node bench/ui-reads/index.mjs
//   KEEP_DB=1 node bench/ui-reads/index.mjs     # keep the data dir (printed) to profile against
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { bundleEngine, median, mulberry32 } from "../lib.mjs";

const CALLS = Number(process.env.CALLS ?? 5_000_000);
const RUNS = Number(process.env.RUNS ?? 9);
const TAIL = Number(process.env.TAIL ?? 2000);
const TARGET_MS = 50;
const SERVERS = 20;
const TOOLS = 10;
const OUTCOMES = ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "tool_error", "server_error", "timeout"];

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-ui-"));
let engine;
try {
  const lib = await bundleEngine(
    work,
    `export { openDb } from "./electron/monitor/store/db.ts";
     export { createEngine } from "./electron/monitor/engine.ts";
     export { DDSketch } from "./electron/monitor/metrics/ddsketch.ts";
     export { bucketStart, DAY, HOUR, MINUTE, STATE, SUMMARY_METHOD, writeState } from "./electron/monitor/metrics/rollups.ts";`,
  );
  const dataDir = join(work, "data");
  const seedStarted = performance.now();
  seed(lib, join(dataDir, "mcpscope.db"));
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const bytes = (await stat(join(dataDir, "mcpscope.db"))).size;

  engine = await lib.createEngine({ dataDir, inventory: false, alerts: false });
  const methods = [
    ["system.info", {}],
    ["servers.list", {}],
    ["calls.list", { limit: 50 }],
    ["calls.list server", { server: "srv-7", limit: 50 }],
    ["calls.list server+outcome", { server: "srv-7", outcome: "timeout", limit: 50 }],
    ["stats.get 1h", { since: "1h" }],
    ["stats.get 24h", { since: "24h" }],
    ["stats.get 7d", { since: "7d" }],
    ["metrics.series 1h", { since: "1h" }],
    ["metrics.series 24h", { since: "24h" }],
    ["metrics.series 7d", { since: "7d" }],
    ["metrics.series 7d server", { since: "7d", server: "srv-7" }],
    ["events.list", { limit: 100 }],
  ];
  console.log(
    `bench/ui-reads: ${CALLS.toLocaleString()} calls over 7 days (${SERVERS} servers × ${TOOLS} tools), ${TAIL} not folded; database ${(bytes / 2 ** 20).toFixed(0)} MiB, seeded in ${seedSeconds.toFixed(0)} s`,
  );
  console.log(`${cpus().length} cores, load ${loadavg()[0].toFixed(1)}; median of ${RUNS} runs per method`);
  console.log("method                        median ms    p90 ms   target (<50 ms)");
  let missed = 0;
  for (const [label, input] of methods) {
    const method = label.split(" ")[0];
    await engine.invoke(method, input); // first run: statement preparation, page cache
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await engine.invoke(method, input);
      times.push(performance.now() - started);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const med = median(times);
    const p90 = sorted[Math.min(sorted.length - 1, Math.floor(0.9 * sorted.length))];
    if (med >= TARGET_MS) missed++;
    console.log(
      `${label.padEnd(28)} ${med.toFixed(1).padStart(10)} ${p90.toFixed(1).padStart(9)}   ${med < TARGET_MS ? "met" : "NOT met"}`,
    );
  }
  if (missed) process.exitCode = 1;
} finally {
  await engine?.close();
  if (process.env.KEEP_DB) console.log(`data dir kept at ${work}`);
  else await rm(work, { recursive: true, force: true });
}

/** Calls and the rollups folding would have made of them, written in large transactions. */
function seed(lib, path) {
  const { DDSketch, MINUTE, HOUR, DAY, bucketStart, STATE, SUMMARY_METHOD, writeState } = lib;
  const db = lib.openDb(path);
  const rand = mulberry32(11);
  const now = Date.now();
  const from = now - 7 * DAY;
  const insertCall = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms,
       outcome, bytes_in, bytes_out) VALUES (?, ?, 'c2s', ?, 'tools/call', ?, ?, ?, ?, ?, ?)`,
  );
  const insertSeries = db.prepare(
    "INSERT INTO rollup_series (server, method, target, outcome, last_seen) VALUES (?, ?, ?, ?, ?)",
  );
  const insertRollup = db.prepare(
    `INSERT INTO call_rollups (resolution, bucket_start, series, count, bytes_in, bytes_out, sketch)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (let s = 0; s < SERVERS; s++) {
      db.prepare(
        "INSERT INTO sessions (id, server, started_at, command, wrapper_pid) VALUES (?, ?, ?, ?, 1)",
      ).run(`session-${s}`, `srv-${s}`, from, `node srv-${s}.js`);
    }
  });
  const seriesIds = new Map();
  const seriesId = (server, tool, outcome, time) => {
    const key = `${server}|${tool}|${outcome}`;
    let id = seriesIds.get(key);
    if (id === undefined) {
      id = Number(
        insertSeries.run(server, tool === null ? SUMMARY_METHOD : "tools/call", tool ?? "", outcome, time)
          .lastInsertRowid,
      );
      seriesIds.set(key, id);
    }
    return id;
  };
  // Open buckets per resolution: series → group; written when the bucket closes.
  const open = [MINUTE, HOUR, DAY].map((resolution) => ({ resolution, start: -1, groups: new Map() }));
  const flush = (bucket) => {
    for (const [series, g] of bucket.groups)
      insertRollup.run(
        bucket.resolution,
        bucket.start,
        series,
        g.count,
        g.bytesIn,
        g.bytesOut,
        g.sketch.encode(),
      );
    bucket.groups.clear();
  };
  let i = 0;
  const folded = CALLS - TAIL;
  while (i < CALLS) {
    db.transaction(() => {
      for (let n = 0; n < 100_000 && i < CALLS; n++, i++) {
        const server = Math.floor(rand() * SERVERS);
        const tool = `tool-${Math.floor(rand() * TOOLS)}`;
        const outcome = OUTCOMES[Math.floor(rand() * OUTCOMES.length)];
        const time = from + ((now - from) * i) / CALLS;
        const duration = Math.round(rand() * rand() * 200_000) / 100;
        const bytesIn = 100 + Math.floor(rand() * 400);
        const bytesOut = 200 + Math.floor(rand() * 4000);
        insertCall.run(
          `session-${server}`,
          `srv-${server}`,
          String(i),
          tool,
          time,
          duration,
          outcome,
          bytesIn,
          bytesOut,
        );
        if (i >= folded) continue;
        const series = seriesId(`srv-${server}`, tool, outcome, time);
        // And the server's summary series (every operation; `ok` or `error`), as folding writes it.
        const summary = seriesId(`srv-${server}`, null, outcome === "ok" ? "ok" : "error", time);
        for (const bucket of open)
          for (const id of [series, summary]) {
            const start = bucketStart(time, bucket.resolution);
            if (start !== bucket.start) {
              flush(bucket);
              bucket.start = start;
            }
            let g = bucket.groups.get(id);
            if (!g) {
              g = { count: 0, bytesIn: 0, bytesOut: 0, sketch: new DDSketch() };
              bucket.groups.set(id, g);
            }
            g.count++;
            g.bytesIn += bytesIn;
            g.bytesOut += bytesOut;
            g.sketch.add(duration);
          }
      }
      if (i >= CALLS) for (const bucket of open) flush(bucket);
    });
  }
  db.transaction(() => {
    db.prepare("UPDATE rollup_series SET last_seen = ?").run(now);
    writeState(db, STATE.folded, folded);
    writeState(db, STATE.summariesFrom, 0);
  });
  db.exec("ANALYZE");
  db.close();
}
