/**
 * The tracker, the session watcher's user events, counts per bucket and retention per category, over a
 * real database file (no wrapper).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { iterateAudit } from "../../electron/monitor/audit/audit-log.js";
import { createEngine } from "../../electron/monitor/engine.js";
import { applyEventRetention, eventCounts, listEvents } from "../../electron/monitor/events/queries.js";
import { sessionEventsWatcher } from "../../electron/monitor/events/session-events.js";
import { errorFingerprint, normaliseMessage } from "../../electron/monitor/events/tracker.js";
import { MonitoringSystem } from "../../electron/monitor/monitoring-system.js";
import { databasePath } from "../../electron/monitor/paths.js";
import type { CallObservation } from "../../electron/monitor/protocol/observations.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { migrate } from "../../electron/monitor/store/migrations.js";
import type { EventRecord } from "../../shared/events.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

const SECRET = `ghp_${"a1B2".repeat(9)}`;
const DAY = 86_400_000;

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
beforeEach(async () => {
  dir = await tempDir();
  db = openDb(databasePath(dir.path));
  migrate(db);
});
afterEach(async () => {
  db.close();
  await dir.cleanup();
});

function call(overrides: Partial<CallObservation>): CallObservation {
  return {
    direction: "c2s",
    requestId: "1",
    method: "tools/call",
    target: "echo",
    startedAt: Date.now(),
    durationMs: 5,
    outcome: "ok",
    errorCode: null,
    errorMessage: null,
    bytesIn: 10,
    bytesOut: 10,
    request: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { _meta: { progressToken: "p-1" } } },
    response: null,
    progressCount: 0,
    rounds: 0,
    ...overrides,
  };
}

describe("fingerprints", () => {
  it("normalises digits, hex and uuids so the same error groups", () => {
    expect(
      normaliseMessage("item 42 at 0xdeadbeef not found (id 3f2a9c1e-1b2c-4d5e-8f90-a1b2c3d4e5f6)"),
    ).toBe("item <*> at <*> not found (id <*>)");
    const a = errorFingerprint({
      type: "server_error",
      server: "s",
      method: "m",
      errorCode: -1,
      message: "row 1",
    });
    const b = errorFingerprint({
      type: "server_error",
      server: "s",
      method: "m",
      errorCode: -1,
      message: "row 99",
    });
    const c = errorFingerprint({
      type: "server_error",
      server: "t",
      method: "m",
      errorCode: -1,
      message: "row 1",
    });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe("the session watcher", () => {
  it("emits server requests, input_required rounds, cancellations and errors with correlation, masked", () => {
    const writer = new BatchWriter({ open: () => openDb(databasePath(dir.path)) });
    const watcher = sessionEventsWatcher({
      identity: {
        sessionId: "s1",
        server: "srv",
        command: "x",
        startedAt: Date.now(),
        pid: 1,
        wrapperPid: 2,
      },
      writer,
      dataDir: dir.path,
      client: null,
    });
    const facts = { clientName: "c", clientVersion: "1", protocolVersion: "2026-07-28" };
    watcher.call?.(call({ direction: "s2c", method: "sampling/createMessage", target: null }), facts);
    watcher.call?.(call({ rounds: 2 }), facts);
    watcher.call?.(call({ outcome: "cancelled" }), facts);
    watcher.call?.(
      call({ outcome: "server_error", errorCode: -32000, errorMessage: `bad token ${SECRET}` }),
      facts,
    );
    watcher.call?.(call({ outcome: "timeout" }), facts);
    watcher.call?.(call({ outcome: "disconnected" }), facts);
    watcher.ended?.({ endedAt: Date.now(), exitCode: null, signal: "SIGTERM" }, facts);
    expect(writer.flush()).toBe(true);
    writer.close();
    const list = listEvents(db, { session: "s1" });
    const types = list.map((e) => e.type).sort();
    expect(types).toEqual(
      [
        "disconnected",
        "input_required",
        "request.cancelled",
        "server_error",
        "server_request",
        "session.end",
        "session.start",
        "timeout",
        "wrapper.start",
        "wrapper.stop",
      ].sort(),
    );
    const byType = (t: string) => list.find((e) => e.type === t) as EventRecord;
    expect(byType("server_request")).toMatchObject({ category: "user" });
    expect(byType("input_required").details).toMatchObject({ rounds: 2 });
    expect(byType("request.cancelled").correlation).toMatchObject({ requestId: "1", progressToken: "p-1" });
    expect(byType("session.start").details).toMatchObject({ clientName: "c", protocolVersion: "2026-07-28" });
    expect(byType("wrapper.stop")).toMatchObject({ severity: "low" });
    expect(byType("wrapper.stop").details).toMatchObject({ signal: "SIGTERM" });
    const error = byType("server_error");
    expect(error.severity).toBe("medium");
    expect(JSON.stringify(error)).not.toContain(SECRET);
    const raw = db.prepare("SELECT group_concat(message || coalesce(details, '')) AS t FROM events").get();
    expect(String(raw?.t)).not.toContain(SECRET);
    expect(db.prepare("SELECT count(*) AS n FROM events WHERE fingerprint IS NOT NULL").get()?.n).toBe(3);
  });

  it("says how long a session lasted as other durations are said: under a second in ms", () => {
    const writer = new BatchWriter({ open: () => openDb(databasePath(dir.path)) });
    const startedAt = Date.now();
    const facts = { clientName: "c", clientVersion: "1", protocolVersion: "2026-07-28" };
    const session = (sessionId: string, via: "run" | "proxy") => {
      const watcher = sessionEventsWatcher({
        identity: { sessionId, server: "srv", command: "x", startedAt, pid: 1, wrapperPid: 2 },
        writer,
        dataDir: dir.path,
        client: null,
        via,
      });
      watcher.call?.(call({}), facts);
      return watcher;
    };
    session("short", "run").ended?.(
      { endedAt: startedAt + 327, exitCode: 1, signal: null, exitedOnItsOwn: true },
      facts,
    );
    session("proxied", "proxy").ended?.(
      { endedAt: startedAt + 42_000, exitCode: null, signal: null, reason: "client_closed" },
      facts,
    );
    expect(writer.flush()).toBe(true);
    writer.close();
    const message = (session: string, type: string) =>
      listEvents(db, { session }).find((e) => e.type === type)?.message;
    expect(message("short", "session.end")).toBe("session ended after 327 ms");
    expect(message("short", "process.crash")).toBe(
      "srv exited with code 1 after 327 ms while its client was connected",
    );
    expect(message("proxied", "session.end")).toBe("session ended after 42 s");
    expect(message("proxied", "proxy.session_close")).toBe(
      "mcpscope proxy closed a session to srv after 42 s (the client deleted it)",
    );
  });
});

describe("the client's answers to the server's requests", () => {
  it("are the client's doing: a user event with the answer, no error event blaming the server", () => {
    const writer = new BatchWriter({ open: () => openDb(databasePath(dir.path)) });
    const watcher = sessionEventsWatcher({
      identity: {
        sessionId: "s2",
        server: "srv",
        command: "x",
        startedAt: Date.now(),
        pid: 1,
        wrapperPid: 2,
      },
      writer,
      dataDir: dir.path,
      client: null,
    });
    const facts = { clientName: "c", clientVersion: "1", protocolVersion: "2025-11-25" };
    const s2c = { direction: "s2c" as const, target: null };
    watcher.call?.(
      call({
        ...s2c,
        method: "sampling/createMessage",
        outcome: "client_error",
        errorCode: -1,
        errorMessage: "User rejected sampling request",
      }),
      facts,
    );
    watcher.call?.(call({ ...s2c, method: "roots/list", outcome: "disconnected" }), facts);
    watcher.call?.(call({ ...s2c, method: "elicitation/create", outcome: "timeout" }), facts);
    expect(writer.flush()).toBe(true);
    writer.close();
    const list = listEvents(db, { session: "s2" });
    expect(list.filter((e) => e.category === "error")).toEqual([]);
    const asked = list.filter((e) => e.type === "server_request").map((e) => e.message);
    expect(asked.sort()).toEqual([
      "server asked the client: elicitation/create (timeout)",
      "server asked the client: roots/list (disconnected)",
      "server asked the client: sampling/createMessage (client_error: User rejected sampling request)",
    ]);
  });
});

describe("MonitoringSystem.trackEvent, counts and retention", () => {
  it("tracks through the one tracker, counts per category and type per bucket, deletes per category", () => {
    db.close();
    const system = MonitoringSystem.open(dir.path);
    const now = Date.now();
    const old = (days: number) => now - days * DAY;
    for (const [category, days] of [
      ["audit", 100],
      ["audit", 400],
      ["security", 60],
      ["security", 100],
      ["error", 20],
      ["error", 40],
      ["system", 31],
      ["user", 29],
    ] as const) {
      system.trackEvent({
        category,
        type: `${category}.test`,
        severity: "info",
        message: `m ${days}`,
        time: old(days),
      });
    }
    system.trackEvent({
      category: "system",
      type: "settings.changed",
      severity: "low",
      message: `key ${SECRET}`,
      time: now - 1000,
      correlation: { parentEvent: 1, traceId: "t" },
    });
    system.flush();
    system.close();
    db = openDb(databasePath(dir.path));
    const recent = listEvents(db, { since: "1h" });
    expect(recent).toHaveLength(1);
    expect(recent[0]?.correlation).toMatchObject({ parentEvent: 1, traceId: "t" });
    expect(recent[0]?.message).not.toContain(SECRET);

    const counts = eventCounts(db, { since: old(500), until: now + 1 }, DAY);
    const total = (category: string) =>
      counts.filter((c) => c.category === category).reduce((sum, c) => sum + c.count, 0);
    expect(total("audit")).toBe(2);
    expect(total("system")).toBe(2);
    expect(counts.every((c) => c.bucket % DAY === 0)).toBe(true);

    const deleted = applyEventRetention(db, { now, batchSize: 1 });
    expect(deleted).toEqual({ audit: 1, security: 1, error: 1, system: 1, user: 0 });
    const left = db.prepare("SELECT category, message FROM events ORDER BY id").all();
    expect(left.map((r) => `${r.category} ${r.message}`)).toEqual([
      "audit m 100",
      "security m 60",
      "error m 20",
      "user m 29",
      expect.stringMatching(/^system key /),
    ]);
    // Per-category settings override the defaults.
    expect(applyEventRetention(db, { now, days: { audit: 50 } }).audit).toBe(1);
    // Each pass that removed events says so in the audit chain, per category.
    const passes = [...iterateAudit(db)].filter((r) => r.action === "retention_delete");
    expect(passes.map((r) => [r.actor, r.target, JSON.parse(String(r.details)).deleted])).toEqual([
      ["retention", "events", { audit: 1, security: 1, error: 1, system: 1 }],
      ["retention", "events", { audit: 1 }],
    ]);
  });
});

describe("events by type", () => {
  it("reads a trailing * as a prefix, after a dot or within a word", () => {
    db.close();
    const system = MonitoringSystem.open(dir.path);
    for (const type of ["wrapper.start", "wrapper.stop", "wrapper_x", "session.start"])
      system.trackEvent({ category: "system", type, severity: "info", message: type });
    system.flush();
    system.close();
    db = openDb(databasePath(dir.path));
    const types = (type: string) =>
      listEvents(db, { since: "1h", type })
        .map((e) => e.type)
        .sort();
    expect(types("wrapper.*")).toEqual(["wrapper.start", "wrapper.stop"]);
    expect(types("wrapper.st*")).toEqual(["wrapper.start", "wrapper.stop"]);
    expect(types("wrapper.sto*")).toEqual(["wrapper.stop"]);
    expect(types("wrapper.stop")).toEqual(["wrapper.stop"]);
  });
});

describe("events in time order", () => {
  it("lists by time, not by id, and pages back without skipping an event stored late", () => {
    db.close();
    const system = MonitoringSystem.open(dir.path);
    const now = Date.now();
    // Stored in this order (ids 1..5), but a template mined late (id 4) has the time of its first line.
    for (const [type, agoMs] of [
      ["a", 50_000],
      ["b", 40_000],
      ["c", 10_000],
      ["mined-late", 45_000],
      ["d", 5_000],
    ] as const) {
      system.trackEvent({ category: "system", type, severity: "info", message: type, time: now - agoMs });
    }
    system.flush();
    system.close();
    db = openDb(databasePath(dir.path));
    const expected = ["d", "c", "b", "mined-late", "a"];
    expect(listEvents(db, { since: "1h" }).map((e) => e.type)).toEqual(expected);
    const paged: string[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = listEvents(db, { since: "1h", limit: 2, ...(beforeId ? { beforeId } : {}) });
      paged.push(...page.map((e) => e.type));
      if (page.length < 2) break;
      beforeId = page.at(-1)?.id;
    }
    expect(paged).toEqual(expected);
    // A cursor deleted since (retention, the size cap) pages on from the time the front holds for it.
    const cursor = listEvents(db, { since: "1h", limit: 2 }).at(-1);
    if (!cursor) throw new Error("no events");
    db.prepare("DELETE FROM events WHERE id = ?").run(cursor.id);
    const after = listEvents(db, { since: "1h", beforeId: cursor.id, beforeTime: cursor.time });
    expect(after.map((e) => e.type)).toEqual(expected.slice(2));
    expect(() => listEvents(db, { since: "1h", beforeId: cursor.id })).toThrow(
      `event ${cursor.id} is no longer stored`,
    );
  });

  it("pages back through a burst inside one millisecond as the Events view does, losing none", () => {
    db.close();
    const system = MonitoringSystem.open(dir.path);
    // Wrapper observations carry fractions of a millisecond; the fronts hold times as ISO (whole ms).
    const ms = Math.floor(Date.now()) - 10_000;
    for (const [type, time] of [
      ["older", ms - 1],
      ["end", ms + 0.15],
      ["stop", ms + 0.15],
      ["late", ms + 0.6],
      ["newer", ms + 1],
    ] as const) {
      system.trackEvent({ category: "system", type, severity: "info", message: type, time });
    }
    system.flush();
    system.close();
    db = openDb(databasePath(dir.path));
    const all = listEvents(db, { since: "1h", limit: 1000 }).map((e) => e.type);
    expect(all).toEqual(["newer", "late", "stop", "end", "older"]);
    for (const size of [1, 2, 3]) {
      const paged: string[] = [];
      let cursor: EventRecord | undefined;
      for (;;) {
        const before = cursor ? { beforeId: cursor.id, beforeTime: cursor.time } : {};
        const page = listEvents(db, { since: "1h", limit: size, ...before });
        paged.push(...page.map((e) => e.type));
        if (page.length < size) break;
        cursor = page.at(-1);
      }
      expect(paged, `pages of ${size}`).toEqual(all);
    }
    // A cursor deleted since, in the middle of its millisecond: the rest of that millisecond still follows,
    // with the row of it already listed (`late`) again, as which came first is no longer known.
    const stop = listEvents(db, { since: "1h", limit: 3 }).at(-1);
    if (stop?.type !== "stop") throw new Error("no stop event");
    db.prepare("DELETE FROM events WHERE id = ?").run(stop.id);
    const rest = listEvents(db, { since: "1h", beforeId: stop.id, beforeTime: stop.time });
    expect(rest.map((e) => e.type)).toEqual(["late", "end", "older"]);
  });
});

describe("the engine", () => {
  it("answers events.list, events.groups, sessions.timeline and pushes events.new", async () => {
    const engine = await createEngine({ dataDir: dir.path, pollIntervalMs: 50, inventory: false });
    try {
      const pushed: EventRecord[] = [];
      const off = engine.subscribe("events.new", (p) => pushed.push(...(p as EventRecord[])));
      const system = MonitoringSystem.open(dir.path);
      system.trackEvent({ category: "error", type: "x", severity: "high", message: "boom", server: "a" });
      system.trackEvent({ category: "user", type: "y", severity: "info", message: "hi", server: "a" });
      system.flush();
      system.close();
      await waitFor(() => pushed.length === 2);
      off();
      const high = (await engine.invoke("events.list", { severity: "medium" })) as EventRecord[];
      expect(high.map((e) => e.type)).toEqual(["x"]);
      expect(await engine.invoke("events.groups", {})).toEqual([]);
      expect(await engine.invoke("sessions.timeline", { id: "none" })).toBeNull();
    } finally {
      await engine.close();
    }
  });
});

describe("retention settings", () => {
  it("reads per-category durations from settings.json and refuses bad ones", async () => {
    const { parseEventRetention, readEventRetention } = await import(
      "../../electron/monitor/events/event-settings.js"
    );
    expect(parseEventRetention({ retention: { audit: "730d", error: "12h" } })).toEqual({
      days: { audit: 730, error: 0.5 },
      problem: null,
      chosen: true,
    });
    expect(parseEventRetention({ retention: { nope: "1d" } }).problem).toMatch(/unknown category/);
    expect(parseEventRetention({ retention: { audit: "forever" } }).problem).toMatch(/duration/);
    expect(readEventRetention(dir.path)).toEqual({ days: {}, problem: null, chosen: true });
  });
});
