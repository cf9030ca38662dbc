/**
 * Silences while another engine evaluates go through it, as acknowledgements do: made in the window of
 * the engine that does not evaluate, or with `mcpscope alerts silence|unsilence` while an engine runs,
 * the evaluating engine applies them, so its window and tray and the asking window show the alert
 * silenced (and no longer) at once, and only the evaluating engine plans what to notify. Two real
 * engines on a real data dir, the CLI as the terminal runs it (in process). Evaluations are an hour
 * apart: each engine evaluates once as it starts, so what changes after comes from the edit alone.
 */
import { userInfo } from "node:os";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getMeta } from "../../electron/monitor/alerts/alert-store.js";
import { iterateAudit } from "../../electron/monitor/audit/audit-log.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { insertEvent } from "../../electron/monitor/events/tracker.js";
import type { Db } from "../../electron/monitor/store/db.js";
import type { AlertInstance, AlertsSnapshot } from "../../shared/alerts.js";
import { API_EVENTS, type ApiClient, createApiClient } from "../../shared/api.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { openStore, writeAlerts } from "./alert-fixtures.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
const engines: Engine[] = [];

beforeEach(async () => {
  dir = await tempDir();
  writeAlerts(
    dir.path,
    `evaluation_interval: 1h
rules:
  - { name: probe, kind: event, type: probe.fired, window: 1h, severity: warning, summary: "probe on {{server}}" }
`,
  );
  db = openStore(dir.path);
  // Before the engines start: their first evaluations see it firing.
  insertEvent(db, {
    category: "system",
    type: "probe.fired",
    severity: "medium",
    message: "probe",
    server: "alpha",
  });
});
afterEach(async () => {
  for (const e of engines.splice(0).reverse()) await e.close();
  db.close();
  await dir.cleanup();
});

interface Running {
  api: ApiClient;
  snapshots: AlertsSnapshot[];
}

async function startEngine(): Promise<Running> {
  // Ticks a second apart: what an edit changes here before the next tick, it changed at once.
  const engine = await createEngine({
    dataDir: dir.path,
    inventory: false,
    readPool: false,
    alerts: { tickMs: 1000 },
  });
  engines.push(engine);
  const snapshots: AlertsSnapshot[] = [];
  engine.subscribe("alerts.changed", (p) => snapshots.push(API_EVENTS["alerts.changed"].parse(p)));
  return { api: createApiClient(engine), snapshots };
}

async function firing(e: Running): Promise<AlertInstance> {
  return waitFor(async () => (await e.api.call("alerts.list", {})).find((a) => a.state === "firing"));
}

/** The alert in the engine's last pushed snapshot. */
const shown = (e: Running, id: string) => e.snapshots.at(-1)?.alerts.find((a) => a.id === id);

/** The silence records in the audit trail, once there are `count` (the engine writes them in batches). */
function silenceAudits(count: number): Promise<Array<{ action: string; actor: string }>> {
  return waitFor(() => {
    const found = [...iterateAudit(db)]
      .filter((r) => String(r.action).includes("silence"))
      .map((r) => ({ action: String(r.action), actor: String(r.actor) }));
    return found.length >= count ? found : undefined;
  });
}

describe("silences while another engine evaluates", () => {
  it("made in the other engine's window, the evaluating engine applies them and both windows show it at once", async () => {
    const evaluating = await startEngine();
    await waitFor(() => getMeta(db, "evaluator") !== null);
    const other = await startEngine();
    const alert = await firing(evaluating);
    await firing(other);

    const silence = await other.api.call("alerts.silence", {
      matchers: [{ name: "server", op: "=", value: "alpha" }],
      duration: "2h",
      comment: "deploying",
    });
    expect(shown(evaluating, alert.id)?.silencedBy).toEqual([silence.id]);
    expect(shown(other, alert.id)?.silencedBy).toEqual([silence.id]);
    expect((await evaluating.api.call("alerts.silences", {})).map((s) => s.id)).toEqual([silence.id]);

    expect(await other.api.call("alerts.unsilence", { id: silence.id })).toMatchObject({ ok: true });
    expect(shown(evaluating, alert.id)?.silencedBy).toEqual([]);
    expect(shown(other, alert.id)?.silencedBy).toEqual([]);
    expect(await silenceAudits(2)).toEqual([
      { action: "alert_silence", actor: "app" },
      { action: "alert_unsilence", actor: "app" },
    ]);

    // A duration the engine does not take is refused with its one line, and nothing is stored.
    await expect(
      other.api.call("alerts.silence", {
        matchers: [{ name: "server", op: "=", value: "alpha" }],
        duration: "0s",
      }),
    ).rejects.toThrow(/0s/);
    expect(await evaluating.api.call("alerts.silences", {})).toEqual([]);
  });

  it("made with the CLI, the running engine applies them and its window shows it at once", async () => {
    const e = await startEngine();
    const alert = await firing(e);
    const cli = (...args: string[]) => cliInProcess(["alerts", ...args, "--data-dir", dir.path]);

    const made = await cli("silence", "server=alpha", "--for", "2h", "--json");
    expect(made.status).toBe(0);
    const { silence, engine } = JSON.parse(made.stdout) as { silence: { id: string }; engine: boolean };
    expect(engine).toBe(true);
    expect(shown(e, alert.id)?.silencedBy).toEqual([silence.id]);

    const removed = await cli("unsilence", silence.id);
    expect(removed).toMatchObject({ status: 0, stdout: `silence ${silence.id} expired\n` });
    expect(shown(e, alert.id)?.silencedBy).toEqual([]);
    // Under the user's name, as every other write of the CLI (settings, backups) is recorded.
    expect(await silenceAudits(2)).toEqual([
      { action: "alert_silence", actor: userInfo().username },
      { action: "alert_unsilence", actor: userInfo().username },
    ]);
  });

  it("with no engine running the CLI stores them, and says so", async () => {
    const made = await cliInProcess(["alerts", "silence", "server=alpha", "--json", "--data-dir", dir.path]);
    expect(made.status).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({
      engine: false,
      silence: { createdBy: userInfo().username },
    });
    const unsilenced = await cliInProcess([
      "alerts",
      "unsilence",
      JSON.parse(made.stdout).silence.id,
      "--data-dir",
      dir.path,
    ]);
    expect(unsilenced.status).toBe(0);
    expect(await silenceAudits(2)).toEqual([
      { action: "alert_silence", actor: userInfo().username },
      { action: "alert_unsilence", actor: userInfo().username },
    ]);
    const again = await cliInProcess(["alerts", "silence", "server=alpha", "--data-dir", dir.path]);
    expect(again.status).toBe(0);
    const e = await startEngine();
    const alert = await firing(e);
    expect(alert.silencedBy).toHaveLength(1);
  });
});
