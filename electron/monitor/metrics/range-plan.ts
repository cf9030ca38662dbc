/**
 * How a read covers [since, until]: which resolution serves which part (planRange), where retention has
 * deleted what each resolution held (Marks), and how an edge whose detail has expired is widened to the
 * bucket of the finest resolution still kept (widenRange), so the calls there are counted, not lost.
 */
import type { CountedRange as CountedRangeJson } from "../../../shared/metrics.js";
import type { Db } from "../store/db.js";
import { iso } from "../time.js";
import { DAY, HOUR, MINUTE, readState, STATE } from "./rollups.js";

export type Piece =
  | { kind: "rollup"; resolution: number; start: number; end: number }
  | { kind: "raw"; start: number; end: number; inclusive: boolean }
  | { kind: "none"; start: number; end: number };

export interface Marks {
  /** Time from which each source is complete (older rows were deleted). */
  rawFrom: number;
  minutesFrom: number;
  hoursFrom: number;
}

const LEVELS = [DAY, HOUR, MINUTE, 0] as const;

/**
 * Splits [since, until] (or [since, until) when not `inclusive`) into pieces, coarsest first where whole
 * buckets fit. Ordered by time.
 */
export function planRange(since: number, until: number, marks: Marks, inclusive = true): Piece[] {
  const pieces: Piece[] = [];
  const availableFrom = (level: number) =>
    level === DAY ? Number.NEGATIVE_INFINITY : level === HOUR ? marks.hoursFrom : marks.minutesFrom;

  const cover = (a: number, b: number, li: number): void => {
    if (a >= b) return;
    const level = LEVELS[li] ?? 0;
    if (level === 0) {
      if (a < marks.rawFrom) pieces.push({ kind: "none", start: a, end: Math.min(b, marks.rawFrom) });
      if (b > marks.rawFrom)
        pieces.push({ kind: "raw", start: Math.max(a, marks.rawFrom), end: b, inclusive: false });
      return;
    }
    const lo = Math.min(b, Math.max(a, availableFrom(level)));
    cover(a, lo, li + 1);
    const first = Math.ceil(lo / level) * level;
    const last = Math.floor(b / level) * level;
    if (first < last) {
      cover(lo, first, li + 1);
      pieces.push({ kind: "rollup", resolution: level, start: first, end: last });
      cover(last, b, li + 1);
    } else {
      cover(lo, b, li + 1);
    }
  };

  cover(since, until, 0);
  // [since, until] includes `until` itself.
  const tail = pieces[pieces.length - 1];
  if (!inclusive) return pieces;
  if (tail?.kind === "raw" && tail.end === until) tail.inclusive = true;
  else if (until >= marks.rawFrom) pieces.push({ kind: "raw", start: until, end: until, inclusive: true });
  return pieces;
}

/** The range a read actually counted when an edge had to be widened, and the resolution it fell on. */
export interface CountedRange {
  since: number;
  /** Exclusive when widened (then unlike the `until` asked); else the `until` asked, included. */
  until: number;
  /** The coarsest bucket an edge was widened to (ms): MINUTE, HOUR or DAY. */
  resolution: number;
}

/** The finest resolution still complete at `time` (0: raw calls), as retention deletes fine data first. */
export function finestKept(time: number, marks: Marks): number {
  if (time >= marks.rawFrom) return 0;
  if (Math.floor(time / MINUTE) * MINUTE >= marks.minutesFrom) return MINUTE;
  if (Math.floor(time / HOUR) * HOUR >= marks.hoursFrom) return HOUR;
  return DAY;
}

/**
 * [since, until] with each edge whose detail has expired widened outward to the bucket that holds it at
 * the finest resolution still kept; null when nothing had to be widened.
 */
export function widenRange(since: number, until: number, marks: Marks): CountedRange | null {
  const start = finestKept(since, marks);
  const end = finestKept(Math.floor(until / MINUTE) * MINUTE, marks);
  const from = start ? Math.floor(since / start) * start : since;
  const to = end && until % end !== 0 ? Math.floor(until / end) * end + end : until;
  if (from === since && to === until) return null;
  return { since: from, until: to, resolution: Math.max(from === since ? 0 : start, to === until ? 0 : end) };
}

/** A counted range as the API shows it. */
export function countedJson(counted: CountedRange): CountedRangeJson {
  const resolution = counted.resolution === DAY ? "day" : counted.resolution === HOUR ? "hour" : "minute";
  return { since: iso(counted.since), until: iso(counted.until), resolution };
}

export function readMarks(db: Db): Marks {
  return {
    rawFrom: readState(db, STATE.rawFrom),
    minutesFrom: readState(db, STATE.minutesFrom),
    hoursFrom: readState(db, STATE.hoursFrom),
  };
}
