/**
 * The rule editor's 24 h preview evaluates every 5 minutes, the evaluator every 15 s. Where a rule's value
 * between two preview steps is bounded by them (counts with `>`, `absence`), the preview fires and resolves
 * exactly where the evaluator did, even when neither step shows the rule active; for the other rules it
 * says that it is approximate. Real store, real AlertManager, virtual clock.
 */
import { expect, it } from "vitest";
import { DbSignalSource } from "../../electron/monitor/alerts/signals.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { evaluate, harness, openStore, VirtualClock, writeAlerts } from "./alert-fixtures.js";

const MINUTE = 60_000;
const T0 = Date.parse("2026-11-25T10:00:00Z");

/** The evaluator's firing ranges for `rule` over T0..T0+`minutes` (every 15 s), and the 24 h preview at T0+1h. */
async function evaluatorAndPreview(rule: string, seed: (db: Db) => void, minutes = 20) {
  const dir = await tempDir();
  const db = openStore(dir.path);
  try {
    writeAlerts(
      dir.path,
      `evaluation_interval: 15s\nrules:\n  - ${rule.trimEnd().replaceAll("\n", "\n    ")}\n`,
    );
    seed(db);
    const clock = new VirtualClock(T0);
    const h = harness(dir.path, db, clock, new DbSignalSource(db));
    while (clock.t <= T0 + minutes * MINUTE) {
      await evaluate(h, clock);
      clock.advance(15_000);
    }
    const name = /name: (\S+)/.exec(rule)?.[1] ?? "";
    const history = h.manager
      .history({ rule: name })
      .filter((e) => e.to === "firing" || e.from === "firing")
      .map((e) => ({ to: e.to, at: Date.parse(e.time) }))
      .sort((a, b) => a.at - b.at);
    const evaluator: { from: number; to: number | null }[] = [];
    for (const e of history)
      if (e.to === "firing") evaluator.push({ from: e.at, to: null });
      else {
        const open = evaluator.at(-1);
        if (open) open.to = e.at;
      }
    clock.t = T0 + 60 * MINUTE;
    const preview = await h.manager.preview(rule);
    h.manager.close();
    return { evaluator, preview };
  } finally {
    db.close();
    await dir.cleanup();
  }
}

const calls = (db: Db, rows: [number, string][]) => {
  const insert = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
     VALUES ('s', 'srv', 'c2s', ?, 'tools/call', 'x', ?, 3, ?, 0, 0)`,
  );
  for (const [i, [t, outcome]] of rows.entries()) insert.run(`r${i}`, t, outcome);
};

it("fires where the evaluator did for a count whose burst straddles two preview steps", async () => {
  // Three crashes in 90 s across 10:05: each 5-minute step sees two at most, never over 2.
  const { evaluator, preview } = await evaluatorAndPreview(
    "name: crashy\nkind: event\ntype: process.crash\nwindow: 5m\nthreshold: 2\n",
    (db) => {
      const insert = db.prepare(
        "INSERT INTO events (time, category, type, severity, server, message) VALUES (?, 'system', 'process.crash', 'medium', 'srv', 'x')",
      );
      for (const t of [T0 + 4 * MINUTE, T0 + 4.5 * MINUTE, T0 + 5.5 * MINUTE]) insert.run(t);
    },
  );
  expect(evaluator).toHaveLength(1);
  expect(preview.firings.map(({ from, to }) => ({ from, to }))).toEqual(evaluator);
  expect(preview.approximate).toBe(false);
  expect(preview.capped).toBe(false);
});

it("fires where the evaluator did for a silence longer than `absence` seen at no preview step", async () => {
  // A call at 10:00:30, silence until 10:11:00, then one every 2 minutes: 10.5 minutes of silence, yet the
  // steps see 4.5, 9.5 and 4 minutes.
  const { evaluator, preview } = await evaluatorAndPreview(
    "name: quiet\nkind: absence\nduration: 10m\n",
    (db) => {
      const rows: [number, string][] = [[T0 + 30_000, "ok"]];
      for (let t = T0 + 11 * MINUTE; t <= T0 + 60 * MINUTE; t += 2 * MINUTE) rows.push([t, "ok"]);
      calls(db, rows);
    },
  );
  expect(evaluator).toHaveLength(1);
  expect(preview.firings.map(({ from, to }) => ({ from, to }))).toEqual(evaluator);
  expect(preview.approximate).toBe(false);
});

it("says it is approximate for an error rate, whose value between two steps they do not bound", async () => {
  // Five ok calls, then four failures at 10:04: 4/9 at 10:05, nothing at 10:10; the evaluator saw 4/4.
  const { evaluator, preview } = await evaluatorAndPreview(
    'name: errs\nkind: metric\nsignal: error_rate\nby: [server]\nwindow: 5m\nop: ">"\nthreshold: 50%\nmin_calls: 3\nfor: 0s\n',
    (db) =>
      calls(db, [
        ...Array.from({ length: 5 }, (_, i): [number, string] => [T0 + 10_000 + i * 10_000, "ok"]),
        ...Array.from({ length: 4 }, (_, i): [number, string] => [
          T0 + 4 * MINUTE + 10_000 + i * 10_000,
          "tool_error",
        ]),
      ]),
  );
  expect(evaluator).toHaveLength(1);
  expect(preview.firings).toEqual([]);
  expect(preview.approximate).toBe(true);
});
