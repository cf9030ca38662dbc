/**
 * The live tail's plumbing, kept free of Vue so that it can be reasoned about (and tested) alone:
 * matching a record against the view's filters, and batching pushed records into one append per frame
 * with every buffer capped, so that thousands of lines per second cost one render per frame.
 */
import { type LogLevel, levelRank } from "../../shared/levels.js";
import type { LogRecord } from "../../shared/logs.js";

/** Lines the tail keeps; older ones are dropped from the top. */
export const MAX_TAIL_LINES = 20_000;

export interface LogFilter {
  /** Full text, as `logs.search` takes it. */
  text: string;
  /** This level and above; "" for all. */
  level: LogLevel | "";
  server: string;
  session: string;
}

/** The words and phrases of a full-text query, lower-cased (quotes and prefix stars removed). */
export function queryTerms(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|(\S+)/g)) {
    const term = (match[1] ?? match[2] ?? "").replace(/\*+$/, "").toLowerCase().trim();
    if (term) terms.push(term);
  }
  return terms;
}

/**
 * Whether a pushed record belongs in the view. Text matches when every term is in the message or the
 * fields (a substring test: slightly looser than the full-text index, which matches whole words).
 */
export function matchesFilter(
  record: LogRecord,
  filter: LogFilter,
  terms = queryTerms(filter.text),
): boolean {
  if (filter.server && record.server !== filter.server) return false;
  if (filter.session && record.session !== filter.session) return false;
  if (filter.level && levelRank(record.level) < levelRank(filter.level)) return false;
  if (terms.length === 0) return true;
  const haystack = `${record.message}\n${record.fields ? JSON.stringify(record.fields) : ""}`.toLowerCase();
  return terms.every((t) => haystack.includes(t));
}

/** `current` + `incoming` (both oldest first), keeping the newest `cap`; `trimmed` were dropped from the top. */
export function appendCapped<T>(
  current: readonly T[],
  incoming: readonly T[],
  cap: number,
): { items: T[]; trimmed: number } {
  const total = current.length + incoming.length;
  const trimmed = Math.max(0, total - cap);
  if (trimmed === 0) return { items: current.concat(incoming), trimmed: 0 };
  if (trimmed >= current.length) return { items: incoming.slice(trimmed - current.length), trimmed };
  return { items: current.slice(trimmed).concat(incoming), trimmed };
}

type Schedule = (run: () => void) => unknown;

/**
 * Collects pushed batches and hands them on once per animation frame. While frames do not run (a
 * hidden tab), at most `cap` items wait; older ones are dropped and counted.
 */
export class FrameBatcher<T> {
  private pending: T[] = [];
  private scheduled = false;
  /** Items dropped because more than `cap` waited for a frame. */
  dropped = 0;

  constructor(
    private readonly flush: (batch: T[]) => void,
    /** Runs a callback on the next frame: `requestAnimationFrame` in the page. */
    private readonly schedule: Schedule,
    private readonly cap = MAX_TAIL_LINES,
  ) {}

  push(batch: readonly T[]): void {
    if (batch.length === 0) return;
    for (const item of batch) this.pending.push(item);
    if (this.pending.length > this.cap) {
      const excess = this.pending.length - this.cap;
      this.pending.splice(0, excess);
      this.dropped += excess;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      const ready = this.pending;
      this.pending = [];
      if (ready.length) this.flush(ready);
    });
  }

  /** Forgets what waits (the view was reloaded). */
  clear(): void {
    this.pending = [];
  }
}
