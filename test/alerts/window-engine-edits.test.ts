/**
 * Two engines on one data dir (the app and `mcpscope serve`): only the first evaluates. An
 * acknowledgement or pause made in the other's window goes through the evaluating engine, so its next
 * write-back keeps it, and both engines' windows show it at once; one the evaluating engine cannot apply
 * (it is from an older mcpscope) is refused at once, as the CLI refuses it. Two real engines, a real data
 * dir.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getMeta, setMeta } from "../../electron/monitor/alerts/alert-store.js";
import { engineOlder } from "../../electron/monitor/alerts/edit-route.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { insertEvent } from "../../electron/monitor/events/tracker.js";
import type { Db } from "../../electron/monitor/store/db.js";
import type { AlertsSnapshot } from "../../shared/alerts.js";
import { API_EVENTS, type ApiClient, createApiClient } from "../../shared/api.js";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { openStore, writeAlerts } from "./alert-fixtures.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
const engines: Engine[] = [];

beforeEach(async () => {
  dir = await tempDir();
  writeAlerts(
    dir.path,
    `evaluation_interval: 100ms
rules:
  - { name: probe, kind: event, type: probe.fired, window: 1h, severity: warning, summary: "probe on {{server}}" }
`,
  );
  db = openStore(dir.path);
});
afterEach(async () => {
  for (const e of engines.splice(0).reverse()) await e.close();
  db.close();
  await dir.cleanup();
});

async function startEngine(): Promise<{ api: ApiClient; snapshots: AlertsSnapshot[] }> {
  const engine = await createEngine({
    dataDir: dir.path,
    inventory: false,
    readPool: false,
    alerts: { tickMs: 20 },
  });
  engines.push(engine);
  const snapshots: AlertsSnapshot[] = [];
  engine.subscribe("alerts.changed", (p) => snapshots.push(API_EVENTS["alerts.changed"].parse(p)));
  return { api: createApiClient(engine), snapshots };
}

function fire(server: string): void {
  insertEvent(db, { category: "system", type: "probe.fired", severity: "medium", message: "probe", server });
}

/** The evaluating engine, then the one that is not. */
async function twoEngines() {
  const evaluating = await startEngine();
  await waitFor(() => getMeta(db, "evaluator") !== null);
  const other = await startEngine();
  return { evaluating, other };
}

describe("alert edits in the window of the engine that does not evaluate", () => {
  it("an acknowledgement reaches the evaluating engine and stays over the alert's next change", async () => {
    const { evaluating, other } = await twoEngines();
    fire("alpha");
    const alert = await waitFor(async () =>
      (await evaluating.api.call("alerts.list", {})).find((a) => a.state === "firing"),
    );
    await waitFor(async () => (await other.api.call("alerts.list", {})).some((a) => a.id === alert.id));

    expect(await other.api.call("alerts.acknowledge", { id: alert.id })).toMatchObject({ ok: true });
    // Both windows, at once.
    expect((await evaluating.api.call("alerts.list", {})).find((a) => a.id === alert.id)?.acknowledged).toBe(
      true,
    );
    expect(evaluating.snapshots.at(-1)?.alerts.find((a) => a.id === alert.id)?.acknowledged).toBe(true);
    expect(other.snapshots.at(-1)?.alerts.find((a) => a.id === alert.id)?.acknowledged).toBe(true);

    // A new value makes the evaluating engine write the alert's state again: the acknowledgement stays.
    fire("alpha");
    await waitFor(async () =>
      (await evaluating.api.call("alerts.list", {})).find((a) => a.id === alert.id && a.value === 2),
    );
    expect((await evaluating.api.call("alerts.list", {})).find((a) => a.id === alert.id)?.acknowledged).toBe(
      true,
    );
    await waitFor(async () =>
      (await other.api.call("alerts.list", {})).find((a) => a.id === alert.id && a.value === 2),
    );
    expect((await other.api.call("alerts.list", {})).find((a) => a.id === alert.id)?.acknowledged).toBe(true);
  });

  it("a pause reaches the evaluating engine's tray at once", async () => {
    const { evaluating, other } = await twoEngines();
    const paused = await other.api.call("alerts.pause", { duration: "2h" });
    expect(paused.ok).toBe(true);
    expect(evaluating.snapshots.at(-1)?.pausedUntil).not.toBeNull();
    expect(other.snapshots.at(-1)?.pausedUntil).not.toBeNull();
  });

  it("a pause the evaluating engine from an older mcpscope cannot apply is refused at once, naming it", async () => {
    // That engine: a live process, its presence file and its lease as such engines wrote them.
    const older = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
    const pid = older.pid as number;
    try {
      mkdirSync(join(dir.path, "engines"), { recursive: true });
      writeFileSync(
        join(dir.path, "engines", `${pid}-0ld3n61e.json`),
        JSON.stringify({ pid, startedAt: new Date().toISOString(), alerts: true }),
      );
      setMeta(db, "evaluator", JSON.stringify({ owner: `${pid}-0ld3n61e`, until: Date.now() + 600_000 }));
      const here = await startEngine();
      expect(await here.api.call("alerts.pause", { duration: "1h" })).toEqual({
        ok: false,
        message: engineOlder(pid),
      });
      expect(db.prepare("SELECT key FROM alert_meta WHERE key LIKE 'request:%'").all()).toEqual([]);
    } finally {
      older.kill("SIGKILL");
    }
  });
});
