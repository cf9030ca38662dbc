/**
 * What the screen-reader live region says about alerts: each alert that starts firing, once. Alerts
 * already firing when the app opens are on the badge, not read out; a snapshot that changes nothing says
 * nothing, so a refresh is never repeated aloud.
 */
import { type AlertInstance, countsAsFiring } from "../../../shared/alerts.js";

export interface Announcement {
  /** The alerts firing now, by id (the next call's `known`). */
  known: Set<string>;
  /** The sentence to announce, or null when no alert started firing. */
  text: string | null;
}

/** `known` is null before the first list: that list sets what is known and announces nothing. */
export function firingAnnouncement(
  known: ReadonlySet<string> | null,
  alerts: readonly AlertInstance[],
): Announcement {
  const firing = alerts.filter(countsAsFiring);
  const now = new Set(firing.map((a) => a.id));
  if (known === null) return { known: now, text: null };
  const started = firing.filter((a) => !known.has(a.id));
  if (started.length === 0) return { known: now, text: null };
  const parts = started.map((a) => `${a.rule} (${a.severity}): ${a.summary}`);
  return { known: now, text: `${started.length === 1 ? "Alert" : "Alerts"} firing: ${parts.join("; ")}` };
}
