// bench/storage/upgrade-copy: what keeping the database as it was costs an upgrade
// (store/before-upgrade.ts). CALLS calls with payload text are stored, the database is set back one schema
// version, and it is opened (upgraded) twice from the same bytes: keeping the copy (what the app, `serve`
// and commands do) and not (what a restore's staged copy does). Printed: the file's size, each open's
// time, and the copy's share of it under the write lock (the `VACUUM INTO` of a reader of its own; the
// compression runs after the upgrade has committed, when only the process that upgrades waits).
//
//   node bench/storage/upgrade-copy.mjs
//   CALLS=1000000 node bench/storage/upgrade-copy.mjs
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { bundleEngine, mulberry32 } from "../lib.mjs";

const CALLS = Number(process.env.CALLS ?? 400_000);
const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-upgrade-"));
try {
  const lib = await bundleEngine(
    work,
    `export { openDb, openRawDb } from "./electron/monitor/store/db.ts";
     export { SCHEMA_VERSION } from "./electron/monitor/store/migrations.ts";`,
  );
  const source = join(work, "source", "mcpscope.db");
  const db = lib.openDb(source);
  const random = mulberry32(1);
  const insert = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome,
       bytes_in, bytes_out, request, response) VALUES ('s', ?, 'c2s', ?, 'tools/call', 'echo', ?, 1, 'ok', 100, 200, ?, ?)`,
  );
  db.exec("BEGIN");
  for (let i = 0; i < CALLS; i++) {
    const text = `{"content":[{"type":"text","text":"result ${Math.floor(random() * 1e9)} ${"x".repeat(Math.floor(random() * 200))}"}]}`;
    insert.run(`server-${i % 7}`, String(i), Date.now() - i, `{"name":"echo","arguments":{"i":${i}}}`, text);
  }
  db.exec("COMMIT");
  // One version back: the last step (the index of the calls still running, which reads every call) undone.
  db.exec(`DROP INDEX calls_running; PRAGMA user_version = ${lib.SCHEMA_VERSION - 1}`);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  const bytes = statSync(source).size;

  function upgrade(name, olderSchema) {
    const dir = join(work, name);
    mkdirSync(dir);
    copyFileSync(source, join(dir, "mcpscope.db"));
    let listened = 0;
    const began = performance.now();
    const opened = lib.openDb(join(dir, "mcpscope.db"), {
      olderSchema,
      upgrading: () => {
        listened = performance.now();
      },
    });
    const total = performance.now() - began;
    opened.close();
    return { total, listened: listened - began };
  }
  const without = upgrade("no-copy", "upgrade-no-copy");
  const copying = upgrade("copy", "upgrade");
  // The copy under the lock, measured alone on the same bytes.
  const reader = lib.openRawDb(join(work, "source", "mcpscope.db"), { readOnly: true });
  const at = performance.now();
  reader.exec(`VACUUM INTO '${join(work, "alone.db")}'`);
  const vacuum = performance.now() - at;
  reader.close();

  const mb = (n) => (n / 1e6).toFixed(0);
  console.log(
    `cores ${cpus().length}, load ${loadavg()[0].toFixed(1)}; ${CALLS} calls, database ${mb(bytes)} MB`,
  );
  console.log(`upgrade without the copy: ${without.total.toFixed(0)} ms`);
  console.log(`upgrade keeping the copy: ${copying.total.toFixed(0)} ms`);
  console.log(`  of which the copy under the write lock (VACUUM INTO): ${vacuum.toFixed(0)} ms`);
  console.log(
    `  and compressing it after the commit: ${(copying.total - without.total - vacuum).toFixed(0)} ms`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
