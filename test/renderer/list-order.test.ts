/** The Events and Calls views' lists: merged pages and live pushes in time order, as the engine and the CLI list them. */
import { describe, expect, it } from "vitest";
import { mergeCalls, mergeEvents } from "../../renderer/src/list-order.js";
import type { CallSummary } from "../../shared/domain.js";
import type { EventRecord } from "../../shared/events.js";

const event = (id: number, time: string): EventRecord => ({
  id,
  time,
  category: "system",
  type: `t${id}`,
  severity: "info",
  server: null,
  session: null,
  correlation: { requestId: null, traceId: null, progressToken: null, parentEvent: null },
  message: `event ${id}`,
  details: null,
});

describe("merging events", () => {
  it("puts an event pushed late with an early time in its place by time, without duplicates", () => {
    const shown = [event(3, "2026-12-06T10:03:00.000Z"), event(2, "2026-12-06T10:02:00.000Z")];
    const pushed = [event(4, "2026-12-06T10:01:00.000Z"), event(5, "2026-12-06T10:04:00.000Z"), shown[0]!];
    expect(mergeEvents(shown, pushed, 100).map((e) => e.id)).toEqual([5, 3, 2, 4]);
  });

  it("breaks ties in time by id, newest first", () => {
    const same = "2026-12-06T10:00:00.000Z";
    expect(mergeEvents([event(1, same)], [event(2, same)], 100).map((e) => e.id)).toEqual([2, 1]);
    expect(mergeEvents([event(1, same)], [event(2, same)], 1).map((e) => e.id)).toEqual([2]);
  });
});

const call = (id: number, startedAt: string): CallSummary => ({
  id,
  server: "s",
  sessionId: "a",
  direction: "c2s",
  requestId: String(id),
  method: "tools/call",
  target: "echo",
  outcome: "ok",
  startedAt,
  durationMs: 1,
  errorCode: null,
  errorMessage: null,
  bytesIn: 1,
  bytesOut: 1,
  rounds: 0,
  progressCount: 0,
  task: null,
});

describe("merging calls", () => {
  it("puts a call pushed late by another wrapper with an earlier time in its place, not at the top", () => {
    const shown = [call(11, "2026-12-06T21:25:24.923Z"), call(10, "2026-12-06T21:25:24.617Z")];
    // Another wrapper's batch, written after: ids above the shown ones, times between and below them.
    const pushed = [call(12, "2026-12-06T21:25:24.720Z"), call(13, "2026-12-06T21:25:24.514Z")];
    expect(mergeCalls(shown, pushed, 100).map((c) => c.id)).toEqual([11, 12, 10, 13]);
  });

  it("breaks ties in time by id, and the cap keeps the newest by time", () => {
    const same = "2026-12-06T10:00:00.000Z";
    expect(mergeCalls([call(1, same)], [call(2, same)], 100).map((c) => c.id)).toEqual([2, 1]);
    expect(mergeCalls([call(5, "2026-12-06T10:00:01.000Z")], [call(6, same)], 1).map((c) => c.id)).toEqual([
      5,
    ]);
  });
});
