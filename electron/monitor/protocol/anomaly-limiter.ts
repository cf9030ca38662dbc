/**
 * Keeps a chatty server's protocol anomalies from flooding the store: a server that prints a log line to
 * stdout in a loop, or binary, would otherwise write one event per line. Each kind of anomaly (per stream)
 * is recorded as it comes up to a burst; past it, the lines are counted and one event every interval says
 * how many more there were, and a last one when the session ends.
 */
import type { ProtocolEventObservation } from "./observations.js";

/** Events of one kind recorded one by one before they are summarised. */
export const ANOMALY_BURST = 20;
/** How often a kind past its burst gets its summary event. */
export const ANOMALY_SUMMARY_MS = 10_000;

interface Kind {
  recorded: number;
  suppressed: number;
  suppressedBytes: number;
  since: number;
  last: ProtocolEventObservation | null;
}

export class AnomalyLimiter {
  private readonly kinds = new Map<string, Kind>();

  constructor(private readonly emit: (event: ProtocolEventObservation) => void) {}

  add(event: ProtocolEventObservation): void {
    const key = `${event.stream} ${event.type}`;
    let kind = this.kinds.get(key);
    if (!kind) {
      kind = { recorded: 0, suppressed: 0, suppressedBytes: 0, since: event.time, last: null };
      this.kinds.set(key, kind);
    }
    if (kind.recorded < ANOMALY_BURST) {
      kind.recorded++;
      this.emit(event);
      return;
    }
    if (kind.suppressed === 0) kind.since = event.time;
    kind.suppressed++;
    kind.suppressedBytes += event.bytes;
    kind.last = event;
    if (event.time - kind.since >= ANOMALY_SUMMARY_MS) this.summarise(kind, event.time);
  }

  /** Summarises every kind whose interval has passed (`force`: all, as the session ends). */
  flush(now: number, force = false): void {
    for (const kind of this.kinds.values()) {
      if (kind.suppressed > 0 && (force || now - kind.since >= ANOMALY_SUMMARY_MS)) this.summarise(kind, now);
    }
  }

  private summarise(kind: Kind, now: number): void {
    const last = kind.last;
    if (!last) return;
    const seconds = Math.max(1, Math.round((last.time - kind.since) / 1000));
    this.emit({
      ...last,
      // When the last of them was seen, not when the summary was written.
      time: last.time,
      bytes: kind.suppressedBytes,
      message: `${kind.suppressed.toLocaleString("en-US")} more like this in ${seconds} s (the last: ${last.message})`,
    });
    kind.suppressed = 0;
    kind.suppressedBytes = 0;
    kind.last = null;
    kind.since = now;
  }
}
