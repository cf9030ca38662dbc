#!/usr/bin/env node
/**
 * The batch writer alone: CALLS call rows and their audit records through `BatchWriter` (bundled from the
 * sources) over a real database, committed every PER_BATCH calls with a session-row update after the
 * rows as the wrapper's is, and the CPU time per call. What the writer's own code costs (its parts,
 * savepoints and audit seal), without the parsing and masking `observer.mjs` measures around it.
 *
 *   node bench/load/writer.mjs                     # CALLS=100000 PER_BATCH=100 ROUNDS=5
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleEngine, median } from "../lib.mjs";

const CALLS = Number(process.env.CALLS ?? 100_000);
const PER_BATCH = Number(process.env.PER_BATCH ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const work = await mkdtemp(join(tmpdir(), "mcpscope-writer-"));
const lib = await bundleEngine(
  work,
  `export { BatchWriter } from "./electron/monitor/store/batch-writer.ts";
   export { openDb } from "./electron/monitor/store/db.ts";`,
);
const subject = {
  kind: "call",
  actor: "bench",
  server: "load",
  session_id: "bench-session",
  action: "tools/call",
  target: "echo",
  client: null,
  client_name: "bench",
  client_version: "1",
};

async function round() {
  const dir = await mkdtemp(join(work, "data-"));
  const writer = new lib.BatchWriter({
    open: () => lib.openDb(join(dir, "mcpscope.db")),
    // Only the bench's own flushes commit.
    flushIntervalMs: 3_600_000,
    commitEveryRows: 10_000_000,
    maxBatch: 10_000_000,
    maxQueue: 10_000_000,
    afterBatch: (db) => db.prepare("UPDATE sessions SET dropped = 0 WHERE id = 'bench-session'").run(),
  });
  writer.flush();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    writer.enqueue("calls", {
      session_id: "bench-session",
      server: "load",
      direction: "c2s",
      request_id: String(i),
      method: "tools/call",
      target: "echo",
      started_at: i,
      duration_ms: 1,
      outcome: "ok",
      bytes_in: 110,
      bytes_out: 90,
      progress_count: 0,
      rounds: 0,
      request: `{"message":"hello ${i}"}`,
      response: `{"content":[{"type":"text","text":"hello ${i}"}]}`,
    });
    writer.enqueueAudit({
      subject,
      row: {
        time: i,
        args_digest: "ab".repeat(36),
        outcome: "ok",
        request_id: String(i),
        duration_us: 1000,
        error_code: null,
        details: null,
      },
    });
    if (i % PER_BATCH === PER_BATCH - 1) writer.flush();
  }
  writer.close();
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / CALLS, written: writer.written };
}

const results = [];
for (let r = 0; r < ROUNDS; r++) {
  const result = await round();
  results.push(result);
  console.log(`  round ${r + 1}: ${result.cpuUs.toFixed(2)} µs CPU per call and its audit record`);
}
console.log(
  `writer: ${median(results.map((r) => r.cpuUs)).toFixed(2)} µs CPU per call and its audit record (median of ${ROUNDS}, batches of ${PER_BATCH} calls)`,
);
await rm(work, { recursive: true, force: true });
if (results.some((r) => r.written !== 2 * CALLS)) process.exit(1);
