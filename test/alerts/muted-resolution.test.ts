/**
 * What a channel was told stands while a silence or inhibition holds the alert back: it hears the
 * alert resolve, and it does not hear it fire again when it is let through while it never stopped
 * firing. Through the real AlertManager, SQLite and a virtual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expandValues, SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import type { Db } from "../../electron/monitor/store/db.js";
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
  - { name: down, kind: metric, signal: call_rate, by: [server], op: "<", threshold: 1, severity: critical }
  - { name: errors, kind: metric, signal: error_rate, by: [server, tool], threshold: 20%, severity: warning }
  - { name: tool-error-rate, enabled: false }
channels:
  - { name: hook, type: webhook, url: "http://127.0.0.1:9/hook" }
routes:
  - channels: [hook]
    group_by: [alertname, server]
    group_wait: 0s
    group_interval: 1m
    repeat_interval: 1h
    send_resolved: true
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

/** One value a minute from the clock's start, in promtool's notation. */
const series = (clock: VirtualClock, rows: [string, Record<string, string>, string][]) =>
  new SeriesSignalSource(
    rows.map(([signal, labels, values]) => ({
      signal,
      labels,
      values: expandValues(values),
    })),
    MINUTE,
    clock.t,
  );

async function run(h: ReturnType<typeof harness>, clock: VirtualClock, minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    await evaluate(h, clock);
    clock.advance(MINUTE);
  }
}

const said = (hook: CapturingChannel) =>
  hook.got.map((n) => `${n.title} ${n.alerts.map((a) => `${a.rule}:${a.status}`).join(",")}`);

describe("a silenced or inhibited alert its channels heard fire", () => {
  it("is told resolved after an inhibition held it back", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    // errors (warning) fires at minute 0; down (critical, same server) fires at 2 and inhibits it;
    // both clear at minute 5.
    const h = harness(
      dir.path,
      db,
      clock,
      series(clock, [
        ["error_rate", { server: "a", tool: "read" }, "0.5 0.5 0.5 0.5 0.5 _ _ _"],
        ["call_rate", { server: "a", tool: "read" }, "5 5 0 0 0 _ _ _"],
      ]),
      { hook },
    );
    await run(h, clock, 3);
    expect(h.manager.list().find((a) => a.rule === "errors")?.inhibited).toBe(true);
    await run(h, clock, 5);
    expect(said(hook).sort()).toEqual([
      "[FIRING:1] down server=a down:firing",
      "[FIRING:1] errors server=a errors:firing",
      "[RESOLVED:1] down server=a down:resolved",
      "[RESOLVED:1] errors server=a errors:resolved",
    ]);
  });

  it("is told resolved when it resolves under a silence", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const h = harness(
      dir.path,
      db,
      clock,
      series(clock, [["error_rate", { server: "a", tool: "read" }, "0.5 0.5 0.5 _ _ _"]]),
      { hook },
    );
    await run(h, clock, 1);
    h.manager.silence({
      matchers: [{ name: "alertname", op: "=", value: "errors" }],
      duration: "1h",
      comment: "known",
    });
    await run(h, clock, 5);
    expect(said(hook)).toEqual([
      "[FIRING:1] errors server=a errors:firing",
      "[RESOLVED:1] errors server=a errors:resolved",
    ]);
  });

  it("is not announced again when the inhibition lifts while it still fires", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    // errors fires all along; down fires at 2 and clears at 4, twice over.
    const h = harness(
      dir.path,
      db,
      clock,
      series(clock, [
        ["error_rate", { server: "a", tool: "read" }, "0.5x80"],
        ["call_rate", { server: "a", tool: "read" }, "5 5 0 0 5 5 0 0 5x72"],
      ]),
      { hook },
    );
    await run(h, clock, 12);
    expect(said(hook).filter((t) => t.includes("errors"))).toEqual([
      "[FIRING:1] errors server=a errors:firing",
    ]);
    // A repeat still comes after repeat_interval.
    await run(h, clock, 60);
    expect(said(hook).filter((t) => t.startsWith("[FIRING:1] errors"))).toHaveLength(2);
  });
});
