/**
 * One setting keeps alert history: `storage.retention.alertHistory`, where the Storage view shows it. The
 * alert evaluator deletes none of it, so a longer retention chosen there holds; alerts.yaml's deprecated
 * `history_retention` is read in its place only while settings.json does not set it, and is named as
 * deprecated by `rules check` and in the engine's log.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StorageService } from "../../electron/monitor/store/storage-service.js";
import type { StorageInfo } from "../../shared/storage.js";
import { cliInProcess, cliJsonInProcess } from "../helpers/cli-in-process.js";
import { alertStore, harness, minuteSeries, VirtualClock, writeAlerts } from "./alert-fixtures.js";

const DAY = 86_400_000;
const store = alertStore("rules: []\n");

function settings(dir: string, alertHistory: string): void {
  writeFileSync(join(dir, "settings.json"), JSON.stringify({ storage: { retention: { alertHistory } } }));
}

/** One history row and one silence that ended, each `days` before `now`. */
function seed(now: number, days: number[]): void {
  const history = store.db.prepare(
    `INSERT INTO alert_history (time, alert_id, rule, severity, labels, from_state, to_state, summary)
     VALUES (?, ?, 'r', 'warning', '{}', 'pending', 'firing', 's')`,
  );
  const silence = store.db.prepare(
    `INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at)
     VALUES (?, '[{"name":"alertname","op":"=","value":"r"}]', ?, ?, 'me', '', ?)`,
  );
  for (const d of days) {
    history.run(now - d * DAY, `a${d}`);
    silence.run(`s${d}`, now - d * DAY - 3_600_000, now - d * DAY, now - d * DAY - 3_600_000);
  }
}

const ages = (table: string, column: string, now: number) =>
  store.db
    .prepare(`SELECT ${column} AS t FROM ${table} ORDER BY ${column}`)
    .all()
    .map((r) => Math.round((now - Number(r.t)) / DAY));

/** The evaluator's evaluation and the engine's storage pass, as an engine runs them. */
async function enginePasses(clock: VirtualClock): Promise<void> {
  const h = harness(store.dir, store.db, clock, minuteSeries([], clock.t));
  h.manager.evaluate(clock.t);
  const service = new StorageService(store.dir, store.db);
  await service.pass(clock.t);
  await service.close();
  h.manager.close();
}

async function alertHistoryShown(): Promise<{ label: string; ms: number }> {
  const info = await cliJsonInProcess<StorageInfo>(["db", "info", "--data-dir", store.dir]);
  const entry = info.retention.find((r) => r.key === "storage.retention.alertHistory");
  if (!entry) throw new Error("db info shows no alert history retention");
  return entry;
}

describe("alert history retention", () => {
  it("storage.retention.alertHistory: 365d keeps history and silences past 90 days", async () => {
    const clock = new VirtualClock();
    settings(store.dir, "365d");
    seed(clock.t, [100, 400]);
    await enginePasses(clock);
    expect(ages("alert_history", "time", clock.t)).toEqual([100]);
    expect(ages("alert_silences", "ends_at", clock.t)).toEqual([100]);
    expect(await alertHistoryShown()).toEqual({
      key: "storage.retention.alertHistory",
      label: "alert history and ended silences",
      ms: 365 * DAY,
    });
  });

  it("the default is 180 days, whatever alerts.yaml leaves out", async () => {
    const clock = new VirtualClock();
    seed(clock.t, [100, 200]);
    await enginePasses(clock);
    expect(ages("alert_history", "time", clock.t)).toEqual([100]);
    expect(ages("alert_silences", "ends_at", clock.t)).toEqual([100]);
  });

  it("history_retention alone still sets it, shown and named as deprecated; settings.json wins", async () => {
    const clock = new VirtualClock();
    writeAlerts(store.dir, "rules: []\nhistory_retention: 30d\n");
    seed(clock.t, [20, 40]);
    const warned: string[] = [];
    const h = harness(
      store.dir,
      store.db,
      clock,
      minuteSeries([], clock.t),
      {},
      {
        warn: (line) => warned.push(line),
      },
    );
    h.manager.close();
    expect(warned).toEqual([
      "alerts: alerts.yaml: history_retention is deprecated: alert history is kept for storage.retention.alertHistory in settings.json (the Storage view), which wins when both are set; move the value there",
    ]);
    const check = await cliInProcess(["rules", "check", "--data-dir", store.dir]);
    expect(check.stdout.split("\n")[1]).toBe(
      `${join(store.dir, "alerts.yaml")}: history_retention is deprecated: alert history is kept for storage.retention.alertHistory in settings.json (the Storage view), which wins when both are set; move the value there`,
    );
    expect(await alertHistoryShown()).toEqual({
      key: "storage.retention.alertHistory",
      label: "alert history and ended silences, from history_retention in alerts.yaml until set here",
      ms: 30 * DAY,
    });
    await enginePasses(clock);
    expect(ages("alert_history", "time", clock.t)).toEqual([20]);

    settings(store.dir, "365d");
    expect((await alertHistoryShown()).ms).toBe(365 * DAY);
  });
});
