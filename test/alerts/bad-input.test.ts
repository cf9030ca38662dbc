/**
 * No bad input stops alerting: an over-long duration is refused where it enters (CLI, API schema, rule
 * file) and stores nothing; a silence or alert row written with an impossible time is skipped with one
 * error event, everything else still evaluates and fires, and the broken silence can still be removed.
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import type { SignalSource } from "../../electron/monitor/alerts/signals.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { API_METHODS } from "../../shared/api.js";
import { MAX_DURATION_MS } from "../../shared/units.js";
import { cliInProcess, cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import {
  CapturingChannel,
  evaluate,
  harness,
  openStore,
  VirtualClock,
  writeAlerts,
} from "./alert-fixtures.js";

const MINUTE = 60_000;
const RULES = `
evaluation_interval: 1m
rules:
  - { name: errors, kind: metric, signal: error_rate, by: [server], threshold: 20%, severity: warning }
channels:
  - { name: hook, type: webhook, url: "http://127.0.0.1:9/hook" }
routes:
  - { channels: [hook], group_wait: 0s }
`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
beforeEach(async () => {
  dir = await tempDir();
  db = openStore(dir.path);
  writeAlerts(dir.path, RULES);
});
afterEach(async () => {
  db.close();
  await dir.cleanup();
});

/** The CLI in process: what it refuses and stores is the point, not its process. */
async function exitOf(args: string[]): Promise<{ code: number; stderr: string }> {
  const { status, stderr } = await cliInProcess(args);
  return { code: status, stderr: status === 0 ? "" : stderr };
}

/** A silence row as something other than mcpscope might have left it: its end beyond any date. */
function insertBrokenSilence(matchers: unknown[], endsAt: number): string {
  const id = randomUUID();
  db.prepare(
    "INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).run(id, JSON.stringify(matchers), Date.now(), endsAt, "someone", "", Date.now());
  return id;
}

describe("durations are refused where they enter", () => {
  it("alerts silence --for 100000000d exits 2 in one line and stores nothing", async () => {
    const d = ["--data-dir", dir.path];
    const result = await exitOf(["alerts", "silence", "a=b", "--for", "100000000d", ...d]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      'mcpscope alerts: --for: "100000000d" is too long; the most is 3650d (ten years)',
    ]);
    const { silences } = await cliJsonInProcess<{ silences: unknown[] }>([
      "alerts",
      "silences",
      "--all",
      "--json",
      ...d,
    ]);
    expect(silences).toEqual([]);
    // Every alerts command still works.
    expect((await cliOkInProcess(["alerts", ...d])).stdout).toMatch(/no alerts firing or pending/);
  });

  it("the API's silence and pause refuse an over-long duration with a zod error naming the maximum", () => {
    const silence = API_METHODS["alerts.silence"].input.safeParse({
      matchers: [{ name: "a", op: "=", value: "b" }],
      duration: "100000000d",
    });
    expect(silence.success).toBe(false);
    expect(silence.error?.issues[0]?.message).toMatch(/too long; the most is 3650d/);
    expect(API_METHODS["alerts.pause"].input.safeParse({ duration: "522w" }).success).toBe(false);
    expect(API_METHODS["alerts.pause"].input.safeParse({ duration: "520w" }).success).toBe(true);
  });

  it("a rule file with an over-long duration is named as the problem and the last good rules stay", () => {
    const clock = new VirtualClock();
    const h = harness(dir.path, db, clock, new SeriesSignalSource([], MINUTE, clock.t));
    writeAlerts(dir.path, `${RULES.replace("severity: warning }", "severity: warning, for: 99999999d }")}`);
    const doc = h.manager.rules();
    expect(doc.problem).toMatch(/for.*"99999999d" is too long/);
    expect(doc.rules.map((r) => r.name)).toContain("errors");
    h.manager.close();
  });
});

describe("evaluation isolates what it cannot evaluate", () => {
  it("a silence with an impossible end does not stop other alerts, is reported once, and can be removed", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const broken = insertBrokenSilence([{ name: "server", op: "=", value: "a" }], 1e20);
    const h = harness(
      dir.path,
      db,
      clock,
      new SeriesSignalSource(
        [{ signal: "error_rate", labels: { server: "a" }, values: Array(30).fill(0.5) }],
        MINUTE,
        clock.t,
      ),
      { hook },
    );
    await evaluate(h, clock);
    clock.advance(MINUTE);
    await evaluate(h, clock);
    // The alert it would have matched fires and notifies: a broken silence silences nothing.
    expect(
      h.manager
        .list({ status: "firing" })
        .filter((a) => a.rule === "errors")
        .map((a) => [a.labels.server, a.silencedBy]),
    ).toEqual([["a", []]]);
    expect(
      hook.got.flatMap((n) =>
        n.alerts.filter((a) => a.rule === "errors").map((a) => [n.status, a.labels.server]),
      ),
    ).toEqual([["firing", "a"]]);
    const skipped = h.events.filter((e) => e.type === "alert.skipped");
    expect(skipped.map((e) => e.message)).toEqual([
      `alerts: silence ${broken} skipped: its start or end is not a valid time; remove it with mcpscope alerts unsilence ${broken}`,
    ]);
    // Listed with its problem, so that the UI and the CLI can show and remove it.
    const listed = h.manager.silences().find((s) => s.id === broken);
    expect([listed?.active, listed?.problem]).toEqual([false, "its start or end is not a valid time"]);
    expect(h.manager.unsilence(broken).ok).toBe(true);
    expect(h.manager.silences().map((s) => s.id)).not.toContain(broken);
    expect(h.manager.silences(true).find((s) => s.id === broken)?.problem).toBeNull();
    h.manager.close();
  });

  it("the CLI lists and removes a silence whose stored end is beyond any date", async () => {
    const d = ["--data-dir", dir.path];
    const broken = insertBrokenSilence(
      [{ name: "a", op: "=", value: "b" }],
      Date.now() + MAX_DURATION_MS * 1e6,
    );
    const { silences } = await cliJsonInProcess<{ silences: { id: string; problem: string | null }[] }>([
      "alerts",
      "silences",
      "--json",
      ...d,
    ]);
    expect(silences).toEqual([
      expect.objectContaining({ id: broken, problem: "its start or end is not a valid time" }),
    ]);
    expect((await cliOkInProcess(["alerts", ...d])).stdout).toMatch(/no alerts firing or pending/);
    expect((await cliOkInProcess(["alerts", "unsilence", broken, ...d])).stdout).toMatch(/expired/);
    expect((await cliOkInProcess(["alerts", "silences", ...d])).stdout).toMatch(/no active silences/);
  });

  it("a stored alert with an unreadable time is skipped with one event; the others load and fire", async () => {
    db.prepare(
      `INSERT INTO alert_instances (id, rule, labels, severity, state, active_at, fired_at, resolved_at,
         last_active_at, keep_firing_since, value, summary, acknowledged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      "bad-row",
      "errors",
      '{"server":"z"}',
      "warning",
      "firing",
      1e300,
      1e300,
      null,
      1e300,
      null,
      1,
      "x",
      0,
    );
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const h = harness(
      dir.path,
      db,
      clock,
      new SeriesSignalSource(
        [{ signal: "error_rate", labels: { server: "a" }, values: Array(30).fill(0.5) }],
        MINUTE,
        clock.t,
      ),
      { hook },
    );
    await evaluate(h, clock);
    expect(
      h.manager
        .list({ status: "firing" })
        .filter((a) => a.rule === "errors")
        .map((a) => a.labels.server),
    ).toEqual(["a"]);
    expect(h.events.filter((e) => e.type === "alert.skipped").map((e) => e.message)).toEqual([
      "alerts: alert bad-row skipped: one of its times is not a valid time",
    ]);
    h.manager.close();
  });

  it("a rule whose signal cannot be read is skipped with one event; the other rules still fire", async () => {
    writeAlerts(
      dir.path,
      RULES.replace(
        "rules:\n",
        "rules:\n  - { name: broken, kind: metric, signal: call_rate, by: [server], threshold: 1 }\n",
      ),
    );
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const series = new SeriesSignalSource(
      [{ signal: "error_rate", labels: { server: "a" }, values: Array(30).fill(0.5) }],
      MINUTE,
      clock.t,
    );
    const signals: SignalSource = {
      sample(rule, at) {
        if (rule.name === "broken") throw new Error("no such table: calls_by_minute");
        return series.sample(rule, at);
      },
    };
    const h = harness(dir.path, db, clock, signals, { hook });
    await evaluate(h, clock);
    clock.advance(MINUTE);
    await evaluate(h, clock);
    expect(
      h.manager
        .list({ status: "firing" })
        .filter((a) => a.rule === "errors")
        .map((a) => a.labels.server),
    ).toEqual(["a"]);
    expect(h.events.filter((e) => e.type === "alert.skipped").map((e) => e.message)).toEqual([
      "alerts: rule broken skipped: no such table: calls_by_minute",
    ]);
    h.manager.close();
  });

  it("an unreadable delivery or notification group does not hold up the outbox", async () => {
    db.prepare(
      `INSERT INTO alert_deliveries (channel, kind, group_key, alert_ids, title, payload, status, created_at, next_at)
       VALUES ('hook', 'firing', 'g', '[]', 't', '{not json', 'pending', ?, ?)`,
    ).run(new VirtualClock().t, new VirtualClock().t);
    db.prepare(
      "INSERT INTO alert_groups (key, first_seen_at, last_sent_at, sent_firing) VALUES ('junk', 0, NULL, 'nope')",
    ).run();
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const h = harness(
      dir.path,
      db,
      clock,
      new SeriesSignalSource(
        [{ signal: "error_rate", labels: { server: "a" }, values: Array(30).fill(0.5) }],
        MINUTE,
        clock.t,
      ),
      { hook },
    );
    await evaluate(h, clock);
    clock.advance(MINUTE);
    await evaluate(h, clock);
    expect(
      hook.got.flatMap((n) => n.alerts.filter((a) => a.rule === "errors").map((a) => a.labels.server)),
    ).toEqual(["a"]);
    expect(
      h.events
        .filter((e) => e.type === "alert.skipped")
        .map((e) => e.message)
        .sort(),
    ).toEqual([
      "alerts: delivery 1 skipped: its stored notification is not readable",
      "alerts: group junk skipped: its stored state is not readable",
    ]);
    expect(h.manager.deliveries({ status: "failed" }).map((d) => [d.id, d.lastError])).toEqual([
      [1, "its stored notification is not readable"],
    ]);
    h.manager.close();
  });
});
