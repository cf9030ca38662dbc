/**
 * The engine's grouped DesktopNotifications, shown on the desktop: as native notifications by the app's
 * main process, as Web Notifications by a browser tab. The engine already groups alerts (a storm of one
 * rule is one notification); this adds the desktop's own guards, the same in both: nothing while
 * notifications are paused, and at most one notification per interval — whatever arrives in between is
 * merged into one ("12 alerts changed") shown when the interval ends, so even a storm across many groups
 * (or the backlog a tab gets when it connects) pops up once, and of one alert only its latest word.
 */
import { ALERT_SEVERITY_RANK, type AlertsSnapshot, type DesktopNotification } from "./alerts.js";

export interface NotificationRequest {
  title: string;
  body: string;
  urgency: "normal" | "critical";
  /** The one delivery it shows, if it shows one (a merged notification shows many). */
  deliveryId?: number;
  /** Called when the user clicks the notification. */
  onClick(): void;
}

export interface Notifier {
  /** Whether notifications can be shown at all (no notification daemon, no permission…). */
  supported(): boolean;
  /** Shows one notification; never throws. */
  show(request: NotificationRequest): void;
}

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
      (this.#timer as { unref?: () => void }).unref?.();
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
    deliveryId?: number;
  }): void {
    this.#lastShownAt = this.#now();
    const { alertId } = shown;
    this.#options.notifier.show({
      title: shown.title,
      body: shown.body,
      urgency: shown.urgency,
      deliveryId: shown.deliveryId,
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
    deliveryId: notification.deliveryId,
  };
}

/**
 * Notifications that arrived within one interval. A later one about the same alerts replaces the earlier
 * (a backlog of one alert says only how it stands now).
 */
class Batch {
  readonly #byAlerts = new Map<string, DesktopNotification>();
  #idsOverflow = false;

  get size(): number {
    return this.#byAlerts.size;
  }

  get first(): DesktopNotification | null {
    return this.#byAlerts.values().next().value ?? null;
  }

  add(notification: DesktopNotification): void {
    const key = JSON.stringify([...notification.alertIds].sort());
    this.#byAlerts.delete(key);
    this.#byAlerts.set(key, notification);
  }

  merged() {
    const all = [...this.#byAlerts.values()];
    const ids = new Set<string>();
    for (const n of all)
      for (const id of n.alertIds) {
        if (ids.size >= MAX_COUNTED_IDS) {
          this.#idsOverflow ||= !ids.has(id);
          continue;
        }
        ids.add(id);
      }
    // The alert a click opens: of the most severe firing notification, else of the first.
    const lead = all.reduce<DesktopNotification | null>((l, n) => (!l || rank(n) > rank(l) ? n : l), null);
    const named = all.slice(0, NAMED_IN_MERGED).map(line);
    const rest = all.length - named.length;
    const body = [...named, ...(rest > 0 ? [`… and ${rest} more`] : [])].join("\n");
    return {
      title: `${Math.max(ids.size, all.length)}${this.#idsOverflow ? "+" : ""} alerts changed`,
      body,
      urgency: lead ? urgencyOf(lead) : ("normal" as const),
      alertId: lead?.alertIds[0],
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
