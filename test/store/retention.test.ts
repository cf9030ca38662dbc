/**
 * Retention of every table and the size cap, on real SQLite files filled with synthetic data: exactly
 * the expected rows remain, the audit chain still verifies (from the oldest kept record, vouched for by
 * a checkpoint), pruning for size goes oldest raw material first and never touches hour rollups or audit
 * records, and freed pages go back to the file system.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAdminAction, verifyChain } from "../../electron/monitor/audit/audit-log.js";
import { createEngine } from "../../electron/monitor/engine.js";
import { insertEvent, type TrackedEvent } from "../../electron/monitor/events/tracker.js";
import { HOUR, MINUTE, STATE, writeState } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb, openRawDb } from "../../electron/monitor/store/db.js";
import { applyStorageRetention } from "../../electron/monitor/store/retention.js";
import { enforceSizeCap, usedBytes } from "../../electron/monitor/store/size-cap.js";
import { StorageService } from "../../electron/monitor/store/storage-service.js";
import { DEFAULT_STORAGE_RETENTION } from "../../electron/monitor/store/storage-settings.js";
import { tempDir } from "../helpers/mcp.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

const count = (db: Db, sql: string) => Number(db.prepare(sql).get()?.n ?? 0);

/** `n` times spread evenly over the `days` before NOW (the oldest first). */
const spread = (n: number, days: number) =>
  Array.from({ length: n }, (_, i) => NOW - days * DAY + (i + 0.5) * ((days * DAY) / n));

function fill(db: Db): void {
  db.transaction(() => {
    const sample = db.prepare(
      "INSERT INTO resource_samples (time, server, pid, rss_bytes, process_count) VALUES (?, 's', 1, 100, 1)",
    );
    for (const t of spread(3000, 30)) sample.run(t); // 14 of 30 days kept: 1400
    const check = db.prepare(
      "INSERT INTO health_checks (time, server, status, state) VALUES (?, 's', 'ok', 'up')",
    );
    for (const t of spread(600, 30)) check.run(t); // 280 kept
    const snap = db.prepare(
      "INSERT INTO tool_snapshots (time, server, hash, tools_count, tools_json) VALUES (?, ?, 'h', 0, '[]')",
    );
    for (const t of spread(10, 400)) snap.run(t, "a"); // 5 within 180 days (the 5th exactly at the cutoff)
    snap.run(NOW - 300 * DAY, "b"); // old, but the newest of b: kept
    const session = db.prepare(
      "INSERT INTO sessions (id, server, started_at, ended_at) VALUES (?, 's', ?, ?)",
    );
    session.run("old-no-calls", NOW - 100 * DAY, NOW - 100 * DAY); // deleted
    session.run("old-with-call", NOW - 100 * DAY, NOW - 100 * DAY); // kept: a call remains
    session.run("running", NOW - 100 * DAY, null); // kept: not ended
    session.run("recent", NOW - DAY, NOW - DAY); // kept
    db.prepare(
      `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome,
       bytes_in, bytes_out, request, response) VALUES ('old-with-call', 's', 'c2s', '1', 'tools/call', ?, 1, 'ok', 1, 1, 'req', 'res')`,
    ).run(NOW - 10 * DAY); // payload text older than 7 days: emptied
    const run = db.prepare(
      "INSERT INTO process_runs (server_id, server, session_id, started_at, ended_at) VALUES ('x', 's', 'x', ?, ?)",
    );
    for (const t of spread(100, 180)) run.run(t, t + 1000); // 90 of 180 days kept: 50
    run.run(NOW - 170 * DAY, null); // still running: kept
    const history = db.prepare(
      `INSERT INTO alert_history (time, alert_id, rule, severity, labels, from_state, to_state, summary)
       VALUES (?, 'a', 'r', 'warning', '{}', 'pending', 'firing', 's')`,
    );
    for (const t of spread(360, 360)) history.run(t); // 180 kept
    const delivery = db.prepare(
      `INSERT INTO alert_deliveries (channel, kind, group_key, alert_ids, title, payload, status, created_at)
       VALUES ('c', 'firing', 'g', '[]', 't', '{}', ?, ?)`,
    );
    const attempt = db.prepare(
      "INSERT INTO alert_delivery_attempts (delivery_id, time, ok, duration_ms) VALUES (?, ?, 1, 1)",
    );
    for (const [status, age] of [
      ["delivered", 40],
      ["failed", 40],
      ["pending", 40],
      ["delivered", 5],
    ] as const) {
      const id = delivery.run(status, NOW - age * DAY).lastInsertRowid;
      attempt.run(id, NOW - age * DAY);
    }
  });
  for (const t of spread(300, 730))
    recordAdminAction(db, { action: "test", actor: "t", time: Math.round(t) }); // 150 kept
}

describe("retention of every table", () => {
  it("keeps exactly what each kind's retention says, in small batches, and the audit chain verifies", async () => {
    const db = openDb(join(dir.path, "retention.db"));
    fill(db);
    expect(verifyChain(db).ok).toBe(true);
    const counts = await applyStorageRetention(db, DEFAULT_STORAGE_RETENTION, {
      now: NOW,
      batchRows: 64,
      pauseMs: 0,
    });
    expect(counts).toEqual({
      payloads: 1,
      resourceSamples: 1600,
      healthChecks: 320,
      toolSnapshots: 5,
      sessions: 1,
      processRuns: 50,
      alertHistory: 180,
      alertDeliveries: 2,
      audit: 150,
    });
    expect(count(db, "SELECT count(*) AS n FROM resource_samples")).toBe(1400);
    expect(count(db, "SELECT count(*) AS n FROM health_checks")).toBe(280);
    expect(
      db.prepare("SELECT server, count(*) AS n FROM tool_snapshots GROUP BY server ORDER BY server").all(),
    ).toEqual([
      { server: "a", n: 5 },
      { server: "b", n: 1 },
    ]);
    expect(
      db
        .prepare("SELECT id FROM sessions ORDER BY id")
        .all()
        .map((r) => r.id),
    ).toEqual(["old-with-call", "recent", "running"]);
    expect(db.prepare("SELECT request, response FROM calls").get()).toEqual({
      request: null,
      response: null,
    });
    expect(count(db, "SELECT count(*) AS n FROM process_runs")).toBe(51);
    expect(count(db, "SELECT count(*) AS n FROM alert_history")).toBe(180);
    expect(
      db
        .prepare("SELECT status FROM alert_deliveries ORDER BY id")
        .all()
        .map((r) => r.status),
    ).toEqual(["pending", "delivered"]);
    expect(count(db, "SELECT count(*) AS n FROM alert_delivery_attempts")).toBe(2);

    const verified = verifyChain(db);
    expect(verified).toMatchObject({ ok: true, records: 151, from: { id: 151, prunedThrough: 150 } });
    // A second pass prunes nothing more and adds no second vouching record.
    expect(await applyStorageRetention(db, DEFAULT_STORAGE_RETENTION, { now: NOW, pauseMs: 0 })).toEqual({});
    expect(verifyChain(db)).toMatchObject({ ok: true, records: 151 });

    // A checkpoint edited afterwards (its digest forged) no longer matches what the audit_prune record
    // in the chain committed to: the chain is broken at the first record it vouched for.
    const digest = String(db.prepare("SELECT digest FROM audit_checkpoints").get()?.digest);
    db.prepare("UPDATE audit_checkpoints SET digest = ?").run("0".repeat(64));
    const forged = verifyChain(db);
    expect(forged).toMatchObject({ ok: false, broken: { id: 151, reason: "hash mismatch" } });
    expect(forged.broken?.message).toMatch(
      new RegExp(
        `^the checkpoint for records 1\\.\\.150 has digest 000000000000, but audit_prune record \\d+ committed to ${digest.slice(0, 12)}: the checkpoint was altered$`,
      ),
    );
    db.prepare("UPDATE audit_checkpoints SET digest = ?").run(digest);
    expect(verifyChain(db)).toMatchObject({ ok: true, records: 151 });

    // The checkpoint is what makes the gap acceptable: without it the chain is broken.
    db.exec("DELETE FROM audit_checkpoints");
    expect(verifyChain(db)).toMatchObject({ ok: false, broken: { id: 151, reason: "missing" } });
    db.close();
  });
});

function fillForSize(db: Db): void {
  db.transaction(() => {
    const call = db.prepare(
      `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome,
       bytes_in, bytes_out, request, response) VALUES ('s', 's', 'c2s', ?, 'tools/call', ?, 1, 'ok', 1, 1, ?, ?)`,
    );
    const text = "x".repeat(3000);
    for (const [i, t] of spread(3000, 3).entries()) call.run(String(i), t, text, text);
    const log = db.prepare(
      "INSERT INTO logs (time, level, server, source, message) VALUES (?, 'info', 's', 'stderr', ?)",
    );
    for (const t of spread(3000, 3)) log.run(t, `a log line ${"y".repeat(300)}`);
    db.prepare(
      "INSERT INTO rollup_series (id, server, method, target, outcome, last_seen) VALUES (1, 's', 'm', 't', 'ok', ?)",
    ).run(NOW);
    const rollup = db.prepare(
      "INSERT INTO call_rollups (resolution, bucket_start, series, count, bytes_in, bytes_out, sketch) VALUES (?, ?, 1, 1, 1, 1, x'00')",
    );
    for (let i = 0; i < 600; i++) rollup.run(MINUTE, NOW - 3 * DAY + i * MINUTE);
    for (let i = 0; i < 72; i++) rollup.run(HOUR, NOW - 3 * DAY + i * HOUR);
  });
  writeState(db, STATE.folded, count(db, "SELECT max(id) AS n FROM calls"));
  for (let i = 0; i < 20; i++) recordAdminAction(db, { action: "test", time: NOW });
}

describe("the size cap", () => {
  it("a small excess costs only the oldest payload text", async () => {
    const db = openDb(join(dir.path, "size-small.db"));
    fillForSize(db);
    const used = usedBytes(db);
    const result = await enforceSizeCap(db, used - 1024 * 1024, { batchRows: 100, pauseMs: 0 });
    expect(result?.pruned.payloads).toBeGreaterThan(0);
    expect(Object.keys(result?.pruned ?? {})).toEqual(["payloads"]);
    expect(count(db, "SELECT count(*) AS n FROM calls")).toBe(3000);
    // The oldest went: every call with text is newer than every call without.
    expect(
      count(
        db,
        "SELECT count(*) AS n FROM calls WHERE request IS NOT NULL AND started_at < (SELECT max(started_at) FROM calls WHERE request IS NULL)",
      ),
    ).toBe(0);
    expect(await enforceSizeCap(db, usedBytes(db) + 1, { pauseMs: 0 })).toBeNull();
    db.close();
  });

  it("an impossible cap prunes in order down to what is never pruned for size, and the file shrinks", async () => {
    const path = join(dir.path, "size-all.db");
    const db = openDb(path);
    fillForSize(db);
    expect(Number(db.prepare("PRAGMA auto_vacuum").get()?.auto_vacuum)).toBe(2);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const before = statSync(path).size;
    const result = await enforceSizeCap(db, 1, { batchRows: 500, pauseMs: 0 });
    expect(Object.keys(result?.pruned ?? {})).toEqual(["payloads", "calls", "logs", "minuteRollups"]);
    expect(count(db, "SELECT count(*) AS n FROM calls")).toBe(1); // the newest stays (ids never restart)
    expect(count(db, "SELECT count(*) AS n FROM logs")).toBe(1);
    expect(count(db, `SELECT count(*) AS n FROM call_rollups WHERE resolution = ${MINUTE}`)).toBe(0);
    expect(count(db, `SELECT count(*) AS n FROM call_rollups WHERE resolution = ${HOUR}`)).toBe(72);
    expect(count(db, "SELECT count(*) AS n FROM audit_records")).toBe(20);
    expect(verifyChain(db).ok).toBe(true);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    expect(statSync(path).size).toBeLessThan(before / 4);
    db.close();
  });

  it("events go by category: security and audit ones last, and a suspected poisoning is never re-raised", async () => {
    const db = openDb(join(dir.path, "size-events.db"));
    const details = { key: "read\u0000rule\u0000hash", text: "z".repeat(400) };
    db.transaction(() => {
      // The security and audit events are the oldest: oldest-first alone would take them first.
      insertEvent(db, {
        time: NOW - 4 * DAY,
        category: "security",
        type: "tool.poisoning_suspected",
        severity: "high",
        server: "s",
        message: "suspected",
        details,
      });
      for (const t of spread(20, 4).map((t) => t - DAY))
        for (const category of ["security", "audit"] as const)
          insertEvent(db, {
            time: t,
            category,
            type: `${category}.x`,
            severity: "info",
            message: "m",
            details,
          });
      for (const t of spread(3000, 3))
        insertEvent(db, {
          time: t,
          category: "error",
          type: "call.failed",
          severity: "medium",
          message: "e",
          details,
        });
    });
    const some = await enforceSizeCap(db, usedBytes(db) - 256 * 1024, { batchRows: 100, pauseMs: 0 });
    expect(some?.pruned.events).toBeGreaterThan(0);
    expect(count(db, "SELECT count(*) AS n FROM events WHERE category IN ('security', 'audit')")).toBe(41);
    // Past every other event, security and audit ones go too, but the poisoning finding stays.
    await enforceSizeCap(db, 1, { batchRows: 500, pauseMs: 0 });
    expect(count(db, "SELECT count(*) AS n FROM events WHERE category = 'error'")).toBe(0);
    expect(db.prepare("SELECT type FROM events").all()).toEqual([{ type: "tool.poisoning_suspected" }]);
    db.close();
  });

  it("the engine's pass reports pruning for size as an event", async () => {
    const dataDir = join(dir.path, "service");
    const db = openDb(join(dataDir, "mcpscope.db"));
    fillForSize(db);
    writeFileSync(join(dataDir, "settings.json"), JSON.stringify({ storage: { maxSize: "1mb" } }));
    const events: TrackedEvent[] = [];
    const service = new StorageService(dataDir, db, { track: (e) => events.push(e) });
    await service.pass(NOW);
    await service.close();
    expect(events.map((e) => e.type)).toEqual(["storage.size_pruned"]);
    expect(events[0]?.message).toMatch(
      /over its size cap .* of 1\.0 MiB\); pruned the oldest \d+ payload texts, \d+ calls/,
    );
    expect(usedBytes(db)).toBeLessThan(4 * 1024 * 1024);
    db.close();
  });
});

describe("space returned", () => {
  it("a database made before incremental auto-vacuum is converted when the engine starts", async () => {
    const dataDir = join(dir.path, "old-vacuum");
    mkdirSync(dataDir);
    const before = openRawDb(databasePath(dataDir));
    before.exec("CREATE TABLE leftover (x)"); // a table before openDb: it no longer picks auto-vacuum
    before.close();
    openDb(databasePath(dataDir)).close();
    const mode = () => {
      const db = openRawDb(databasePath(dataDir), { readOnly: true });
      try {
        return Number(db.prepare("PRAGMA auto_vacuum").get()?.auto_vacuum);
      } finally {
        db.close();
      }
    };
    expect(mode()).toBe(0);
    const engine = await createEngine({ dataDir, inventory: false, alerts: false });
    await engine.close();
    expect(mode()).toBe(2);
  });
});

describe("scheduled backups", () => {
  it("a pass backs up when the newest backup is older than the schedule, keeping the newest `keep`", async () => {
    const dataDir = join(dir.path, "scheduled");
    const db = openDb(databasePath(dataDir));
    writeFileSync(
      join(dataDir, "settings.json"),
      JSON.stringify({ storage: { backup: { every: "1m", keep: 2 } } }),
    );
    const service = new StorageService(dataDir, db);
    const start = Date.now();
    await service.pass(start); // none yet: one now
    await service.pass(start + 1000); // the newest is a second old: none
    expect(readdirSync(join(dataDir, "backups"))).toHaveLength(1);
    for (let i = 1; i <= 3; i++) await service.pass(start + i * 120_000);
    const files = readdirSync(join(dataDir, "backups")).sort();
    expect(files).toHaveLength(2);
    expect(files[1]).toContain(new Date(start + 3 * 120_000).toISOString().replace(/[:.]/g, "-"));
    expect(await service.schedule("soon", 2)).toMatchObject({ ok: false });
    expect(await service.schedule(null, 5)).toMatchObject({ ok: true });
    expect(JSON.parse(readFileSync(join(dataDir, "settings.json"), "utf8"))).toEqual({
      storage: { backup: { every: null, keep: 5 } },
    });
    await service.close();
    db.close();
  });
});
