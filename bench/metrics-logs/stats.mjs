// bench/metrics-logs: how fast `mcpscope stats` answers over 30 days of data for 20 servers × 15 tools.
//
// The last 24 h are raw calls folded by the real collector code (foldOnce), except the last 2 minutes,
// which stay unfolded (the tail stats reads raw). Older data is synthetic rollups: minutes, hours and days
// from 24 h to 7 days back, hours and days from 7 to 30 days back (minutes are past their retention
// there). Then statsDocument runs over 1 h, 24 h, 7 d and 30 d; the median of RUNS runs is compared with
// the 100 ms target and, where raw calls exist, with the raw-only path statsDocument used before rollups.
//
//   node bench/metrics-logs/stats.mjs
//   RUNS=15 RATE=0.25 node bench/metrics-logs/stats.mjs      # RATE: share of (tool, minute) pairs with calls
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { bundleEngine, mulberry32 } from "../lib.mjs";

const RUNS = Number(process.env.RUNS ?? 9);
const RATE = Number(process.env.RATE ?? 0.25);
const SERVERS = 20;
const TOOLS = 15;
const DAYS = 30;
const TARGET_MS = 100;

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-stats-"));
try {
  await main();
} finally {
  await rm(work, { recursive: true, force: true });
}
if (process.env.KEEP_DB) console.log(`database kept at ${process.env.KEEP_DB}`);

async function main() {
  const lib = await bundleEngine(
    work,
    `
        export { openDb } from "./electron/monitor/store/db.ts";
        export { statsDocument } from "./electron/monitor/metrics/stats-document.ts";
        export { DDSketch } from "./electron/monitor/metrics/ddsketch.ts";
        export { bucketStart, DAY, HOUR, MINUTE, STATE, writeState } from "./electron/monitor/metrics/rollups.ts";
        export { foldOnce } from "./electron/monitor/metrics/fold.ts";`,
  );
  const { MINUTE, HOUR, DAY, DDSketch, bucketStart } = lib;
  // KEEP_DB=path keeps the generated database (e.g. to profile statsDocument against it).
  const dbPath = process.env.KEEP_DB ?? join(work, "mcpscope.db");
  await rm(dbPath, { force: true });
  await rm(`${dbPath}-wal`, { force: true });
  const db = lib.openDb(dbPath);
  const now = Date.now();
  const rand = mulberry32(42);
  const keys = [];
  for (let s = 0; s < SERVERS; s++) for (let t = 0; t < TOOLS; t++) keys.push([`server-${s}`, `tool_${t}`]);
  // Latency per tool: a lognormal around a tool-specific median, from ~1 ms to a few seconds.
  const medians = keys.map(() => Math.exp(rand() * 7));
  const duration = (k) => medians[k] * Math.exp(0.8 * gauss(rand));
  const callsInMinute = () => 1 + Math.floor(rand() * 5);
  const outcome = () => (rand() < 0.05 ? "tool_error" : "ok");

  const t0 = performance.now();
  // 1. Raw calls for the last 24 h, folded by the collector's code.
  const insert = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms,
       outcome, bytes_in, bytes_out) VALUES (?, ?, 'c2s', ?, 'tools/call', ?, ?, ?, ?, ?, ?)`,
  );
  let rawCalls = 0;
  let folded = 0;
  const rawFrom = bucketStart(now - DAY, MINUTE);
  db.exec("BEGIN");
  for (let m = rawFrom; m < now; m += MINUTE) {
    if (m >= now - 2 * MINUTE && folded === 0) folded = rawCalls;
    keys.forEach(([server, tool], k) => {
      if (rand() >= RATE) return;
      for (let i = callsInMinute(); i > 0; i--) {
        const at = m + rand() * MINUTE;
        if (at > now) continue;
        insert.run(`s-${server}`, server, String(rawCalls), tool, at, duration(k), outcome(), 180, 900);
        rawCalls++;
      }
    });
  }
  db.exec("COMMIT");
  const t1 = performance.now();
  for (let left = folded; left > 0; ) left -= lib.foldOnce(db, Math.min(1000, left)).folded;
  const t2 = performance.now();

  // 2. Synthetic rollups before that: minutes (7 d back), hours and days (30 d back).
  const row = db.prepare(
    `INSERT INTO call_rollups (resolution, bucket_start, series, count, bytes_in, bytes_out, sketch)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  // The series the fold created, and the rest (tools/call of each key, ok and tool_error).
  const seriesId = new Map();
  const findSeries = db.prepare(
    "SELECT id FROM rollup_series WHERE server = ? AND method = 'tools/call' AND target = ? AND outcome = ?",
  );
  const newSeries = db.prepare(
    "INSERT INTO rollup_series (server, method, target, outcome, last_seen) VALUES (?, 'tools/call', ?, ?, ?)",
  );
  const series = (k, out) => {
    const name = `${k}|${out}`;
    if (!seriesId.has(name)) {
      const [server, tool] = keys[k];
      const found = findSeries.get(server, tool, out);
      seriesId.set(name, found ? found.id : Number(newSeries.run(server, tool, out, now).lastInsertRowid));
    }
    return seriesId.get(name);
  };
  const mergeInto = (map, key, sketch, count) => {
    const entry = map.get(key) ?? { sketch: new DDSketch(), count: 0 };
    entry.sketch.merge(sketch);
    entry.count += count;
    map.set(key, entry);
  };
  const find = db.prepare(
    "SELECT sketch FROM call_rollups WHERE resolution = ? AND bucket_start = ? AND series = ?",
  );
  const update = db.prepare(
    "UPDATE call_rollups SET count = count + ?, sketch = ? WHERE resolution = ? AND bucket_start = ? AND series = ?",
  );
  // Buckets that also hold folded raw calls (around 24 h back, today) are merged, not replaced.
  const flush = (map, resolution) => {
    for (const [key, { sketch, count }] of map) {
      const [start, k, out] = key.split("|");
      const id = series(Number(k), out);
      const existing = resolution === MINUTE ? null : find.get(resolution, Number(start), id);
      if (existing) {
        const merged = DDSketch.decode(existing.sketch);
        merged.merge(sketch);
        update.run(count, merged.encode(), resolution, Number(start), id);
      } else {
        row.run(resolution, Number(start), id, count, count * 180, count * 900, sketch.encode());
      }
    }
    map.clear();
  };
  const minuteFrom = bucketStart(now - 7 * DAY, HOUR);
  const oldest = bucketStart(now - DAYS * DAY, DAY);
  const days = new Map();
  db.exec("BEGIN");
  for (let h = oldest; h < rawFrom; h += HOUR) {
    const hours = new Map();
    if (h >= minuteFrom) {
      for (let m = h; m < h + HOUR && m < rawFrom; m += MINUTE) {
        const minutes = new Map();
        keys.forEach((_, k) => {
          if (rand() >= RATE) return;
          for (let i = callsInMinute(); i > 0; i--) {
            const key = `${m}|${k}|${outcome()}`;
            const entry = minutes.get(key) ?? { sketch: new DDSketch(), count: 0 };
            entry.sketch.add(duration(k));
            entry.count++;
            minutes.set(key, entry);
          }
        });
        for (const [key, { sketch, count }] of minutes) {
          const [, k, out] = key.split("|");
          mergeInto(hours, `${h}|${k}|${out}`, sketch, count);
        }
        flush(minutes, MINUTE);
      }
    } else {
      keys.forEach((_, k) => {
        const sketches = { ok: new DDSketch(), tool_error: new DDSketch() };
        const n = Math.round(60 * RATE * 3 * (0.5 + rand()));
        for (let i = 0; i < n; i++) sketches[outcome()].add(duration(k));
        for (const [out, sketch] of Object.entries(sketches))
          if (sketch.count) mergeInto(hours, `${h}|${k}|${out}`, sketch, sketch.count);
      });
    }
    for (const [key, { sketch, count }] of hours) {
      const [, k, out] = key.split("|");
      mergeInto(days, `${bucketStart(h, DAY)}|${k}|${out}`, sketch, count);
    }
    flush(hours, HOUR);
  }
  flush(days, DAY);
  lib.writeState(db, lib.STATE.rawFrom, rawFrom);
  lib.writeState(db, lib.STATE.minutesFrom, minuteFrom);
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const t3 = performance.now();
  const setupS = (t3 - t0) / 1000;

  const count = (sql) => Number(db.prepare(sql).get().n);
  const rows = (r) => count(`SELECT count(*) AS n FROM call_rollups WHERE resolution = ${r}`);
  const sketchBytes = (r) =>
    count(`SELECT avg(length(sketch)) AS n FROM call_rollups WHERE resolution = ${r}`);
  const size = (await stat(dbPath)).size;

  console.log(
    `metrics-logs/stats: ${SERVERS} servers × ${TOOLS} tools, ${DAYS} days, RATE=${RATE}, median of ${RUNS} runs`,
  );
  console.log(
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  );
  console.log(
    `data: ${rawCalls.toLocaleString("en")} raw calls (last 24 h; ${(rawCalls - folded).toLocaleString("en")} not folded), ` +
      `${rows(MINUTE).toLocaleString("en")} minute rows, ${rows(HOUR).toLocaleString("en")} hour rows, ` +
      `${rows(DAY).toLocaleString("en")} day rows; built in ${setupS.toFixed(1)} s ` +
      `(raw ${((t1 - t0) / 1000).toFixed(1)} s, folding ${((t2 - t1) / 1000).toFixed(1)} s = ` +
      `${Math.round(folded / ((t2 - t1) / 1000)).toLocaleString("en")} calls/s, synthetic ${((t3 - t2) / 1000).toFixed(1)} s)`,
  );
  console.log(
    `sketch bytes per row: minute ${sketchBytes(MINUTE).toFixed(0)}, hour ${sketchBytes(HOUR).toFixed(0)}, ` +
      `day ${sketchBytes(DAY).toFixed(0)}; database ${(size / 2 ** 20).toFixed(1)} MiB`,
  );
  console.log("");
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} (wall times include waiting for a core)`,
  );
  console.log("range   rollups: median   p90      cpu   raw-only median   target (<100 ms)   calls counted");

  let failed = false;
  for (const [label, span] of [
    ["1h", HOUR],
    ["24h", DAY],
    ["7d", 7 * DAY],
    ["30d", DAYS * DAY],
  ]) {
    const range = { since: now - span, until: now };
    const fast = time(() => lib.statsDocument(db, range));
    const doc = lib.statsDocument(db, range);
    const calls = doc.servers.reduce((n, s) => n + s.calls, 0);
    let slow = null;
    if (span <= DAY) {
      slow = time(() => rawStats(db, range));
      const exact = rawStats(db, range);
      if (exact !== calls) {
        console.log(`  ${label}: rollups counted ${calls} calls, raw calls ${exact} — MISMATCH`);
        failed = true;
      }
    }
    const ok = fast.median < TARGET_MS;
    failed ||= !ok;
    console.log(
      `${label.padEnd(6)} ${fast.median.toFixed(1).padStart(11)} ms ${fast.p90.toFixed(1).padStart(6)} ms ` +
        `${fast.cpu.toFixed(1).padStart(6)} ms ` +
        `${slow ? `${slow.median.toFixed(1).padStart(10)} ms` : "         —   "}      ${ok ? "met" : "NOT met"}` +
        `${" ".repeat(ok ? 16 : 12)}${calls.toLocaleString("en")}`,
    );
  }
  db.close();
  if (failed) process.exitCode = 1;
}

/** The raw-only path stats used before rollups: every call in range, sorted per operation. */
function rawStats(db, range) {
  const groups = new Map();
  let n = 0;
  for (const r of db
    .prepare(
      "SELECT server, method, target, duration_ms FROM calls WHERE started_at >= ? AND started_at <= ?",
    )
    .iterate(range.since, range.until)) {
    const key = `${r.server}|${r.method}|${r.target}`;
    const list = groups.get(key) ?? [];
    list.push(r.duration_ms);
    groups.set(key, list);
    n++;
  }
  for (const list of groups.values()) {
    list.sort((a, b) => a - b);
    for (const p of [50, 95, 99]) void list[Math.max(1, Math.ceil((p / 100) * list.length)) - 1];
  }
  return n;
}

/** Median and p90 wall time, and median CPU time of this process (the machine may be shared). */
function time(fn) {
  fn();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const p90 = [...wall].sort((a, b) => a - b)[Math.ceil(wall.length * 0.9) - 1];
  return { median: median(wall), p90, cpu: median(cpu) };
}

function gauss(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}
