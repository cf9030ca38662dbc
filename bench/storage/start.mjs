// bench/storage/start.mjs: how long the engine's start holds on opening a large database, after an
// unclean close (quick_check of every page at open, as every start did before) and after a clean one
// (header and schema only; the check runs later in the background), alternating, on the same file.
//
//   node bench/storage/start.mjs                     # 300k calls with ~1 KB of text (~400 MiB), 5 rounds
//   CALLS=1000000 ROUNDS=3 node bench/storage/start.mjs
import { mkdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { bundleEngine, median, mulberry32 } from "../lib.mjs";

const CALLS = Number(process.env.CALLS ?? 300_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const GIB = 1024 ** 3;
const WORDS =
  "const let return function import export from if else for while await async this new class type".split(" ");

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-start-"));
try {
  await main();
} finally {
  await rm(work, { recursive: true, force: true });
}

async function main() {
  const lib = await bundleEngine(
    work,
    `export { openDb } from "./electron/monitor/store/db.ts";
     export { startStorage } from "./electron/monitor/store/storage-service.ts";
     export { markCleanClose } from "./electron/monitor/store/integrity.ts";
     export { checkDatabase } from "./electron/monitor/store/recovery.ts";`,
  );
  console.log(
    `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / GIB)} GiB, Node ${process.version}; load ${loadavg()[0].toFixed(1)} at start`,
  );
  const dataDir = join(work, "data");
  mkdirSync(dataDir);
  const db = lib.openDb(join(dataDir, "mcpscope.db"));
  const insert = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms,
       outcome, bytes_in, bytes_out, progress_count, rounds, request, response)
     VALUES (?, ?, 'client_to_server', ?, 'tools/call', ?, ?, ?, 'ok', ?, ?, 0, 0, ?, ?)`,
  );
  const random = mulberry32(7);
  for (let done = 0; done < CALLS; done += 50_000) {
    db.transaction(() => {
      for (let i = done; i < Math.min(CALLS, done + 50_000); i++) {
        const request = JSON.stringify({
          jsonrpc: "2.0",
          id: i,
          method: "tools/call",
          params: { name: "read" },
        });
        const text = Array.from(
          { length: 60 + Math.floor(random() * 200) },
          () => WORDS[i % WORDS.length],
        ).join(" ");
        const response = JSON.stringify({
          jsonrpc: "2.0",
          id: i,
          result: { content: [{ type: "text", text }] },
        });
        insert.run(
          `s-${i >> 9}`,
          `server-${i % 8}`,
          String(i),
          "read",
          Date.UTC(2026, 5, 1) - (CALLS - i) * 1000,
          random() * 200,
          request.length,
          response.length,
          request,
          response,
        );
      }
    });
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  const bytes = statSync(join(dataDir, "mcpscope.db")).size;
  console.log(
    `database: ${CALLS.toLocaleString()} calls, ${(bytes / 2 ** 20).toFixed(0)} MiB (in the page cache: just written)\n`,
  );

  const open = (clean) => {
    if (clean) lib.markCleanClose(dataDir);
    const t0 = performance.now();
    const start = lib.startStorage(dataDir);
    const ms = performance.now() - t0;
    start.db.close();
    if (start.checkedAtOpen === clean)
      throw new Error(`expected the check at open ${clean ? "skipped" : "run"}`);
    return ms;
  };
  const unclean = [];
  const clean = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating which goes first, so neither always meets a warmer cache.
    if (round % 2 === 0) {
      unclean.push(open(false));
      clean.push(open(true));
    } else {
      clean.push(open(true));
      unclean.push(open(false));
    }
  }
  const u = median(unclean);
  const c = median(clean);
  console.log(`engine start, opening the database (median of ${ROUNDS} rounds):`);
  console.log(
    `  after an unclean close (quick_check at open; every start before): ${u.toFixed(1)} ms (${((u / 1000) * (GIB / bytes)).toFixed(2)} s per GiB)`,
  );
  console.log(`  after a clean close (header and schema; check in the background):  ${c.toFixed(1)} ms`);
  console.log(`  ratio clean / unclean: ${(c / u).toFixed(4)}`);
  console.log(`load ${loadavg()[0].toFixed(1)} at the end`);
}
