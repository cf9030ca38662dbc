/** The rule editor's preview: a rule's value per group over a past range, and when it would have fired. */
import { describe, expect, it } from "vitest";
import { MAX_REPLAYED_STEPS, previewRule } from "../../electron/monitor/alerts/preview.js";
import { parseRuleYaml } from "../../electron/monitor/alerts/rule-file.js";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import { DbSignalSource } from "../../electron/monitor/alerts/signals.js";
import { tempDir } from "../helpers/mcp.js";
import { evaluate, harness, openStore, VirtualClock, writeAlerts } from "./alert-fixtures.js";

const MINUTE = 60_000;

describe("rule preview", () => {
  it("draws each group's value at every step and the ranges it would have fired, `for` included", async () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    const start = now - 60 * MINUTE;
    // One value a minute for an hour: busy from minute 10 to 19 (10 minutes), and 30 to 31 (too short).
    const values = Array.from({ length: 61 }, (_, m) =>
      (m >= 10 && m < 20) || (m >= 30 && m < 32) ? 0.5 : 0,
    );
    const source = new SeriesSignalSource(
      [
        { signal: "error_rate", labels: { server: "a", tool: "t" }, values },
        { signal: "error_rate", labels: { server: "b", tool: "t" }, values: values.map(() => 0) },
      ],
      MINUTE,
      start,
    );
    const rule = parseRuleYaml("{ name: r, kind: metric, signal: error_rate, threshold: 20%, for: 3m }");
    const preview = await previewRule(rule, source, now, 60 * MINUTE, 15_000);
    expect(preview.ok).toBe(true);
    expect(preview.stepMs).toBe(MINUTE);
    expect(preview.series.map((s) => s.labels)).toEqual([
      { server: "a", tool: "t" },
      { server: "b", tool: "t" },
    ]);
    expect(preview.series[0]?.points[12]).toEqual([start + 12 * MINUTE, 0.5]);
    // Pending at 10, firing at 13 (for 3m), resolved at 20; the 2-minute burst never fires.
    expect(preview.firings).toEqual([
      { labels: { server: "a", tool: "t" }, from: start + 13 * MINUTE, to: start + 20 * MINUTE },
    ]);
  });
});

describe("rule preview over the store, beside the alert's own history", () => {
  it("shows a short-window rule firing where the evaluator fired it, between the chart's 5-minute steps", async () => {
    const dir = await tempDir();
    const db = openStore(dir.path);
    try {
      const rule =
        "name: echo-errors\nkind: metric\nsignal: error_rate\nby: [server, tool]\nwindow: 1m\nthreshold: 0.4\nfor: 0s\n";
      writeAlerts(
        dir.path,
        `evaluation_interval: 15s\nrules:\n  - ${rule.trimEnd().replaceAll("\n", "\n    ")}\n`,
      );
      const clock = new VirtualClock(Date.parse("2026-11-25T10:02:00Z"));
      const h = harness(dir.path, db, clock, new DbSignalSource(db));
      // Three failures and an ok call at 10:02:10–13, as the Alerts view's test makes them.
      const insert = db.prepare(
        `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
         VALUES ('s', 'everything', 'c2s', ?, 'tools/call', 'echo', ?, 3, ?, 0, 0)`,
      );
      for (let i = 0; i < 4; i++)
        insert.run(`r${i}`, clock.t + 10_000 + i * 1000, i < 3 ? "client_error" : "ok");
      // The evaluator, every 15 s for three minutes: it fires, then resolves once the window has passed.
      for (let i = 0; i <= 12; i++) {
        await evaluate(h, clock);
        clock.advance(15_000);
      }
      const history = h.manager.history({ rule: "echo-errors" }).map((e) => e.to);
      expect(history).toContain("firing");
      expect(history).toContain("resolved");

      // Two minutes later the editor previews the same rule over 24 h (chart steps of 5 minutes).
      clock.t = Date.parse("2026-11-25T10:07:00Z");
      const preview = await h.manager.preview(rule);
      expect(preview.ok).toBe(true);
      expect(preview.series.map((s) => s.labels)).toEqual([{ server: "everything", tool: "echo" }]);
      expect(Math.max(...(preview.series[0]?.points.map((p) => p[1] ?? 0) ?? []))).toBe(0.75);
      expect(preview.firings).toHaveLength(1);
      const [fired] = preview.firings;
      expect(fired?.from).toBeLessThanOrEqual(Date.parse("2026-11-25T10:03:00Z"));
      expect(fired?.to).toBeGreaterThan(Date.parse("2026-11-25T10:02:13Z"));
      h.manager.close();
    } finally {
      db.close();
      await dir.cleanup();
    }
  });
});

describe("rule preview with a `for` shorter than its window", () => {
  it("fires and resolves at the evaluator's own times, though the burst shows at one 5-minute step only", async () => {
    const dir = await tempDir();
    const db = openStore(dir.path);
    try {
      const rule =
        'name: errs\nkind: metric\nsignal: error_rate\nby: [server, tool]\nwindow: 5m\nop: ">"\nthreshold: 10%\nmin_calls: 3\nfor: 10s\n';
      writeAlerts(
        dir.path,
        `evaluation_interval: 15s\nrules:\n  - ${rule.trimEnd().replaceAll("\n", "\n    ")}\n`,
      );
      const clock = new VirtualClock(Date.parse("2026-11-25T10:02:00Z"));
      const h = harness(dir.path, db, clock, new DbSignalSource(db));
      const insert = db.prepare(
        `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
         VALUES ('s', 'everything', 'c2s', ?, 'tools/call', 'get-sum', ?, 3, ?, 0, 0)`,
      );
      for (let i = 0; i < 4; i++)
        insert.run(`r${i}`, clock.t + 10_000 + i * 1000, i < 3 ? "client_error" : "ok");
      for (let i = 0; i <= 28; i++) {
        await evaluate(h, clock);
        clock.advance(15_000);
      }
      const history = h.manager.history({ rule: "errs" });
      const at = (to: string) => Date.parse(history.find((e) => e.to === to)?.time ?? "");
      expect(Number.isNaN(at("firing")) || Number.isNaN(at("resolved"))).toBe(false);

      clock.t = Date.parse("2026-11-25T10:20:00Z");
      const preview = await h.manager.preview(rule);
      expect(preview.ok).toBe(true);
      expect(preview.capped).toBe(false);
      expect(preview.firings).toEqual([
        { labels: { server: "everything", tool: "get-sum" }, from: at("firing"), to: at("resolved") },
      ]);
      h.manager.close();
    } finally {
      db.close();
      await dir.cleanup();
    }
  });

  it("replays a bounded number of evaluations, and says so when a rule was active too often", async () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    const start = now - 24 * 60 * MINUTE;
    let reads = 0;
    const series = new SeriesSignalSource(
      [
        {
          signal: "error_rate",
          labels: { server: "a" },
          values: Array.from({ length: 24 * 60 + 1 }, (_, m) => (m % 10 === 0 ? 0.5 : 0)),
        },
      ],
      MINUTE,
      start,
    );
    const counting = {
      sample: (...args: Parameters<typeof series.sample>) => {
        reads++;
        return series.sample(...args);
      },
    };
    const rule = parseRuleYaml(
      "{ name: r, kind: metric, signal: error_rate, window: 5m, threshold: 20%, for: 10s }",
    );
    const preview = await previewRule(rule, counting, now, 24 * 60 * MINUTE, 15_000);
    expect(preview.capped).toBe(true);
    expect(reads).toBeLessThanOrEqual(289 + MAX_REPLAYED_STEPS);
    // A minute-long burst every 10 minutes: the newest ones replayed (and fired), the older ones not.
    expect(preview.firings.length).toBeGreaterThan(0);
    expect(preview.firings.length).toBeLessThan(144);
  });
});

describe("rule preview against the live evaluator on the same recorded calls", () => {
  it("fires and resolves where the evaluator did: bursts in neighbouring minutes, and a sustained failure", async () => {
    const dir = await tempDir();
    const db = openStore(dir.path);
    try {
      const rule =
        'name: flaky-errors\nkind: metric\nsignal: error_rate\nby: [server]\nwindow: 1m\nop: ">"\nthreshold: 20%\nmin_calls: 3\nfor: 10s\n';
      writeAlerts(
        dir.path,
        `evaluation_interval: 5s\nrules:\n  - ${rule.trimEnd().replaceAll("\n", "\n    ")}\n`,
      );
      const t0 = Date.parse("2026-11-25T10:00:00Z");
      const clock = new VirtualClock(t0);
      const h = harness(dir.path, db, clock, new DbSignalSource(db));
      const insert = db.prepare(
        `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
         VALUES ('s', 'flaky', 'c2s', ?, 'tools/call', 'fail', ?, 3, 'tool_error', 0, 0)`,
      );
      let n = 0;
      const failing = (at: number, count: number) => {
        for (let i = 0; i < count; i++) insert.run(`r${n++}`, at + i * 100);
      };
      const s = (m: number, sec: number) => t0 + m * MINUTE + sec * 1000;
      // Three bursts of five failures, two of them in neighbouring minutes; then three failures every
      // 15 s for a minute and a half.
      failing(s(0, 49), 5);
      failing(s(3, 5), 5);
      failing(s(4, 50), 5);
      for (let k = 0; k <= 6; k++) failing(s(14, 2) + k * 15_000, 3);
      // The evaluator every 5 s for 20 minutes, as the engine runs it.
      while (clock.t <= s(20, 0)) {
        await evaluate(h, clock);
        clock.advance(5_000);
      }
      const history = h.manager
        .history({ rule: "flaky-errors" })
        .map((e) => ({ to: e.to, time: Date.parse(e.time) }))
        .sort((a, b) => a.time - b.time);
      const fired: { from: number; to: number | null }[] = [];
      for (const e of history) {
        if (e.to === "firing") fired.push({ from: e.time, to: null });
        const last = fired.at(-1);
        if (e.to === "resolved" && last) last.to = e.time;
      }
      expect(fired).toHaveLength(4);

      clock.t = s(30, 0);
      const preview = await h.manager.preview(rule);
      expect(preview.ok).toBe(true);
      expect(preview.capped).toBe(false);
      expect(preview.firings.map(({ from, to }) => ({ from, to }))).toEqual(fired);
      h.manager.close();
    } finally {
      db.close();
      await dir.cleanup();
    }
  });
});
