// bench/alerts: what alert evaluation costs the engine, and how long the rule editor's 24 h preview takes.
//
// A store with 20 servers × 15 tools: CALLS raw calls over the last 24 h (RECENT_RATE a second in the
// last 5 minutes, the window the built-in rules read), folded into rollups but for the last 20 s as the
// collector would, 50,000 log lines, 5,000 events, resource samples and
// health checks every 15 s. Then the real AlertManager evaluates every built-in rule RUNS times (median,
// p90), and previews tool-error-rate and slow-tool over 24 h (288 steps). Targets: an evaluation under
// 50 ms (at the default 15 s interval, under 0.4% of one core); a preview under 5 s that never holds the
// engine's event loop for more than 100 ms at a time (it yields between slices of steps).
//
//   node bench/alerts/eval.mjs
//   RUNS=31 CALLS=1000000 node bench/alerts/eval.mjs
//   RECENT_RATE=100 node bench/alerts/eval.mjs      # a stress: 100 calls a second for 5 minutes
//   ROUNDS=9 node bench/alerts/eval.mjs             # more alternating rounds of the preview's replays
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { bundleEngine, median, mulberry32, p90 } from "../lib.mjs";

const RUNS = Number(process.env.RUNS ?? 15);
const CALLS = Number(process.env.CALLS ?? 300_000);
/** Calls a second in the last 5 minutes, the window the built-in rules read. */
const RECENT_RATE = Number(process.env.RECENT_RATE ?? 10);
const SERVERS = 20;
const TOOLS = 15;
const EVAL_TARGET_MS = 50;
const PREVIEW_TARGET_MS = 5000;
const HELD_TARGET_MS = 100;
/** Alternating rounds of the three `for`s that show what the preview's replays cost. */
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-alerts-"));
let failed = false;
try {
  await main();
} finally {
  await rm(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

async function main() {
  const lib = await bundleEngine(
    work,
    `
        export { openDb } from "./electron/monitor/store/db.ts";
        export { AlertManager } from "./electron/monitor/alerts/alert-manager.ts";
        export { DbSignalSource } from "./electron/monitor/alerts/signals.ts";
        export { foldOnce } from "./electron/monitor/metrics/fold.ts";
        export { parseRuleYaml } from "./electron/monitor/alerts/rule-file.ts";`,
  );
  const db = lib.openDb(join(work, "mcpscope.db"));
  const now = Date.now();
  const rand = mulberry32(7);
  const seedStart = performance.now();
  db.transaction(() => {
    const call = db.prepare(
      `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
       VALUES ('s', ?, 'c2s', ?, 'tools/call', ?, ?, ?, ?, 100, 200)`,
    );
    // In time order, as wrappers store them.
    const recent = RECENT_RATE * 300;
    const times = Array.from({ length: CALLS }, (_, i) =>
      i < recent ? now - rand() * 300_000 : now - 300_000 - rand() * 86_100_000,
    ).sort((a, b) => a - b);
    for (const [i, t] of times.entries()) {
      const server = `server-${Math.floor(rand() * SERVERS)}`;
      const tool = `tool_${Math.floor(rand() * TOOLS)}`;
      call.run(server, String(i), tool, t, Math.exp(rand() * 8), rand() < 0.05 ? "tool_error" : "ok");
    }
    const log = db.prepare(
      "INSERT INTO logs (time, level, server, source, message) VALUES (?, ?, ?, 'stderr', ?)",
    );
    const levels = ["debug", "info", "info", "info", "warning", "error"];
    for (let i = 0; i < 50_000; i++)
      log.run(
        now - rand() * 86_400_000,
        levels[i % levels.length],
        `server-${i % SERVERS}`,
        `line ${i} of the log`,
      );
    const event = db.prepare(
      "INSERT INTO events (time, category, type, severity, server, message) VALUES (?, ?, ?, ?, ?, 'e')",
    );
    const types = [
      ["system", "session.start", "info"],
      ["system", "process.crash", "medium"],
      ["security", "secret.detected", "high"],
    ];
    for (let i = 0; i < 5_000; i++) {
      const [category, type, severity] = types[i % types.length];
      event.run(now - rand() * 86_400_000, category, type, severity, `server-${i % SERVERS}`);
    }
    const sample = db.prepare(
      "INSERT INTO resource_samples (time, server, pid, cpu_pct, rss_bytes, process_count) VALUES (?, ?, 1, ?, ?, 1)",
    );
    const health = db.prepare(
      "INSERT INTO health_checks (time, server, status, state) VALUES (?, ?, 'ok', 'up')",
    );
    for (let t = now - 86_400_000; t <= now; t += 15_000)
      for (let s = 0; s < SERVERS; s++) {
        sample.run(t, `server-${s}`, rand() * 50, 200e6 + rand() * 100e6);
        if (t > now - 3_600_000) health.run(t, `server-${s}`);
      }
  });
  // The collector folds calls into rollups as they come; leave the last 20 seconds unfolded, as it would.
  const tail = Number(db.prepare("SELECT count(*) AS n FROM calls WHERE started_at > ?").get(now - 20_000).n);
  for (let left = CALLS - tail; left > 0; ) left -= lib.foldOnce(db, Math.min(1000, left)).folded;
  console.log(
    `bench/alerts: ${SERVERS} servers × ${TOOLS} tools; ${CALLS.toLocaleString()} calls over 24 h (${RECENT_RATE} a second in the last 5 min), 50,000 logs, 5,000 events, samples every 15 s; seeded in ${Math.round(performance.now() - seedStart)} ms; ${cpus()[0]?.model ?? "cpu"}`,
  );

  const manager = new lib.AlertManager({
    dataDir: work,
    db,
    emit: () => {},
    hasDesktop: () => true,
    event: () => {},
    audit: () => {},
    warn: (m) => console.warn(m),
  });
  const times = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    manager.evaluate(now + i);
    if (i >= 2) times.push(performance.now() - t0);
  }
  const firing = manager.list().length;
  // Per rule, to see where the time goes.
  const signals = new lib.DbSignalSource(db);
  const perRule = manager.rules().rules.map((r) => {
    const rule = lib.parseRuleYaml(r.yaml);
    const ms = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      signals.sample(rule, now);
      ms.push(performance.now() - t0);
    }
    return `${r.name} ${median(ms).toFixed(1)}`;
  });
  console.log(`per rule (median ms): ${perRule.join(", ")}`);
  const evalMedian = median(times);
  console.log(
    `evaluate (8 built-in rules, ${firing} alert(s) active): median ${evalMedian.toFixed(1)} ms, p90 ${p90(times).toFixed(1)} ms — target < ${EVAL_TARGET_MS} ms: ${evalMedian < EVAL_TARGET_MS ? "met" : "NOT met"}`,
  );
  if (evalMedian >= EVAL_TARGET_MS) failed = true;

  // The third: a rule with a window shorter than the chart's step, evaluated once a minute (1,440 steps).
  const previews = [
    ["tool-error-rate", (y) => y],
    ["slow-tool", (y) => y],
    ["tool-error-rate", (y) => `${y.replace(/^window: .*\n/m, "")}window: 1m\n`, " (1m window)"],
    // A `for` shorter than the 5-minute step and one as long as it: around every run of active steps the
    // 15 s interval is replayed for each, measured in the same run.
    ["tool-error-rate", (y) => `${y.replace(/^for: .*\n/m, "")}for: 10s\n`, " (for 10s)"],
    ["tool-error-rate", (y) => `${y.replace(/^for: .*\n/m, "")}for: 5m\n`, " (for 5m)"],
  ];
  for (const [name, edit, note = ""] of previews) {
    const yaml = edit(manager.rules().rules.find((r) => r.name === name)?.yaml ?? "");
    // How long the engine's event loop is held at a time while the preview runs.
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const t0 = performance.now();
    const preview = await manager.preview(yaml, "24h");
    const ms = performance.now() - t0;
    delay.disable();
    const held = delay.max / 1e6;
    const ok = ms < PREVIEW_TARGET_MS && held < HELD_TARGET_MS;
    console.log(
      `preview ${name}${note} over 24 h: ${ms.toFixed(0)} ms, event loop held at most ${held.toFixed(0)} ms, ${preview.series.length} series × ${preview.series[0]?.points.length ?? 0} points, ${preview.firings.length} firing range(s)${preview.capped ? ", replays capped" : ""} — target < ${PREVIEW_TARGET_MS} ms, held < ${HELD_TARGET_MS} ms: ${ok ? "met" : "NOT met"}`,
    );
    if (!ok) failed = true;
  }
  // The replays' cost, on a shared machine: the three `for`s alternating, ROUNDS times, medians.
  const variants = [
    ["for 1m", (y) => y],
    ["for 10s", previews[3][1]],
    ["for 5m", previews[4][1]],
  ];
  const rounds = Object.fromEntries(variants.map(([label]) => [label, []]));
  const base = manager.rules().rules.find((r) => r.name === "tool-error-rate")?.yaml ?? "";
  for (let round = 0; round < ROUNDS; round++)
    for (const [label, edit] of variants) {
      const t0 = performance.now();
      await manager.preview(edit(base), "24h");
      rounds[label].push(performance.now() - t0);
    }
  const med = (label) => median(rounds[label]);
  console.log(
    `replays' cost over ${ROUNDS} alternating rounds (median ms): for 1m ${med("for 1m").toFixed(0)}, for 10s ${med("for 10s").toFixed(0)}, for 5m ${med("for 5m").toFixed(0)}; ratios ${(med("for 1m") / med("for 5m")).toFixed(2)}× and ${(med("for 10s") / med("for 5m")).toFixed(2)}×`,
  );
  // What replaying the evaluator's 15 s interval over the whole range would cost instead of replaying it
  // only where the rule may have been active: REPLAY_HOURS of it read here, scaled to 24 h.
  const REPLAY_HOURS = Number(process.env.REPLAY_HOURS ?? 2);
  const errorRate = lib.parseRuleYaml(base);
  const replayStart = performance.now();
  let reads = 0;
  for (let t = now - REPLAY_HOURS * 3_600_000; t <= now; t += 15_000, reads++) signals.sample(errorRate, t);
  const replayMs = performance.now() - replayStart;
  console.log(
    `full replay of tool-error-rate at 15 s: ${reads} reads over ${REPLAY_HOURS} h in ${replayMs.toFixed(0)} ms (${(replayMs / reads).toFixed(2)} ms a read); over 24 h: about ${(((replayMs / reads) * 5760) / 1000).toFixed(1)} s for 5,760 reads`,
  );
  manager.close();
  db.close();
}
