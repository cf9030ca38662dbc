// bench/ui-reads: how fast the engine answers the API methods the UI calls, over a database holding
// millions of calls.
//
// Seeds CALLS calls (default 5,000,000) over the last 7 days, 20 servers × 10 tools with a few outcomes,
// in time order as wrappers write them, with their minute, hour and day rollups built alongside (what
// the collector's folding produces, summaries included; the high-water mark says all are folded but the
// last TAIL calls). Then two real engines (`createEngine`) over it: one answering the read-only methods
// from its read pool (worker threads, as the app and `mcpscope serve` do), one answering everything on
// its own thread (as before the pool). For each view of the UI, the methods it calls on load, RUNS
// times each through `engine.invoke` (validation included): the first call's time (cold caches; the
// pool's first read also starts a worker), the median and p90, pool beside in-thread, and the in-thread
// run's CPU time (steadier than wall time on a shared machine).
// Then the Overview's first paint: every call the Overview makes on load, issued together as the
// renderer does, until the last answer (the chart's data among them); and a fast read issued while a
// slow one runs. Target: every method under 50 ms, the Overview under 300 ms. Exits 1 if one misses.
//
//   node bench/ui-reads/index.mjs
//   CALLS=1000000 RUNS=15 node bench/ui-reads/index.mjs
//   KEEP_DB=1 node bench/ui-reads/index.mjs     # keep the data dir (printed) to profile against
//   DATA_DIR=/tmp/x node bench/ui-reads/index.mjs   # reuse a kept data dir (no seeding)
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { bundleEngine, median, mulberry32, p90, ROOT } from "../lib.mjs";

const CALLS = Number(process.env.CALLS ?? 5_000_000);
const RUNS = Number(process.env.RUNS ?? 9);
const TAIL = Number(process.env.TAIL ?? 2000);
const TARGET_MS = 50;
const FIRST_PAINT_MS = 300;
const SERVERS = 20;
const TOOLS = 10;
const OUTCOMES = ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "tool_error", "server_error", "timeout"];

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-ui-"));
const engines = [];
try {
  const lib = await bundleEngine(
    work,
    `export { openDb } from "./electron/monitor/store/db.ts";
     export { createEngine } from "./electron/monitor/engine.ts";
     export { DDSketch } from "./electron/monitor/metrics/ddsketch.ts";
     export { serverHistory, serverTraffic, latestSamples, latestChecks } from "./electron/monitor/inventory/inventory-queries.ts";
     export { ALL_SERVERS, ANY_OUTCOME, bucketStart, DAY, HOUR, MINUTE, STATE, SUMMARY_METHOD, writeState } from "./electron/monitor/metrics/rollups.ts";`,
  );
  // The read pool's worker, beside the bundle (where the engine looks for it, as in dist/).
  await esbuild.build({
    entryPoints: [join(ROOT, "electron/monitor/api/read-worker.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    outfile: join(work, "read-worker.mjs"),
    logLevel: "warning",
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  const dataDir = process.env.DATA_DIR ?? join(work, "data");
  const seedStarted = performance.now();
  if (!process.env.DATA_DIR) seed(lib, join(dataDir, "mcpscope.db"));
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const bytes = (await stat(join(dataDir, "mcpscope.db"))).size;

  // Folding off: the reads run over a fixed database, the unfolded tail included.
  const options = { dataDir, inventory: false, metrics: { collector: false } };
  const pooled = await lib.createEngine(options);
  engines.push(pooled);
  const inThread = await lib.createEngine({ ...options, readPool: false });
  engines.push(inThread);
  const db = lib.openDb(join(dataDir, "mcpscope.db"), { readOnly: true });
  const names = Array.from({ length: SERVERS }, (_, i) => `srv-${i}`);
  const lastId = Number(db.prepare("SELECT max(id) AS id FROM calls").get().id);
  // Reads the engine does on its own thread for a view (the inventory's, behind servers.inventory and
  // servers.detail, whose entries need discovered servers): timed as the handlers call them.
  const direct = {
    "servers.inventory reads": () => {
      lib.latestSamples(db, Date.now() - 5 * 60_000);
      lib.latestChecks(db);
      // As entries wrapped by hand see them: the seeded sessions carry no client or entry marker.
      lib.serverTraffic(
        db,
        names.map((name) => ({ name, client: null, entry: null, unmarked: true })),
        Date.now() - 5 * 60_000,
      );
    },
    "servers.detail reads": () =>
      lib.serverHistory(db, "id-7", "srv-7", Date.now() - 86_400_000, {
        name: "srv-7",
        client: null,
        entry: null,
        unmarked: true,
      }),
  };
  const views = [
    [
      "Overview",
      [
        ["system.info", {}],
        ["servers.list", {}],
        ["servers.inventory reads"],
        ["alerts.list", {}],
        ["stats.get", { since: "1h" }],
        ["metrics.series", { since: "1h" }],
        ["stats.get", { since: "24h" }],
        ["metrics.series", { since: "24h" }],
        ["stats.get", { since: "7d" }],
        ["metrics.series", { since: "7d" }],
      ],
    ],
    ["Servers", [["servers.inventory reads"], ["servers.list", {}]]],
    [
      "Server detail",
      [
        ["servers.detail reads"],
        ["calls.list", { server: "srv-7", limit: 200 }],
        ["metrics.series", { since: "7d", server: "srv-7" }],
      ],
    ],
    [
      "Tools",
      [
        ["stats.get", { since: "1h" }],
        ["metrics.series", { since: "1h", step: "2m", server: "srv-7", tool: "tool-3" }],
        ["metrics.series", { since: "24h", step: "1h", server: "srv-7", tool: "tool-3" }],
        ["metrics.series", { since: "7d", step: "6h", server: "srv-7", tool: "tool-3" }],
      ],
    ],
    [
      "Calls",
      [
        ["calls.list", { limit: 200 }],
        ["calls.list", { server: "srv-7", limit: 200 }],
        ["calls.list", { server: "srv-7", outcome: "timeout", limit: 200 }],
        // The calls still running (tasks not ended): none here, so the whole table is read for them.
        ["calls.list", { outcome: "running", limit: 200 }],
        ["calls.list", { server: "srv-7", outcome: "running", limit: 200 }],
        // Scrolled down: the next page back from a call (listed by time, paged on its time and id).
        ["calls.list", { limit: 200, beforeId: lastId - 100_000 }],
        ["calls.list", { server: "srv-7", limit: 200, beforeId: lastId - 100_000 }],
        ["calls.get", { id: lastId - 5 }],
        ["servers.list", {}],
        // The names with calls recorded (the typo hint of calls, stats and report reads them in servers.known).
        ["servers.recorded", {}],
        ["servers.known", {}],
      ],
    ],
    ["Logs", [["logs.search", { since: "1h", limit: 1000 }]]],
    [
      "Events",
      [
        ["events.list", { since: "24h", limit: 500 }],
        ["events.groups", { since: "24h", limit: 200 }],
      ],
    ],
  ];
  console.log(
    `bench/ui-reads: ${CALLS.toLocaleString()} calls over 7 days (${SERVERS} servers × ${TOOLS} tools), ${TAIL} not folded; database ${(bytes / 2 ** 20).toFixed(0)} MiB${process.env.DATA_DIR ? "" : `, seeded in ${seedSeconds.toFixed(0)} s`}`,
  );
  console.log(`${cpus().length} cores, load ${loadavg()[0].toFixed(1)}; median of ${RUNS} runs per method`);
  console.log(
    "view           method                                   first ms pool ms   p90 ms   in-thread ms    CPU ms   target (<50 ms)",
  );
  let missed = 0;
  const label = (method, input) =>
    `${method}${input && Object.keys(input).length ? ` ${Object.values(input).join(" ")}` : ""}`;
  for (const [view, calls] of views) {
    for (const [method, input] of calls) {
      const run = direct[method]
        ? [() => direct[method](), () => direct[method]()]
        : [() => pooled.invoke(method, input), () => inThread.invoke(method, input)];
      const [times, here] = [await timed(run[0]), await timed(run[1], true)];
      const med = median(times);
      if (med >= TARGET_MS) missed++;
      console.log(
        `${view.padEnd(14)} ${label(method, input).padEnd(40)} ${times.first.toFixed(1).padStart(7)} ${med.toFixed(1).padStart(7)} ${p90(times).toFixed(1).padStart(8)} ${median(
          here.map((t) => t.wall),
        )
          .toFixed(1)
          .padStart(14)} ${median(here.map((t) => t.cpu))
          .toFixed(1)
          .padStart(9)}   ${med < TARGET_MS ? "met" : "NOT met"}`,
      );
    }
  }

  // The Overview's load: every call at once, as the renderer issues them (range 1h, 24h, 7d).
  console.log(
    `\nOverview first paint: all its load calls issued together, until the last answer (median of ${RUNS})`,
  );
  console.log(
    "range    pool ms   in-thread ms   chart (metrics.series) pool / in-thread ms   target (<300 ms)",
  );
  for (const since of ["1h", "24h", "7d"]) {
    const load = (engine) => [
      engine.invoke("system.info", {}),
      engine.invoke("servers.list", {}),
      engine.invoke("alerts.list", {}),
      engine.invoke("stats.get", { since }),
      engine.invoke("metrics.series", { since }),
    ];
    const paint = async (engine) => {
      const started = performance.now();
      const calls = load(engine);
      const chart = calls[4].then(() => performance.now() - started);
      await Promise.all(calls);
      return [performance.now() - started, await chart];
    };
    const [a, b] = [await rounds(() => paint(pooled)), await rounds(() => paint(inThread))];
    const med = median(a.map((x) => x[0]));
    if (med >= FIRST_PAINT_MS) missed++;
    console.log(
      `${since.padEnd(6)} ${med.toFixed(1).padStart(8)} ${median(b.map((x) => x[0]))
        .toFixed(1)
        .padStart(14)}   ${median(a.map((x) => x[1]))
        .toFixed(1)
        .padStart(22)} / ${median(b.map((x) => x[1]))
        .toFixed(1)
        .padEnd(20)} ${med < FIRST_PAINT_MS ? "met" : "NOT met"}`,
    );
  }

  // A slow read beside a fast one: a 7-day report's stats (the slowest read the UI makes) and the Calls
  // view's first page issued together; how long the fast one waits.
  console.log(`\nA fast read issued with a slow one (stats.get 7d beside calls.list), median of ${RUNS}`);
  for (const [name, engine] of [
    ["pool", pooled],
    ["in-thread", inThread],
  ]) {
    const results = await rounds(async () => {
      const started = performance.now();
      const slow = engine
        .invoke("stats.get", { since: "7d", server: "srv-3" })
        .then(() => performance.now() - started);
      const fast = engine.invoke("calls.list", { limit: 200 }).then(() => performance.now() - started);
      return [await fast, await slow];
    });
    console.log(
      `${name.padEnd(10)} calls.list answered after ${median(results.map((r) => r[0])).toFixed(1)} ms; stats.get 7d after ${median(results.map((r) => r[1])).toFixed(1)} ms`,
    );
  }
  db.close();
  if (missed) process.exitCode = 1;
} finally {
  for (const engine of engines) await engine.close();
  if (process.env.KEEP_DB) console.log(`data dir kept at ${work}`);
  else await rm(work, { recursive: true, force: true });
}

/**
 * RUNS timings of `fn` after one untimed run (statement preparation, page cache); with `cpu`, each as
 * { wall, cpu }, cpu being this thread's CPU time (the work itself, whatever else the machine runs).
 */
async function timed(fn, cpu = false) {
  const first = performance.now();
  await fn();
  const times = [];
  times.first = performance.now() - first;
  for (let i = 0; i < RUNS; i++) {
    const before = process.threadCpuUsage();
    const started = performance.now();
    await fn();
    const wall = performance.now() - started;
    const used = process.threadCpuUsage(before);
    times.push(cpu ? { wall, cpu: (used.user + used.system) / 1000 } : wall);
  }
  return times;
}

async function rounds(fn) {
  await fn();
  const out = [];
  for (let i = 0; i < RUNS; i++) out.push(await fn());
  return out;
}

/** Calls and the rollups folding would have made of them, written in large transactions. */
function seed(lib, path) {
  const {
    DDSketch,
    MINUTE,
    HOUR,
    DAY,
    bucketStart,
    STATE,
    SUMMARY_METHOD,
    ALL_SERVERS,
    ANY_OUTCOME,
    writeState,
  } = lib;
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
        // And the summaries folding writes: the operation's (any outcome), the server's and all servers'
        // (every operation; `ok` or `error`).
        const kind = outcome === "ok" ? "ok" : "error";
        const summaries = [
          seriesId(`srv-${server}`, tool, ANY_OUTCOME, time),
          seriesId(`srv-${server}`, null, kind, time),
          seriesId(ALL_SERVERS, null, kind, time),
        ];
        for (const bucket of open)
          for (const id of [series, ...summaries]) {
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
    writeState(db, STATE.totalsFrom, 0);
  });
  db.exec("ANALYZE");
  db.close();
}
