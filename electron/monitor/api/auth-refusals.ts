/**
 * Requests `serve` refused for a missing or wrong token, as security events: someone guessing the token
 * of a UI exposed with `--listen 0.0.0.0` shows in the Events view. Rate-limited per source address —
 * the first refusal from an address is an event at once, later ones within the window are counted and
 * told in one event when the window has passed and the next one comes — so a flood costs a few rows.
 * Never the token that was sent: only where from, which path, and how many.
 */
import type { TrackedEvent } from "../events/tracker.js";

export const AUTH_REFUSED_EVENT = "auth.refused";

/** One event per source address at most this often. */
export const REFUSALS_WINDOW_MS = 10 * 60_000;

/** Source addresses remembered at once; the oldest are forgotten past this. */
const SOURCES_KEPT = 1000;

export interface Refusal {
  address: string;
  /** The path asked for (no query string: a token may be in it). */
  path: string;
}

interface Source {
  /** When the last event for this source was emitted. */
  emittedAt: number;
  /** Refusals since, not yet in an event. */
  pending: number;
  lastPath: string;
}

export function authRefusals(
  track: (event: TrackedEvent) => void,
  now: () => number = Date.now,
): (refusal: Refusal) => void {
  const sources = new Map<string, Source>();
  return ({ address, path }) => {
    const at = now();
    const source = sources.get(address);
    if (source && at - source.emittedAt < REFUSALS_WINDOW_MS) {
      source.pending++;
      source.lastPath = path;
      return;
    }
    const count = (source?.pending ?? 0) + 1;
    sources.delete(address);
    if (sources.size >= SOURCES_KEPT) sources.delete(sources.keys().next().value as string);
    sources.set(address, { emittedAt: at, pending: 0, lastPath: path });
    track({
      category: "security",
      type: AUTH_REFUSED_EVENT,
      severity: "medium",
      message:
        count === 1
          ? `refused a request from ${address} to ${path}: missing or wrong token`
          : `refused ${count} requests from ${address} since the last report (latest to ${path}): missing or wrong token`,
      details: { address, path, count },
    });
  };
}
