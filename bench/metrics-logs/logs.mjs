// bench/metrics-logs: logs at scale. Over LINES synthetic log lines from 20 servers spread over 30 days,
// stored through the real schema the way writers store them (10k-line transactions, each indexed for
// full-text search at its end; per-minute counts and per-server sizes by trigger):
//
//   1. full-text search latency (median and p95 of RUNS runs per query) against the 200 ms target, for
//      rare and common words, a phrase, a prefix, and words with server, level and time filters (plus a
//      few listings without text);
//   2. how long one retention batch holds the write lock;
//   3. bytes per stored log line (database pages / lines), split by table and index (dbstat);
//   4. records per second from a server's stderr to the store, through `mcpscope run` (wrapper, observer
//      thread, stack assembler, parser, masking, batch writer, index), against pino writing the same
//      records to a file (pino.destination, asynchronous and synchronous).
//
//   node bench/metrics-logs/logs.mjs                          # 1M lines (the default): ~2 min here
//   LINES=10000000 node bench/metrics-logs/logs.mjs           # the target run: 10M lines (10+ min to build)
//   DB=/tmp/logs-1m.db node bench/metrics-logs/logs.mjs       # keep the database; later runs reuse it
//   LINES=200000 STDERR_LINES=100000 RUNS=15 node bench/metrics-logs/logs.mjs
//
// Needs `node build/build.mjs node` first (part 4 runs the built CLI). Exits 1 if a full-text query's
// median misses the target.
import { spawn } from "node:child_process";
import { existsSync, writeSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { bundleEngine, mulberry32, ROOT } from "../lib.mjs";

const root = ROOT;
const LINES = Number(process.env.LINES ?? 1_000_000);
const STDERR_LINES = Number(process.env.STDERR_LINES ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 11);
const SERVERS = 20;
const DAYS = 30;
const TARGET_MS = 200;
const DAY = 86_400_000;

// `node logs.mjs --emit N` is the synthetic server for the throughput part.
let failed = false;
if (process.argv[2] === "--emit") emit(Number(process.argv[3]));
else {
  const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-logs-"));
  try {
    await main(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

/** Writes n synthetic records to stderr, then stays up until stdin closes. */
function emit(n) {
  const make = generator(7);
  const chunk = [];
  for (let i = 0; i < n; i++) {
    chunk.push(make(Date.now(), i).stderr);
    if (chunk.length === 100 || i === n - 1) {
      // Synchronous, as a server's logger writes.
      let bytes = Buffer.from(`${chunk.join("\n")}\n`);
      while (bytes.length) {
        try {
          bytes = bytes.subarray(writeSync(2, bytes));
        } catch (error) {
          if (error.code !== "EAGAIN") throw error;
        }
      }
      chunk.length = 0;
    }
  }
  // The wrapper gives its observer only a few seconds after the server exits; this measures the
  // pipeline, not that limit, so the server stays up until the client goes.
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}

async function main(work) {
  if (!existsSync(join(root, "dist", "cli.mjs"))) {
    console.error("dist/ is not built: run `node build/build.mjs node` first");
    process.exit(2);
  }
  console.log(`logs bench: ${LINES.toLocaleString("en")} lines, ${SERVERS} servers, ${DAYS} days`);
  console.log(
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  );
  const lib = await bundleEngine(
    work,
    `
        export { openDb } from "./electron/monitor/store/db.ts";
        export { databasePath } from "./electron/monitor/paths.ts";
        export { searchLogs } from "./electron/monitor/logs/log-queries.ts";
        export { indexPendingLogs } from "./electron/monitor/logs/fts-index.ts";
        export { RETENTION_BATCH_ROWS } from "./electron/monitor/logs/retention.ts";`,
  );

  // 1. Synthetic history, through the real schema and triggers.
  // DB=path keeps the generated database there, and reuses it when it already holds LINES lines.
  const dbPath = process.env.DB ?? join(work, "mcpscope.db");
  const db = lib.openDb(dbPath);
  const existing = Number(db.prepare("SELECT count(*) AS n FROM logs").get().n);
  if (existing === LINES) {
    const now = Number(db.prepare("SELECT max(time) AS t FROM logs").get().t) + 1;
    console.log(`\nreusing ${dbPath} (${LINES.toLocaleString("en")} lines)`);
    return measure(lib, db, now, work);
  }
  if (existing > 0) {
    console.error(`${dbPath} holds ${existing} lines, not ${LINES}: remove it or set LINES=${existing}`);
    process.exit(2);
  }
  const now = Date.now();
  const make = generator(42);
  const insert = db.prepare(
    "INSERT INTO logs (time, level, server, session_id, source, logger, message, fields, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const t0 = performance.now();
  const BATCH = 10_000;
  for (let i = 0; i < LINES; i += BATCH) {
    db.exec("BEGIN");
    for (let j = i; j < Math.min(LINES, i + BATCH); j++) {
      const time = now - DAYS * DAY + ((j + 0.5) / LINES) * DAYS * DAY;
      const r = make(time, j);
      insert.run(time, r.level, r.server, r.session, "stderr", r.logger, r.message, r.fields, null);
    }
    lib.indexPendingLogs(db, BATCH); // as every writer does, once per transaction
    db.exec("COMMIT");
  }
  const insertSeconds = (performance.now() - t0) / 1000;
  console.log(
    `\nstored ${LINES.toLocaleString("en")} lines in ${insertSeconds.toFixed(1)} s (${Math.round(LINES / insertSeconds).toLocaleString("en")} lines/s in 10k-row transactions, indexed and counted as the writers do)`,
  );

  return measure(lib, db, now, work);
}

async function measure(lib, db, now, work) {
  // 2. Search latency.
  const iso = (t) => new Date(t).toISOString();
  const queries = [
    ["rare word (~1 in 10,000 lines)", { text: "ECONNRESET" }],
    ["common word (~1 in 4 lines)", { text: "request" }],
    ["phrase", { text: '"cache miss"' }],
    ["prefix", { text: "conn*" }],
    ["dashed word, quoted safely", { text: "read-only" }],
    ["word + server + level ≥ warning", { text: "timeout", server: "server-07", level: "warning" }],
    ["common word, last 24 h", { text: "request", since: "24h" }],
    [
      "rare word in one old day",
      { text: "ECONNRESET", since: iso(now - 20 * DAY), until: iso(now - 19 * DAY) },
    ],
    ["two rare words, none together", { text: "ECONNRESET quarantined" }],
    ["no text: level ≥ error, one server", { level: "error", server: "server-03" }],
    ["no text: last hour", { since: "1h" }],
    ["no text: level ≥ warning, all servers", { level: "warning" }],
    [
      "no text: one session",
      {
        session: String(
          db.prepare("SELECT session_id FROM logs WHERE id = ?").get(Math.floor(LINES / 2)).session_id,
        ),
      },
    ],
  ];
  console.log(`\nsearch (limit 100, newest first), ${RUNS} runs each after 2 warm-ups:`);
  console.log(
    `${"query".padEnd(38)} ${"median ms".padStart(10)} ${"p95 ms".padStart(8)} ${"rows".padStart(5)}`,
  );
  for (const [label, query] of queries) {
    const times = [];
    let rows = 0;
    for (let r = 0; r < RUNS + 2; r++) {
      const s = performance.now();
      rows = lib.searchLogs(db, { ...query, limit: 100 }, now).length;
      if (r >= 2) times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const p95 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)];
    const isText = Boolean(query.text);
    if (isText && median > TARGET_MS) failed = true;
    console.log(
      `${label.padEnd(38)} ${median.toFixed(1).padStart(10)} ${p95.toFixed(1).padStart(8)} ${String(rows).padStart(5)}${isText && median > TARGET_MS ? "  MISSES the 200 ms target" : ""}`,
    );
  }

  // How long one retention batch holds the write lock: a server's oldest RETENTION_BATCH_ROWS lines
  // deleted (indexes, postings, usage) inside a transaction that is then rolled back, so the data stays.
  const lockTimes = [];
  for (let i = 0; i < 5; i++) {
    const server = `server-${String(i * 3).padStart(2, "0")}`;
    db.exec("BEGIN IMMEDIATE");
    const s = performance.now();
    db.prepare(
      "DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE server = ? AND time < ? AND id < ? ORDER BY time LIMIT ?)",
    ).run(server, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, lib.RETENTION_BATCH_ROWS);
    lockTimes.push(performance.now() - s);
    db.exec("ROLLBACK");
  }
  lockTimes.sort((a, b) => a - b);
  console.log(
    `\nretention: a ${lib.RETENTION_BATCH_ROWS.toLocaleString("en")}-line delete batch holds the write lock ${lockTimes[2].toFixed(0)} ms (median of 5; max ${lockTimes[4].toFixed(0)} ms; commit excluded)`,
  );

  // 3. Bytes per stored line.
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const pageSize = Number(db.prepare("PRAGMA page_size").get().page_size);
  const pages = Number(db.prepare("PRAGMA page_count").get().page_count);
  const bytes = pageSize * pages;
  const parts = new Map();
  for (const row of db.prepare("SELECT name, sum(pgsize) AS size FROM dbstat GROUP BY name").all()) {
    const name = String(row.name);
    const group = name.startsWith("logs_fts")
      ? "full-text index (logs_fts*)"
      : name === "logs"
        ? "logs table"
        : name.startsWith("logs_") || name.startsWith("sqlite_autoindex_logs")
          ? "logs indexes (time, server+time, session)"
          : name.startsWith("log_")
            ? "counts, usage, templates"
            : "other";
    parts.set(group, (parts.get(group) ?? 0) + Number(row.size));
  }
  const text = db
    .prepare("SELECT sum(octet_length(message) + coalesce(octet_length(fields), 0)) AS n FROM logs")
    .get().n;
  const accounted = db.prepare("SELECT sum(bytes) AS n FROM log_usage").get().n;
  console.log(
    `\nbytes per stored log line: ${(bytes / LINES).toFixed(0)} (database ${(bytes / 2 ** 20).toFixed(0)} MiB)`,
  );
  for (const [group, size] of [...parts].sort((a, b) => b[1] - a[1]))
    console.log(`  ${group.padEnd(42)} ${(size / LINES).toFixed(0).padStart(5)} B/line`);
  console.log(
    `  (message + fields text alone: ${(Number(text) / LINES).toFixed(0)} B/line; retention's size estimate: ${(Number(accounted) / LINES).toFixed(0)} B/line)`,
  );
  db.close();

  // 4. stderr → store through the wrapper, against pino to a file.
  console.log(
    `\nthroughput, ${STDERR_LINES.toLocaleString("en")} records (the same synthetic records both ways; ~0.3% carry a 2-line stack):`,
  );
  const wrapped = await throughWrapper(lib, work);
  console.log(
    `  stderr → store via mcpscope run   ${Math.round(wrapped.records / wrapped.seconds)
      .toLocaleString("en")
      .padStart(
        9,
      )} records/s (${wrapped.records.toLocaleString("en")} of ${STDERR_LINES.toLocaleString("en")} records stored, ${wrapped.lines.toLocaleString("en")} lines, ${wrapped.dropped} dropped; ${wrapped.seconds.toFixed(2)} s from spawn to last commit)`,
  );
  console.log(
    `                                    ${Math.round(wrapped.steady).toLocaleString("en").padStart(9)} records/s steady (first to last commit)`,
  );
  for (const sync of [false, true]) {
    const result = await pinoToFile(sync, work);
    console.log(
      `  pino → file (${sync ? "sync " : "async"})              ${Math.round(STDERR_LINES / result.seconds)
        .toLocaleString("en")
        .padStart(9)} records/s (${(result.bytes / 2 ** 20).toFixed(1)} MiB, ${result.seconds.toFixed(2)} s)`,
    );
  }
  if (failed) console.log("\nA full-text query missed the 200 ms target.");
}

/**
 * Runs the synthetic server through `mcpscope run` and watches the store until every record is in (or
 * nothing new arrived for 5 s). Reports the rate from start to the last commit, process start included,
 * and the steady rate between the first and the last commit seen.
 */
async function throughWrapper(lib, work) {
  const dataDir = join(work, "wrapped");
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      join(root, "bin", "mcpscope.js"),
      "run",
      "--name",
      "bench",
      "--data-dir",
      dataDir,
      "--",
      process.execPath,
      fileURLToPath(import.meta.url),
      "--emit",
      String(STDERR_LINES),
    ],
    { stdio: ["pipe", "ignore", "ignore"] },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let db = null;
  let records = 0;
  let first = null;
  let last = started;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (!db && existsSync(lib.databasePath(dataDir))) db = lib.openDb(lib.databasePath(dataDir));
    if (!db) continue;
    let n = records;
    try {
      n = Number(db.prepare("SELECT count(*) AS n FROM logs WHERE source = 'stderr'").get().n);
    } catch {
      continue; // the schema is being created
    }
    const t = performance.now();
    if (n > records) {
      if (first === null) first = { t, n };
      records = n;
      last = t;
    }
    if (records >= STDERR_LINES || t - last > 5000) break;
  }
  child.stdin.end();
  await exited;
  // A record is a line, or a line and its stack trace; count the lines they hold.
  const lines = Number(
    db
      .prepare(
        "SELECT sum(length(message) - length(replace(message, char(10), '')) + 1) AS n FROM logs WHERE source = 'stderr'",
      )
      .get().n,
  );
  const dropped = Number(db.prepare("SELECT coalesce(sum(dropped), 0) AS n FROM sessions").get().n);
  db.close();
  const seconds = (last - started) / 1000;
  const steady = first && last > first.t ? ((records - first.n) / (last - first.t)) * 1000 : Number.NaN;
  return { seconds, records, lines, dropped, steady };
}

async function pinoToFile(sync, work) {
  const file = join(work, `pino-${sync ? "sync" : "async"}.log`);
  const destination = pino.destination({ dest: file, sync, minLength: sync ? 0 : 4096 });
  const logger = pino({ level: "trace" }, destination);
  const make = generator(7);
  const method = {
    debug: "debug",
    info: "info",
    notice: "info",
    warning: "warn",
    error: "error",
    critical: "fatal",
  };
  const started = performance.now();
  for (let i = 0; i < STDERR_LINES; i++) {
    const r = make(Date.now(), i);
    logger[method[r.level]](r.fieldsObject ?? {}, r.message);
  }
  const closed = new Promise((resolve) => destination.once("close", resolve));
  destination.end(); // writes what is buffered, then closes
  await closed;
  const seconds = (performance.now() - started) / 1000;
  return { seconds, bytes: (await stat(file)).size };
}

/**
 * Deterministic synthetic log records: 20 servers, template-shaped messages with variable parts, levels
 * skewed to info/debug, about a third with pino-style fields, a stack trace now and then. `.stderr` is the
 * line (or lines) as a server would print it.
 */
function generator(seed) {
  const rand = mulberry32(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const words = ["alpha", "bravo", "delta", "kilo", "lima", "oscar", "tango", "zulu", "echo", "foxtrot"];
  const paths = [
    "/srv/data/report.csv",
    "/home/me/notes.md",
    "/tmp/cache.db",
    "/var/log/app.log",
    "/etc/hosts",
  ];
  const templates = [
    ["info", () => `request ${Math.floor(rand() * 1e6)} handled in ${Math.floor(rand() * 900)} ms`],
    ["debug", () => `cache miss for key ${pick(words)}-${Math.floor(rand() * 1000)}`],
    ["debug", () => `cache hit for key ${pick(words)}`],
    [
      "info",
      () => `tool ${pick(words)}_${pick(words)} called by client ${pick(["claude", "cursor", "vscode"])}`,
    ],
    ["info", () => `reading ${pick(paths)} (${Math.floor(rand() * 1e5)} bytes)`],
    [
      "warning",
      () =>
        `slow request ${Math.floor(rand() * 1e6)}: timeout after ${Math.floor(rand() * 30)} s talking to ${pick(words)}.example.com`,
    ],
    ["info", () => `connection pool size ${Math.floor(rand() * 20)} idle ${Math.floor(rand() * 10)}`],
    ["notice", () => `config reloaded from ${pick(paths)}`],
    ["error", () => `failed to open ${pick(paths)}: permission denied (read-only file system)`],
    ["warning", () => `retrying request ${Math.floor(rand() * 1e6)} (attempt ${1 + Math.floor(rand() * 5)})`],
  ];
  const levelsOf = { debug: 20, info: 30, notice: 30, warning: 40, error: 50, critical: 60 };
  return (time, i) => {
    const server = `server-${String(i % SERVERS).padStart(2, "0")}`;
    let [level, message] = pick(templates);
    message = message();
    const rare = rand();
    if (rare < 0.0001) {
      level = "error";
      message = `upstream ${pick(words)} closed the connection: ECONNRESET`;
    } else if (rare < 0.0002) {
      level = "critical";
      message = `file ${pick(paths)} quarantined`;
    }
    const stack = level === "error" && rand() < 0.1;
    const withFields = rand() < 0.33;
    const fieldsObject = withFields
      ? {
          reqId: Math.floor(rand() * 1e6),
          tool: `${pick(words)}_${pick(words)}`,
          ms: Math.floor(rand() * 900),
        }
      : null;
    const fullMessage = stack
      ? `Error: ${message}\n    at handle (/app/server.js:${Math.floor(rand() * 200)}:7)\n    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)`
      : message;
    const stderr = withFields
      ? JSON.stringify({
          level: levelsOf[level],
          time,
          pid: 4242,
          hostname: "box",
          name: server,
          msg: message,
          ...fieldsObject,
        })
      : `${new Date(time).toISOString()} ${level.toUpperCase()} ${fullMessage}`;
    return {
      level,
      server,
      session: `${server}-session-${Math.floor(time / DAY)}`,
      logger: withFields ? server : null,
      message: withFields ? message : fullMessage,
      fields: withFields ? JSON.stringify({ time, pid: 4242, hostname: "box", ...fieldsObject }) : null,
      fieldsObject,
      stderr,
    };
  };
}
