/** The live tail's pages (`logs.tail`): a cursor that moves past what does not match, and full pages said. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogReader } from "../../electron/monitor/logs/log-reader.js";
import { insertLogs, tempStore } from "./store.js";

let store: Awaited<ReturnType<typeof tempStore>>;
let reader: LogReader;
beforeAll(async () => {
  store = await tempStore();
  reader = new LogReader(store.db);
});
afterAll(() => store.cleanup());

describe("logs.tail", () => {
  it("begins at the newest record, then pages after the cursor, oldest first", () => {
    const [before] = insertLogs(store.db, [{ message: "before the tail" }]);
    const start = reader.tail({});
    expect(start).toEqual({ records: [], cursor: before, more: false });
    const ids = insertLogs(
      store.db,
      Array.from({ length: 5 }, (_, i) => ({ message: `line ${i}`, server: i % 2 ? "b" : "a" })),
    );
    const first = reader.tail({ after: start.cursor, limit: 2 });
    expect(first.records.map((r) => r.message)).toEqual(["line 0", "line 1"]);
    expect(first).toMatchObject({ cursor: ids[1], more: true });
    const rest = reader.tail({ after: first.cursor, limit: 2 });
    expect(rest.records.map((r) => r.message)).toEqual(["line 2", "line 3"]);
    const last = reader.tail({ after: rest.cursor, limit: 2 });
    expect(last).toMatchObject({ cursor: ids[4], more: false });
    expect(last.records.map((r) => r.message)).toEqual(["line 4"]);
  });

  it("moves a filtered tail's cursor past records that do not match", () => {
    const start = reader.tail({ server: "b" });
    const ids = insertLogs(store.db, [
      { message: "skip me", server: "a" },
      { message: "take me", server: "b" },
      { message: "skip me too", server: "a" },
    ]);
    const page = reader.tail({ server: "b", after: start.cursor });
    expect(page.records.map((r) => r.message)).toEqual(["take me"]);
    expect(page).toMatchObject({ cursor: ids[2], more: false });
    expect(reader.tail({ server: "b", after: page.cursor }).records).toEqual([]);
  });

  it("with text, finds records that a writer which does not index left behind", () => {
    const start = reader.tail({ text: "zebra" });
    store.db
      .prepare(
        "INSERT INTO logs (time, level, server, source, message) VALUES (1, 'info', 'x', 'stderr', 'zebra crossing')",
      )
      .run();
    const page = reader.tail({ text: "zebra", after: start.cursor });
    expect(page.records.map((r) => r.message)).toEqual(["zebra crossing"]);
  });
});
