/**
 * A full-text search over a time range finds every matching record in it, also when records were stored
 * out of time order: late (a wrapper that waited on a locked database) or under a clock that stepped back.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { catchUpIndex } from "../../electron/monitor/logs/fts-index.js";
import { searchLogs } from "../../electron/monitor/logs/log-queries.js";
import { insertLogs, tempStore } from "./store.js";

const NOW = Date.parse("2026-12-06T21:30:00Z");
const MIN = 60_000;
const DAY = 86_400_000;

let store: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.cleanup());

const found = (query: Parameters<typeof searchLogs>[1]) =>
  searchLogs(store.db, { limit: 1000, ...query }, NOW).map((r) => r.message);

describe("full-text search over a time range", () => {
  it("finds records stored before one that came late with an old time", () => {
    insertLogs(
      store.db,
      Array.from({ length: 20 }, (_, i) => ({ time: NOW - 50 * MIN + i * MIN, message: `pino line ${i}` })),
    );
    insertLogs(store.db, [{ time: NOW - 20 * DAY, message: "OLD-LINE stored late" }]);
    insertLogs(store.db, [{ time: NOW - 5 * MIN, message: "pino line after" }]);
    catchUpIndex(store.db);

    expect(found({ text: "pino", since: "1h" })).toHaveLength(21);
    expect(found({ text: "pin*", since: "1h" })).toHaveLength(21);
    expect(found({ text: "OLD-LINE", since: "30d", until: new Date(NOW - 19 * DAY).toISOString() })).toEqual([
      "OLD-LINE stored late",
    ]);
    expect(found({ text: "pino", since: "30d", until: new Date(NOW - 19 * DAY).toISOString() })).toEqual([]);
  });

  it("finds every record of a range that spans many ids but a small part of a large table", () => {
    // Ids jump the way a table of millions of rows has them: old rows far below, a week spread wide.
    const at = (id: number, time: number, message: string) =>
      store.db
        .prepare(
          "INSERT INTO logs (id, time, level, server, source, message) VALUES (?, ?, 'info', 'files', 'stderr', ?)",
        )
        .run(id, time, message);
    at(1, NOW - 60 * DAY, "pino old first");
    at(8_000_000, NOW - 30 * DAY, "pino old last");
    at(9_000_000, NOW - 6 * DAY, "pino week start");
    at(9_600_000, NOW - 3 * DAY, "pino week middle");
    at(9_700_000, NOW - 40 * DAY, "pino stored late");
    at(10_000_000, NOW - MIN, "pino now");
    catchUpIndex(store.db);

    expect(found({ text: "pino", since: "7d" })).toEqual(["pino now", "pino week middle", "pino week start"]);
    expect(found({ text: "pino", since: "45d", until: new Date(NOW - 20 * DAY).toISOString() })).toEqual([
      "pino stored late",
      "pino old last",
    ]);
  });

  it("finds records on both sides of a clock step back, and bounds `until` safely", () => {
    // Stored in this order: 10:00–10:09, then the clock steps back an hour: 09:10–09:19.
    const ten = Date.parse("2026-12-06T10:00:00Z");
    insertLogs(
      store.db,
      Array.from({ length: 10 }, (_, i) => ({ time: ten + i * MIN, message: `before step ${i}` })),
    );
    insertLogs(
      store.db,
      Array.from({ length: 10 }, (_, i) => ({ time: ten - 50 * MIN + i * MIN, message: `after step ${i}` })),
    );
    catchUpIndex(store.db);

    const range = (since: number, until: number) => ({
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
    });
    expect(found({ text: "step", ...range(ten - 60 * MIN, ten + 60 * MIN) })).toHaveLength(20);
    expect(found({ text: "step", ...range(ten, ten + 60 * MIN) }).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `before step ${i}`),
    );
    expect(found({ text: "step", ...range(ten - 60 * MIN, ten - 41 * MIN) }).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `after step ${i}`),
    );
    expect(found({ text: "step", ...range(ten + 30 * MIN, ten + 40 * MIN) })).toEqual([]);
  });
});
