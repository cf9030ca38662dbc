/**
 * With wrappers recording and no engine running, nothing folds on a timer: a command that reads rollups
 * folds the backlog first once it is over the limit, so its answer never counts a long raw tail call by
 * call, and the answer is the one the raw calls gave. With an engine running, or a small backlog, the
 * command only reads.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markEngineRunning } from "../../electron/monitor/engine-presence.js";
import {
  foldBeforeRead,
  UNFOLDED_READ_LIMIT,
  unfoldedCalls,
} from "../../electron/monitor/metrics/fold-at-read.js";
import { HOUR } from "../../electron/monitor/metrics/rollups.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import type { StatsDocument } from "../../shared/domain.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";
import { mixedCalls, recordCalls } from "./workload.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
const CALLS = UNFOLDED_READ_LIMIT + 1_500;
const NOW = Date.now();

beforeAll(async () => {
  dir = await tempDir();
  recordCalls(dir.path, mixedCalls(CALLS, NOW - 20 * HOUR, NOW - 60_000, 7));
  db = openDb(databasePath(dir.path));
});
afterAll(async () => {
  db?.close();
  await dir?.cleanup();
});

/** Calls, errors and bytes per server and operation. */
function counts(doc: StatsDocument) {
  return Object.fromEntries(
    doc.servers.flatMap((s) =>
      s.operations.map((op) => [
        `${s.server}|${op.method}|${op.target ?? ""}`,
        [op.calls, op.errors, op.bytes_in],
      ]),
    ),
  );
}

describe("reading rollups with no engine running", () => {
  it("leaves the backlog alone while an engine runs, or while it is under the limit", () => {
    const unmark = markEngineRunning(dir.path, { startedAt: new Date().toISOString(), alerts: false });
    try {
      expect(foldBeforeRead(db, dir.path)).toBe(0);
    } finally {
      unmark();
    }
    expect(foldBeforeRead(db, dir.path, { limit: CALLS })).toBe(0);
    expect(unfoldedCalls(db)).toBe(CALLS);
  });

  it("answers from the raw calls when folding fails, saying why", () => {
    // As a full disk would end it: the fold's write fails.
    db.exec(`CREATE TEMP TRIGGER full BEFORE INSERT ON main.call_rollups
      BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    const said: string[] = [];
    try {
      expect(foldBeforeRead(db, dir.path, { failed: (message) => said.push(message) })).toBe(0);
    } finally {
      db.exec("DROP TRIGGER full");
    }
    expect(said).toEqual(["database or disk is full"]);
    expect(unfoldedCalls(db)).toBe(CALLS);
  });

  it("folds a backlog over the limit before `stats` reads, and answers what the raw calls said", async () => {
    const raw = counts(statsDocument(db, { since: NOW - 24 * HOUR, until: NOW }));
    expect(Object.values(raw).reduce((n, [calls]) => n + (calls ?? 0), 0)).toBe(CALLS);

    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      MCPSCOPE,
      "stats",
      "--json",
      "--since",
      "24h",
      "--data-dir",
      dir.path,
    ]);
    expect(unfoldedCalls(db)).toBe(0);
    expect(counts(JSON.parse(stdout) as StatsDocument)).toEqual(raw);
    // Under the notice threshold the fold is quick: nothing is said.
    expect(stderr).toBe("");
  });
});
