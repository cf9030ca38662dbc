/** The Events view's list: merged pages and live pushes in time order, as the engine and the CLI list them. */
import { describe, expect, it } from "vitest";
import { mergeEvents } from "../../renderer/src/event-order.js";
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
