// bench/reports: how long a 7-day report takes to build and render over many stored calls, per format,
// and the peak memory of doing it.
//
// CALLS raw calls (default 1,000,000) over the last 7 days for 10 servers × 10 tools, with some errors, log
// lines and events, stored in a real database and folded into rollups by the collector's own code
// (foldOnce), except the last 2 minutes (the tail a report reads raw). Then, for each format, a fresh
// process builds the report (buildReport) and renders it (renderReport) RUNS times; it prints the median
// build and render times and its peak RSS (getrusage maxrss), which includes Node itself.
//
//   node bench/reports/index.mjs
//   CALLS=200000 RUNS=5 node bench/reports/index.mjs
//   KEEP_DB=/tmp/reports.db node bench/reports/index.mjs    # keep the database; a second run reuses it
//   BENCH_STEPS=1 FORMATS=json node bench/reports/index.mjs # time each step of building (on stderr)
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleEngine, median, mulberry32 } from "../lib.mjs";

const CALLS = Number(process.env.CALLS ?? 1_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const FORMATS = (process.env.FORMATS ?? "json,md,csv,html,pdf").split(",");
const TARGET_MS = 2000;
const SERVERS = 10;
const TOOLS = 10;
const DAY = 86_400_000;

const EXPORTS = `
  export { openDb } from "./electron/monitor/store/db.ts";
  export { foldOnce } from "./electron/monitor/metrics/fold.ts";
  export { buildReport } from "./electron/monitor/reports/build.ts";
  export { renderReport } from "./electron/monitor/reports/render/index.ts";
  export { statsDocument } from "./electron/monitor/metrics/stats-document.ts";`;

if (process.env.BENCH_MEASURE) await measure();
else await main();

async function measure() {
  const lib = await bundleEngine(process.env.BENCH_WORK, EXPORTS);
  const db = lib.openDb(process.env.BENCH_DB);
  const format = process.env.BENCH_MEASURE;
  const build = [];
  const render = [];
  let calls = 0;
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    let last = performance.now();
    const steps = [];
    const progress = (step) => {
      const t = performance.now();
      steps.push(`${(t - last).toFixed(0)} ms, then ${step}`);
      last = t;
    };
    const report = await lib.buildReport(db, { since: "7d", until: process.env.BENCH_UNTIL }, { progress });
    if (process.env.BENCH_STEPS)
      process.stderr.write(`${steps.join("; ")}; ${(performance.now() - last).toFixed(0)} ms\n`);
    const t1 = performance.now();
    const file = await lib.renderReport(report, { format, section: "tools" });
    const t2 = performance.now();
    build.push(t1 - t0);
    render.push(t2 - t1);
    calls = report.summary.calls.value;
    bytes = Buffer.byteLength(file.content, file.encoding);
  }
  db.close();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    JSON.stringify({ build: median(build), render: median(render), peakRss, calls, bytes }),
  );
}

async function main() {
  const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-reports-"));
  try {
    const lib = await bundleEngine(work, EXPORTS);
    const dbPath = process.env.KEEP_DB ?? join(work, "mcpscope.db");
    const reuse = process.env.KEEP_DB && (await stat(dbPath).catch(() => null));
    const db = lib.openDb(dbPath);
    const rand = mulberry32(7);
    // A kept database is reported as of the time its newest call was stored.
    const now = reuse ? Number(db.prepare("SELECT max(started_at) AS t FROM calls").get().t) + 1 : Date.now();
    const since = now - 7 * DAY;
    const t0 = performance.now();
    if (!reuse) store();
    const t1 = performance.now();
    if (!reuse) fold();
    const t2 = performance.now();
    const tail = Number(
      db.prepare("SELECT count(*) AS n FROM calls WHERE started_at >= ?").get(now - 120_000).n,
    );
    function store() {
      const insert = db.prepare(
        `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms,
         outcome, error_message, bytes_in, bytes_out) VALUES (?, ?, 'c2s', ?, 'tools/call', ?, ?, ?, ?, ?, ?, ?)`,
      );
      const medians = Array.from({ length: SERVERS * TOOLS }, () => Math.exp(rand() * 6));
      db.exec("BEGIN");
      for (let i = 0; i < CALLS; i++) {
        const k = Math.floor(rand() * SERVERS * TOOLS);
        const server = `server-${Math.floor(k / TOOLS)}`;
        const failed = rand() < 0.03;
        const at = since + ((i + rand()) / CALLS) * (now - since);
        const duration = medians[k] * Math.exp(0.8 * (rand() + rand() + rand() - 1.5));
        insert.run(
          `s-${server}`,
          server,
          String(i),
          `tool_${k % TOOLS}`,
          at,
          duration,
          failed ? "tool_error" : "ok",
          failed ? "quota exceeded" : null,
          200,
          900,
        );
      }
      const event = db.prepare(
        "INSERT INTO events (time, category, type, severity, server, message, fingerprint) VALUES (?, 'error', 'tool_error', 'low', ?, ?, ?)",
      );
      for (let i = 0; i < 5000; i++) {
        const s = Math.floor(rand() * SERVERS);
        event.run(
          since + rand() * 7 * DAY,
          `server-${s}`,
          `tools/call tool_${i % TOOLS}: quota exceeded`,
          `fp-${s}-${i % TOOLS}`,
        );
      }
      db.exec("COMMIT");
    }
    // Fold everything but the last 2 minutes, as the collector would have.
    function fold() {
      const left0 = Number(
        db.prepare("SELECT count(*) AS n FROM calls WHERE started_at < ?").get(now - 120_000).n,
      );
      for (let left = left0; left > 0; ) left -= lib.foldOnce(db, Math.min(5000, left)).folded;
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    const stats = lib.statsDocument(db, { since: now - 7 * DAY, until: now });
    const statsCalls = stats.servers.reduce((n, s) => n + s.calls, 0);
    db.close();
    const size = (await stat(dbPath)).size;

    const stored = Number(lib.openDb(dbPath).prepare("SELECT count(*) AS n FROM calls").get().n);
    console.log(
      `reports: a 7-day report over ${stored.toLocaleString("en")} calls (${SERVERS} servers × ${TOOLS} tools), median of ${RUNS} runs per format`,
    );
    console.log(
      `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg()[0].toFixed(1)}`,
    );
    console.log(
      reuse
        ? `data: the kept database ${dbPath} (${tail} calls left raw); ${(size / 2 ** 20).toFixed(1)} MiB`
        : `data: stored in ${((t1 - t0) / 1000).toFixed(1)} s, folded in ${((t2 - t1) / 1000).toFixed(1)} s (${tail} calls left raw); database ${(size / 2 ** 20).toFixed(1)} MiB`,
    );
    console.log("format   build ms   render ms   total ms   target (<2 s)   peak RSS    file size   calls");
    let failed = false;
    for (const format of FORMATS) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
        env: {
          ...process.env,
          BENCH_MEASURE: format,
          BENCH_DB: dbPath,
          BENCH_WORK: join(work, format),
          BENCH_UNTIL: new Date(now).toISOString(),
        },
        encoding: "utf8",
      });
      const r = JSON.parse(out);
      const total = r.build + r.render;
      const met = total < TARGET_MS;
      // The report must count what stats counts over the same range.
      if (r.calls !== statsCalls) failed = true;
      console.log(
        `${format.padEnd(8)} ${r.build.toFixed(0).padStart(8)} ${r.render.toFixed(0).padStart(11)} ${total.toFixed(0).padStart(10)}   ${(met ? "met" : "NOT met").padEnd(13)} ${(r.peakRss / 2 ** 20).toFixed(0).padStart(6)} MiB ${(r.bytes / 1024).toFixed(0).padStart(8)} KiB   ${r.calls === statsCalls ? "= stats" : `${r.calls} ≠ stats ${statsCalls}`}`,
      );
    }
    if (failed) {
      console.log("a report's call count differs from stats");
      process.exitCode = 1;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
