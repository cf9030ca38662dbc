// bench/storage: what storing calls costs and how fast the data management runs, on real SQLite files.
//
//   1. bytes per stored call, with and without payload text (database pages in use / calls), and with the
//      text as wrappers store it (above 1 KiB compressed, payload-codec.ts) against plain text;
//   2. the batch writer's insert rate against a plain prepared INSERT of the same rows in one transaction
//      (the ceiling), as a ratio;
//   3. retention: the time to prune PRUNE_ROWS resource samples (half of them expired) in 1,000-row
//      transactions, and the longest and median time one batch holds the write lock (what a wrapper
//      writing meanwhile can wait);
//   4. backup (online copy + gzip + manifest) and restore (checksum, decompress, check) time per GiB,
//      and the longest a query on the backed-up connection waits meanwhile (the engine's, in the app).
//
//   node bench/storage/index.mjs                         # 200k calls, 1M samples: about a minute here
//   CALLS=1000000 PRUNE_ROWS=10000000 node bench/storage/index.mjs   # the 10-million-row prune
//   TEXT_MAX=8000 node bench/storage/index.mjs           # larger tool results
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { bundleEngine, median, mulberry32 } from "../lib.mjs";

const CALLS = Number(process.env.CALLS ?? 200_000);
const PRUNE_ROWS = Number(process.env.PRUNE_ROWS ?? 1_000_000);
// Response text is 200 B to TEXT_MAX B long, uniformly.
const TEXT_MAX = Number(process.env.TEXT_MAX ?? 1400);
const DAY = 86_400_000;
const GIB = 1024 ** 3;
// Text like a tool's output (source lines, paths, words), not one repeated letter, which would flatter
// compression: tokens drawn at random from a small vocabulary, with numbers and line breaks.
const VOCABULARY = (
  "const let return function import export from if else for while await async this new class type " +
  "interface string number boolean null undefined true false src lib test index file path name value " +
  "error result data items config server client request response tools call list read write search"
).split(" ");

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-storage-"));
try {
  await main();
} finally {
  await rm(work, { recursive: true, force: true });
}

async function main() {
  const lib = await bundleEngine(
    work,
    `export { openDb } from "./electron/monitor/store/db.ts";
     export { BatchWriter } from "./electron/monitor/store/batch-writer.ts";
     export { applyStorageRetention } from "./electron/monitor/store/retention.ts";
     export { DEFAULT_STORAGE_RETENTION } from "./electron/monitor/store/storage-settings.ts";
     export { usedBytes } from "./electron/monitor/store/size-cap.ts";
     export { encodePayload, COMPRESS_ABOVE } from "./electron/monitor/store/payload-codec.ts";
     export { createBackup } from "./electron/monitor/store/backup.ts";
     export { restoreBackup } from "./electron/monitor/store/restore.ts";
     export { checkDatabase } from "./electron/monitor/store/recovery.ts";`,
  );
  console.log(
    `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / GIB)} GiB, Node ${process.version}`,
  );
  console.log(`calls: ${CALLS.toLocaleString()}, samples to prune: ${PRUNE_ROWS.toLocaleString()}\n`);

  // 1 and 2: the same rows, through the batch writer and through a plain insert.
  const withText = rows(true);
  const writerDb = join(work, "writer", "mcpscope.db");
  const writer = new lib.BatchWriter({ open: () => lib.openDb(writerDb), maxQueue: 1_000_000 });
  let t0 = performance.now();
  for (const row of withText) writer.enqueue("calls", row);
  writer.flush();
  const writerMs = performance.now() - t0;
  writer.close();

  const plainDb = lib.openDb(join(work, "plain", "mcpscope.db"));
  const columns = Object.keys(withText[0]);
  const insert = plainDb.prepare(
    `INSERT INTO calls (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  );
  t0 = performance.now();
  plainDb.transaction(() => {
    for (const row of withText) insert.run(...columns.map((c) => row[c]));
  });
  const plainMs = performance.now() - t0;
  const perCallText = lib.usedBytes(plainDb) / CALLS;
  plainDb.close();

  const bare = lib.openDb(join(work, "bare", "mcpscope.db"));
  const bareInsert = bare.prepare(
    `INSERT INTO calls (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  );
  bare.transaction(() => {
    for (const row of rows(false)) bareInsert.run(...columns.map((c) => row[c]));
  });
  const perCallBare = lib.usedBytes(bare) / CALLS;
  bare.close();

  // The same rows with their text encoded as the session recorder stores it.
  t0 = performance.now();
  const encoded = withText.map((row) => ({
    ...row,
    request: lib.encodePayload(row.request),
    response: lib.encodePayload(row.response),
  }));
  const encodeMs = performance.now() - t0;
  const packedCount = encoded.filter((r) => r.response instanceof Uint8Array).length;
  const packedDb = lib.openDb(join(work, "packed", "mcpscope.db"));
  const packedInsert = packedDb.prepare(
    `INSERT INTO calls (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  );
  packedDb.transaction(() => {
    for (const row of encoded) packedInsert.run(...columns.map((c) => row[c]));
  });
  const perCallPacked = lib.usedBytes(packedDb) / CALLS;
  packedDb.close();

  console.log("bytes per stored call (pages in use / calls, indexes included)");
  console.log(
    `  with payload text (~${Math.round(avgText(withText))} B of request + response): ${Math.round(perCallText)} B`,
  );
  console.log(`  without payload text:                                  ${Math.round(perCallBare)} B`);
  console.log(
    `  text above ${lib.COMPRESS_ABOVE} B compressed (${Math.round((packedCount / CALLS) * 100)} % of responses): ${Math.round(perCallPacked)} B (${(perCallText / perCallPacked).toFixed(2)}x smaller than plain text)`,
  );
  console.log(`  encoding cost: ${((encodeMs * 1000) / CALLS).toFixed(1)} µs per call (request + response)`);
  console.log("\ninsert rate, the same rows");
  console.log(`  batch writer (1,000-row transactions): ${rate(CALLS, writerMs)} rows/s`);
  console.log(`  plain prepared insert, one transaction: ${rate(CALLS, plainMs)} rows/s (the ceiling)`);
  console.log(`  ratio writer / ceiling: ${(plainMs / writerMs).toFixed(2)}`);

  // 3: retention of PRUNE_ROWS samples, half expired.
  const pruneDb = lib.openDb(join(work, "prune", "mcpscope.db"));
  const now = Date.UTC(2026, 5, 1);
  const sample = pruneDb.prepare(
    "INSERT INTO resource_samples (time, server, pid, cpu_pct, rss_bytes, process_count) VALUES (?, ?, 1, 1.5, 123456789, 1)",
  );
  for (let done = 0; done < PRUNE_ROWS; done += 100_000) {
    pruneDb.transaction(() => {
      for (let i = done; i < Math.min(PRUNE_ROWS, done + 100_000); i++)
        sample.run(now - 28 * DAY + (i / PRUNE_ROWS) * 28 * DAY, `server-${i % 20}`);
    });
  }
  const holds = [];
  const timed = {
    ...pruneDb,
    path: pruneDb.path,
    prepare: (sql) => pruneDb.prepare(sql),
    exec: (sql) => pruneDb.exec(sql),
    transaction(fn) {
      const start = performance.now();
      try {
        return pruneDb.transaction(fn);
      } finally {
        holds.push(performance.now() - start);
      }
    },
  };
  t0 = performance.now();
  const counts = await lib.applyStorageRetention(timed, lib.DEFAULT_STORAGE_RETENTION, { now, pauseMs: 0 });
  const pruneMs = performance.now() - t0;
  pruneDb.close();
  const working = holds.filter((ms, i) => i < holds.length - 1 || ms > 0);
  console.log(
    `\nretention: ${counts.resourceSamples?.toLocaleString() ?? 0} of ${PRUNE_ROWS.toLocaleString()} samples pruned`,
  );
  console.log(
    `  total ${(pruneMs / 1000).toFixed(1)} s (${rate(counts.resourceSamples ?? 0, pruneMs)} rows/s, pauses excluded)`,
  );
  console.log(
    `  write lock held per batch: median ${median(working).toFixed(1)} ms, longest ${Math.max(...working).toFixed(1)} ms over ${working.length} transactions`,
  );

  // 4: backup and restore of the calls database with payload text.
  const source = lib.openDb(join(work, "plain", "mcpscope.db"));
  const bytes = (await stat(source.path)).size;
  // 5 (printed last): quick_check at every engine start, integrity_check for `mcpscope db check`.
  t0 = performance.now();
  lib.checkDatabase(source.path, false);
  const quickMs = performance.now() - t0;
  t0 = performance.now();
  lib.checkDatabase(source.path, true);
  const fullMs = performance.now() - t0;
  const file = join(work, "calls.mcpscope-backup");
  // The engine goes on querying its own connection while it backs up: the longest any query waited
  // (or the timer was held) is what the app's Back up now costs the rest of the engine.
  const waits = [];
  let last = performance.now();
  const engineQueries = setInterval(() => {
    const start = performance.now();
    source.prepare("SELECT count(*) AS n FROM sessions").get();
    waits.push(Math.max(performance.now() - start, start - last - 5));
    last = performance.now();
  }, 5);
  t0 = performance.now();
  const manifest = await lib.createBackup(source, file, { version: "bench" });
  const backupMs = performance.now() - t0;
  clearInterval(engineQueries);
  source.close();
  t0 = performance.now();
  await lib.restoreBackup(file, join(work, "restored"));
  const restoreMs = performance.now() - t0;
  console.log(
    `\nbackup of a ${(bytes / 1024 ** 2).toFixed(0)} MiB database -> ${(manifest.payloadBytes / 1024 ** 2).toFixed(1)} MiB`,
  );
  console.log(
    `  backup:  ${(backupMs / 1000).toFixed(2)} s, ${((backupMs / 1000) * (GIB / bytes)).toFixed(1)} s per GiB`,
  );
  console.log(
    `  restore: ${(restoreMs / 1000).toFixed(2)} s, ${((restoreMs / 1000) * (GIB / bytes)).toFixed(1)} s per GiB`,
  );
  console.log(
    `  the backing-up connection's other queries meanwhile: ${waits.length}, longest wait ${Math.max(0, ...waits).toFixed(0)} ms, median ${median(waits).toFixed(1)} ms`,
  );
  const perGib = (ms) => `${(ms / 1000).toFixed(2)} s, ${((ms / 1000) * (GIB / bytes)).toFixed(1)} s per GiB`;
  console.log("\nchecks of the same database");
  console.log(`  quick_check (every engine start): ${perGib(quickMs)}`);
  console.log(`  integrity_check (mcpscope db check): ${perGib(fullMs)}`);
}

function rows(withText) {
  const random = mulberry32(12);
  const tools = ["read_file", "search", "list_directory", "write_file", "fetch"];
  return Array.from({ length: CALLS }, (_, i) => {
    const tool = tools[Math.floor(random() * tools.length)];
    const request = JSON.stringify({
      jsonrpc: "2.0",
      id: i,
      method: "tools/call",
      params: {
        name: tool,
        arguments: { path: `/home/me/project/src/file-${Math.floor(random() * 5000)}.ts` },
      },
    });
    const response = JSON.stringify({
      jsonrpc: "2.0",
      id: i,
      result: {
        content: [{ type: "text", text: words(random, 200 + Math.floor(random() * (TEXT_MAX - 200))) }],
      },
    });
    return {
      session_id: `session-${Math.floor(i / 500)}`,
      server: `server-${i % 8}`,
      direction: "client_to_server",
      request_id: String(i),
      method: "tools/call",
      target: tool,
      started_at: Date.UTC(2026, 5, 1) - (CALLS - i) * 1000,
      duration_ms: random() * 200,
      outcome: random() < 0.05 ? "tool_error" : "ok",
      error_code: null,
      error_message: null,
      bytes_in: request.length,
      bytes_out: response.length,
      progress_count: 0,
      rounds: 0,
      request: withText ? request : null,
      response: withText ? response : null,
    };
  });
}

function words(random, length) {
  let text = "";
  while (text.length < length) {
    const r = random();
    text +=
      r < 0.1
        ? `${Math.floor(random() * 100000)} `
        : r < 0.15
          ? "\n"
          : `${VOCABULARY[Math.floor(random() * VOCABULARY.length)]} `;
  }
  return text.slice(0, length);
}

function avgText(list) {
  return list.reduce((n, r) => n + (r.request?.length ?? 0) + (r.response?.length ?? 0), 0) / list.length;
}

function rate(n, ms) {
  return Math.round(n / (ms / 1000)).toLocaleString();
}
