// bench/metrics-logs/fold: the live part's writer thread. Stores `rate` calls a second for `seconds`
// seconds as a wrapper's batch writer does (one IMMEDIATE transaction every 50 ms with the calls due by
// then, waiting up to 5 s for the lock), and reports how many it stored and its longest transaction,
// waiting for the lock included.
import { DatabaseSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import { parentPort, workerData } from "node:worker_threads";
import { mulberry32 } from "../lib.mjs";

const { dbPath, rate, seconds } = workerData;
const db = new DatabaseSync(dbPath, { timeout: 5000 });
const insert = db.prepare(
  `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms,
     outcome, bytes_in, bytes_out) VALUES (?, ?, 'c2s', ?, 'tools/call', ?, ?, ?, ?, ?, ?)`,
);
const rand = mulberry32(7);
const outcomes = ["ok", "ok", "ok", "ok", "ok", "ok", "tool_error", "server_error"];
const started = performance.now();
let stored = 0;
let longest = 0;
for (;;) {
  const elapsed = (performance.now() - started) / 1000;
  const due = Math.min(rate * seconds, Math.floor(rate * elapsed));
  if (due > stored) {
    const t0 = performance.now();
    db.exec("BEGIN IMMEDIATE");
    const now = Date.now();
    for (; stored < due; stored++) {
      const server = Math.floor(rand() * 20);
      insert.run(
        `live-${server}`,
        `srv-${server}`,
        String(stored),
        `tool-${Math.floor(rand() * 15)}`,
        now,
        Math.round(rand() * rand() * 2000 * 100) / 100,
        outcomes[Math.floor(rand() * outcomes.length)],
        100 + Math.floor(rand() * 400),
        200 + Math.floor(rand() * 4000),
      );
    }
    db.exec("COMMIT");
    longest = Math.max(longest, performance.now() - t0);
  }
  if (elapsed >= seconds) break;
  await sleep(50);
}
db.close();
parentPort.postMessage({ stored, longest });
