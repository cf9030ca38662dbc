/** A data dir, an alerts.yaml, a virtual clock and capturing channels for alert manager tests. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { AlertManager, type AlertManagerOptions } from "../../electron/monitor/alerts/alert-manager.js";
import type {
  AlertNotification,
  Channel,
  DeliveryOutcome,
} from "../../electron/monitor/alerts/channels/channel.js";
import { type InputSeries, SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import type { SignalSource } from "../../electron/monitor/alerts/signals.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { migrate } from "../../electron/monitor/store/migrations.js";
import { tempDir } from "../helpers/mcp.js";

export const MINUTE = 60_000;

export class VirtualClock {
  constructor(public t = Date.parse("2026-11-25T10:00:00Z")) {}
  now = () => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

/** A channel that records what it was sent, and answers with the given outcomes in turn (then ok). */
export class CapturingChannel implements Channel {
  readonly type = "webhook";
  readonly got: AlertNotification[] = [];
  constructor(
    readonly name: string,
    private readonly outcomes: DeliveryOutcome[] = [],
  ) {}
  async send(n: AlertNotification): Promise<DeliveryOutcome> {
    this.got.push(n);
    return this.outcomes.shift() ?? { ok: true, status: 200 };
  }
}

export function openStore(dir: string): Db {
  const db = openDb(join(dir, "mcpscope.db"));
  migrate(db);
  return db;
}

export function writeAlerts(dir: string, yaml: string): void {
  writeFileSync(join(dir, "alerts.yaml"), yaml);
}

/**
 * A fresh data dir and its migrated database for each test of the file, with `alerts` as its
 * alerts.yaml when given; closed and removed after each test.
 */
export function alertStore(alerts?: string): { readonly dir: string; readonly db: Db } {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let db: Db | undefined;
  beforeEach(async () => {
    dir = await tempDir();
    db = openStore(dir.path);
    if (alerts !== undefined) writeAlerts(dir.path, alerts);
  });
  afterEach(async () => {
    db?.close();
    await dir?.cleanup();
  });
  const inTest = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the alert store is made before each test, not at load");
    return value;
  };
  return {
    get dir() {
      return inTest(dir).path;
    },
    get db() {
      return inTest(db);
    },
  };
}

/** Signals with one value a minute from `start`. */
export function minuteSeries(series: readonly InputSeries[], start: number): SeriesSignalSource {
  return new SeriesSignalSource(series, MINUTE, start);
}

export interface Harness {
  manager: AlertManager;
  desktop: { status: string; title: string; alertIds: string[] }[];
  snapshots: { firing: number; worst: string }[];
  events: { type: string; message: string }[];
}

export function harness(
  dir: string,
  db: Db,
  clock: VirtualClock,
  signals: SignalSource,
  channels: Record<string, Channel> = {},
  extra: Partial<AlertManagerOptions> = {},
): Harness {
  const desktop: Harness["desktop"] = [];
  const snapshots: Harness["snapshots"] = [];
  const events: Harness["events"] = [];
  const manager = new AlertManager({
    dataDir: dir,
    db,
    now: clock.now,
    signals,
    emit: ((event: string, payload: never) => {
      if (event === "alerts.notify") desktop.push(payload);
      else snapshots.push(payload);
    }) as AlertManagerOptions["emit"],
    hasDesktop: () => true,
    event: (e) => events.push(e),
    audit: () => {},
    warn: () => {},
    createChannel: (config) => {
      const channel = channels[config.name];
      if (!channel) throw new Error(`no test channel ${config.name}`);
      return channel;
    },
    ...extra,
  });
  return { manager, desktop, snapshots, events };
}

/** Evaluates, then lets the outbox deliver everything due. */
export async function evaluate(h: Harness, clock: VirtualClock): Promise<void> {
  h.manager.evaluate(clock.t);
  await h.manager.deliver(clock.t);
}
