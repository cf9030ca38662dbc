/**
 * The alert deliverer: the channels made from the rule file (and the built-in desktop channel, shown by
 * whoever shows notifications: the Electron main process or a browser), the outbox drained a few at a
 * time with retries, and a test notification through one channel.
 */
import { type Delivery, type DesktopNotification, pausedTestText } from "../../../shared/alerts.js";
import { listedTime } from "../../../shared/listed-time.js";
import { MonitoringError } from "../errors.js";
import type { TrackedEvent } from "../events/tracker.js";
import type { Db } from "../store/db.js";
import { iso } from "../time.js";
import type { AlertConfigFile } from "./alert-config.js";
import { pausedUntil } from "./alert-store.js";
import type { AlertNotification, Channel, DeliveryOutcome } from "./channels/channel.js";
import { desktopText } from "./channels/desktop-text.js";
import { type ChannelConfig, createChannel } from "./channels/index.js";
import {
  attempt,
  type BackoffPolicy,
  claimDelivery,
  type DueDelivery,
  dueDeliveries,
  enqueue,
  listDeliveries,
  waitingDesktopDeliveries,
} from "./outbox.js";
import type { SkipReporter } from "./skipped.js";

const DESKTOP_GIVE_UP_MS = 10 * 60_000;

export interface AlertDelivererOptions {
  db: Db;
  config: AlertConfigFile;
  now: () => number;
  skipped: SkipReporter;
  /** Whether anyone shows desktop notifications now (the app's main process, a browser). */
  hasDesktop(): boolean;
  notify(notification: DesktopNotification): void;
  /** A delivery that failed for good, as an error event. */
  event(event: TrackedEvent): void;
  warn(problem: string): void;
  /**
   * Whether another process on the data dir may show desktop notifications (a running engine, which holds
   * the app's window and the browser tabs): a desktop test from here is then left for it to show.
   */
  desktopElsewhere?(): boolean;
  /** How long a desktop test left for another engine waits for it to be shown (default 5 s). */
  desktopTestWaitMs?: number;
  /** Tests replace channels; the app makes them from their configs. */
  createChannel?: (config: ChannelConfig) => Channel;
}

export class AlertDeliverer {
  private channels = new Map<string, Channel>();
  /** Every channel's stored secret values, from the file the channels were built from. */
  private known: readonly string[] = [];
  private readonly inFlight = new Map<number, Promise<void>>();

  constructor(private readonly options: AlertDelivererOptions) {
    this.buildChannels();
    options.config.onReload(() => this.buildChannels());
  }

  /**
   * Tries what is due, a few at a time, and, with a window or browser connected, every desktop
   * notification still waiting; a delivery is never tried twice at once, here or by another engine.
   */
  async deliver(at = this.options.now()): Promise<void> {
    await this.run(at, true);
  }

  /**
   * What an engine that does not hold the evaluation lease sends: the desktop notifications still waiting,
   * when it has a window or browser to show them (the lease holder may have none).
   */
  async showDesktop(at = this.options.now()): Promise<void> {
    await this.run(at, false);
  }

  private async run(at: number, everyChannel: boolean): Promise<void> {
    const { db, skipped } = this.options;
    const invalid = (id: number, problem: string) => skipped.skip("delivery", String(id), problem);
    let due: DueDelivery[];
    try {
      const desktop = this.options.hasDesktop() ? waitingDesktopDeliveries(db, at, 20, invalid) : [];
      const other = everyChannel ? dueDeliveries(db, at, 20, invalid) : [];
      const byId = new Map([...desktop, ...other].map((d) => [d.id, d]));
      due = [...byId.values()].filter((d) => !this.inFlight.has(d.id));
    } catch (error) {
      this.options.warn(`alerts: cannot read the outbox: ${(error as Error).message}`);
      return;
    }
    const started: Promise<void>[] = [];
    for (const d of due) {
      if (started.length >= 8) break;
      const attempts = this.claim(d.id, at);
      if (attempts === null) continue;
      const run = this.deliverOne({ ...d, attempts }).finally(() => this.inFlight.delete(d.id));
      this.inFlight.set(d.id, run);
      started.push(run);
    }
    // Also waits for deliveries an earlier call started, so `await deliver()` means "tried what is due".
    await Promise.all([...started, ...this.inFlight.values()]);
  }

  /** The delivery's attempts so far when this engine took it, or null when it could not. */
  private claim(id: number, at: number): number | null {
    try {
      return claimDelivery(this.options.db, id, at);
    } catch (error) {
      this.options.warn(`alerts: cannot claim delivery ${id}: ${(error as Error).message}`);
      return null;
    }
  }

  /**
   * A test notification through one channel, tried once now and never retried: whoever sent it is waiting
   * for the answer, and a test arriving hours later, when the receiver is back, would only confuse.
   * A desktop test while desktop notifications are paused is refused, nothing queued: the paused channel
   * would answer "not shown", counted delivered, and the test would pass with nothing on screen.
   */
  async test(channelName: string): Promise<Delivery> {
    const { db, config } = this.options;
    config.reloadIfChanged();
    const channel = this.channels.get(channelName);
    if (!channel)
      throw MonitoringError.input(
        `no channel named ${channelName}; known: ${[...this.channels.keys()].join(", ")}`,
      );
    const at = this.options.now();
    const paused = channelName === "desktop" ? pausedUntil(db, at) : null;
    if (paused !== null) throw new PausedDesktopTest(iso(paused));
    const id = enqueue(db, channelName, "test", testNotification(channelName, at), at);
    if (channelName === "desktop" && !this.options.hasDesktop() && this.options.desktopElsewhere?.()) {
      // A running engine takes waiting desktop notifications every second when it has a window or tab.
      const shown = await this.shownElsewhere(id);
      if (shown) return shown;
    }
    const [due] = dueDeliveries(db, Number.MAX_SAFE_INTEGER, 1000).filter((d) => d.id === id);
    if (due && !this.inFlight.has(id) && this.claim(id, at) !== null) {
      const run = attempt(
        db,
        due,
        channel,
        this.known,
        { ...config.config.delivery, giveUpAfterMs: 0 },
        undefined,
        this.options.now,
      )
        .then(({ status, outcome }) => {
          if (status === "failed" && !outcome.ok) this.failedForGood(due, outcome.error, true);
        })
        .finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, run);
      await run;
    }
    return listDeliveries(db, { id })[0] as Delivery;
  }

  /**
   * Waits (in real time) for another engine to show a desktop test; null when none took it in time, so
   * that this process tries it itself, once, and says why it was not shown.
   */
  private async shownElsewhere(id: number): Promise<Delivery | null> {
    const deadline = Date.now() + (this.options.desktopTestWaitMs ?? 5_000);
    for (;;) {
      const delivery = listDeliveries(this.options.db, { id })[0];
      if (delivery && delivery.status !== "pending") return delivery;
      if (Date.now() >= deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async deliverOne(d: DueDelivery): Promise<void> {
    const { db } = this.options;
    const delivery = this.options.config.config.delivery;
    try {
      const channel = this.channels.get(d.channel);
      const policy: BackoffPolicy =
        d.channel === "desktop" ? { ...delivery, giveUpAfterMs: DESKTOP_GIVE_UP_MS } : delivery;
      const { status, outcome } = await attempt(
        db,
        d,
        channel,
        this.known,
        policy,
        undefined,
        this.options.now,
      );
      if (status === "failed" && !outcome.ok) this.failedForGood(d, outcome.error, false);
    } catch (error) {
      this.options.warn(`alerts: delivery ${d.id} to ${d.channel}: ${(error as Error).message}`);
    }
  }

  /** A delivery that failed for good (a test's one attempt included), as an error event. */
  private failedForGood(d: DueDelivery, error: string, test: boolean): void {
    this.options.event({
      category: "error",
      type: "alert.delivery_failed",
      // The desktop gives up when no window was open to show it: worth a note, not an alarm.
      severity: d.channel === "desktop" ? "low" : "high",
      message: `${test ? "test notification" : "alert notification"} to ${d.channel} failed${test ? "" : " for good"}: ${error}`,
      details: {
        delivery: d.id,
        channel: d.channel,
        attempts: d.attempts + 1,
        title: d.notification.title,
      },
    });
  }

  private buildChannels(): void {
    const make = this.options.createChannel ?? createChannel;
    const channels = new Map<string, Channel>([["desktop", this.desktopChannel()]]);
    for (const config of this.options.config.config.channels) {
      try {
        channels.set(config.name, make(config));
      } catch (error) {
        this.options.warn(`alerts: channel ${config.name}: ${(error as Error).message}`);
      }
    }
    this.channels = channels;
    this.known = this.options.config.config.secretValues;
  }

  /** The built-in channel: a desktop notification through whoever shows them (Electron main, a browser). */
  private desktopChannel(): Channel {
    return {
      name: "desktop",
      type: "desktop",
      send: async (n): Promise<DeliveryOutcome> => {
        if (pausedUntil(this.options.db, this.options.now()) !== null)
          return { ok: true, status: null, note: "not shown: notifications were paused" };
        if (!this.options.hasDesktop())
          return {
            ok: false,
            permanent: false,
            status: null,
            error: "no app window or browser is connected to show it",
          };
        this.options.notify({
          deliveryId: n.deliveryId ?? 0,
          status: n.status === "resolved" ? "resolved" : "firing",
          severity: n.severity,
          ...desktopText(n),
          alertIds: n.alerts.map((a) => a.id),
        });
        return { ok: true, status: null };
      },
    };
  }
}

/**
 * The refusal of a desktop test while desktop notifications are paused, with until when: each front says
 * it with `pausedTestText` in its own words and times (the app in local time, from the pause it reads),
 * the API's message in words that fit them all, the time in UTC.
 */
export class PausedDesktopTest extends MonitoringError {
  constructor(readonly pausedUntil: string) {
    super("input", pausedTestText(listedTime(pausedUntil), "resume them"));
    this.name = "PausedDesktopTest";
  }
}

export function testNotification(channel: string, at: number): AlertNotification {
  return {
    version: "1",
    status: "test",
    severity: "info",
    receiver: channel,
    groupKey: "test",
    groupLabels: {},
    title: "[TEST] mcpscope test notification",
    alerts: [
      {
        id: "test",
        rule: "test",
        status: "firing",
        severity: "info",
        labels: { alertname: "test", severity: "info" },
        summary: `A test from mcpscope: if you read this, the ${channel} channel works.`,
        value: null,
        startsAt: iso(at),
        endsAt: null,
      },
    ],
    createdAt: iso(at),
  };
}
