/**
 * The engine's grouped DesktopNotifications, shown as native notifications. The engine already groups
 * alerts (a storm of one rule is one notification); this adds the desktop's own guards: nothing while
 * notifications are paused, and at most one notification per interval — whatever arrives in between is
 * merged into one ("12 alerts changed") shown when the interval ends, so even a storm across many groups
 * pops up once.
 */
import { ALERT_SEVERITY_RANK, type AlertsSnapshot, type DesktopNotification } from "../../shared/alerts.js";
import type { NotificationRequest, Notifier } from "./notifier.js";

export interface AlertNotificationsOptions {
  notifier: Notifier;
  /** Opens the app on one alert (a notification's click). */
  open(alertId: string): void;
  /** At most one notification per this many ms (default 5 s). */
  intervalMs?: number;
  now?(): number;
}

/** How many notifications of a merged batch are named in its body. */
const NAMED_IN_MERGED = 4;
/** Distinct alert ids counted per batch; a bigger storm is shown as "1000+". */
const MAX_COUNTED_IDS = 1000;
const MAX_LINE = 200;
const MAX_BODY = 1000;

export class AlertNotifications {
  readonly #options: AlertNotificationsOptions;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #pausedUntil: number | null = null;
  #lastShownAt = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #batch: Batch | null = null;

  constructor(options: AlertNotificationsOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  /** Follows the pause from each alerts.changed snapshot. */
  update(snapshot: Pick<AlertsSnapshot, "pausedUntil">): void {
    const until = snapshot.pausedUntil ? Date.parse(snapshot.pausedUntil) : Number.NaN;
    this.#pausedUntil = Number.isFinite(until) ? until : null;
  }

  get paused(): boolean {
    return this.#pausedUntil !== null && this.#now() < this.#pausedUntil;
  }

  /** One alerts.notify from the engine. */
  notify(notification: DesktopNotification): void {
    if (this.paused || !this.#options.notifier.supported()) return;
    const now = this.#now();
    if (this.#timer === null && now - this.#lastShownAt >= this.#intervalMs) {
      this.#show(single(notification));
      return;
    }
    this.#batch ??= new Batch();
    this.#batch.add(notification);
    if (this.#timer === null) {
      const wait = Math.max(0, this.#lastShownAt + this.#intervalMs - now);
      this.#timer = setTimeout(() => this.#flush(), wait);
      this.#timer.unref?.();
    }
  }

  /** Drops whatever waits to be shown. */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#batch = null;
  }

  #flush(): void {
    this.#timer = null;
    const batch = this.#batch;
    this.#batch = null;
    if (!batch || this.paused) return;
    this.#show(batch.size === 1 && batch.first ? single(batch.first) : batch.merged());
  }

  #show(shown: {
    title: string;
    body: string;
    urgency: NotificationRequest["urgency"];
    alertId?: string;
  }): void {
    this.#lastShownAt = this.#now();
    const { alertId } = shown;
    this.#options.notifier.show({
      title: shown.title,
      body: shown.body,
      urgency: shown.urgency,
      onClick: () => {
        if (alertId) this.#options.open(alertId);
      },
    });
  }
}

/** The engine words a notification's title for the desktop already (`Resolved: …` included). */
function line(notification: DesktopNotification): string {
  return oneLine(notification.title);
}

function urgencyOf(notification: DesktopNotification): NotificationRequest["urgency"] {
  return notification.status === "firing" && notification.severity === "critical" ? "critical" : "normal";
}

function single(notification: DesktopNotification) {
  return {
    title: line(notification),
    body: clip(notification.body, MAX_BODY),
    urgency: urgencyOf(notification),
    alertId: notification.alertIds[0],
  };
}

/** Notifications that arrived within one interval. */
class Batch {
  size = 0;
  first: DesktopNotification | null = null;
  readonly #named: string[] = [];
  readonly #ids = new Set<string>();
  #idsOverflow = false;
  /** The alert a click opens: of the most severe firing notification, else of the first. */
  #lead: DesktopNotification | null = null;

  add(notification: DesktopNotification): void {
    this.size++;
    this.first ??= notification;
    if (this.#named.length < NAMED_IN_MERGED) this.#named.push(line(notification));
    for (const id of notification.alertIds) {
      if (this.#ids.size >= MAX_COUNTED_IDS) {
        this.#idsOverflow ||= !this.#ids.has(id);
        continue;
      }
      this.#ids.add(id);
    }
    if (!this.#lead || rank(notification) > rank(this.#lead)) this.#lead = notification;
  }

  merged() {
    const count = Math.max(this.#ids.size, this.size);
    const rest = this.size - this.#named.length;
    const body = [...this.#named, ...(rest > 0 ? [`… and ${rest} more`] : [])].join("\n");
    return {
      title: `${count}${this.#idsOverflow ? "+" : ""} alerts changed`,
      body,
      urgency: this.#lead ? urgencyOf(this.#lead) : ("normal" as const),
      alertId: this.#lead?.alertIds[0],
    };
  }
}

function rank(notification: DesktopNotification): number {
  return (notification.status === "firing" ? 10 : 0) + ALERT_SEVERITY_RANK[notification.severity];
}

function clip(text: string, max: number): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
}

/** A title or a line of a merged body: one line, clipped. */
function oneLine(text: string): string {
  return clip(text.replace(/\s+/g, " "), MAX_LINE);
}
