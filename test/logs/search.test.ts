/** Full-text and level filters return exactly the expected records, whatever the user types. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catchUpIndex, indexedUpTo } from "../../electron/monitor/logs/fts-index.js";
import { ftsQuery } from "../../electron/monitor/logs/fts-query.js";
import { logsAfter, searchLogs } from "../../electron/monitor/logs/log-queries.js";
import type { Db } from "../../electron/monitor/store/db.js";
import type { LogsQuery } from "../../shared/logs.js";
import { insertLogs, type TestLog, tempStore } from "./store.js";

const T0 = Date.parse("2026-11-25T10:00:00Z");
const ROWS: Array<TestLog & { key: string }> = [
  {
    key: "refused",
    message: "connection refused by upstream",
    level: "error",
    server: "files",
    session: "a",
  },
  { key: "foobar", message: "foo-bar baz started", level: "info", server: "files", session: "a" },
  { key: "hello", message: 'user said "hello world" twice', level: "info", server: "memory", session: "b" },
  {
    key: "timeout",
    message: "timeout after 30s contacting api",
    level: "warning",
    server: "memory",
    session: "b",
  },
  { key: "cafe", message: "café au lait served", level: "notice", server: "files", session: "c" },
  {
    key: "enoent",
    message: "request failed",
    level: "critical",
    server: "files",
    session: "c",
    fields: '{"code":"ENOENT","path":"/tmp/x"}',
  },
  { key: "arrow", message: "50% done -->", level: "debug", server: "memory", session: "d" },
  { key: "pool", message: "connection pool stats", level: "debug", server: "files", session: "d" },
  {
    key: "keywords",
    message: "NOT a keyword AND stuff OR near things",
    level: "info",
    server: "files",
    session: "d",
  },
  {
    key: "config",
    message: "configuration loaded",
    level: "info",
    server: "mcpscope",
    session: null,
    source: "mcpscope",
  },
];

let store: Awaited<ReturnType<typeof tempStore>>;
let db: Db;
const id = new Map<string, number>();
beforeAll(async () => {
  store = await tempStore();
  db = store.db;
  const ids = insertLogs(
    db,
    ROWS.map((r, i) => ({ ...r, time: T0 + i * 60_000 })),
  );
  ROWS.forEach((r, i) => {
    id.set(r.key, ids[i]!);
  });
});
afterAll(() => store.cleanup());

/** The keys of the matching rows, newest first, as search returns them. */
const keys = (query: LogsQuery) =>
  searchLogs(db, query, T0 + 3_600_000).map((r) => ROWS[[...id.values()].indexOf(r.id)]?.key);

describe("logs search", () => {
  const cases: Array<[string, LogsQuery, string[]]> = [
    ["a word", { text: "connection" }, ["pool", "refused"]],
    ["a word and a minimum level", { text: "connection", level: "warning" }, ["refused"]],
    ["a dashed word is a phrase", { text: "foo-bar" }, ["foobar"]],
    ["its words in the other order are not", { text: "bar-foo" }, []],
    ["a quoted phrase", { text: '"hello world"' }, ["hello"]],
    ["an unbalanced quote", { text: 'hello "world' }, ["hello"]],
    ["a lone quote: nothing indexable, matched literally", { text: '"' }, ["hello"]],
    ["punctuation only, matched literally", { text: "-->" }, ["arrow"]],
    ["a percent sign is not a LIKE wildcard", { text: "%" }, ["arrow"]],
    ["FTS5 keywords and syntax are plain words", { text: "AND OR NEAR(" }, ["keywords"]],
    ["column syntax is plain text", { text: "message:connection" }, []],
    ["a prefix", { text: "config*" }, ["config"]],
    ["diacritics fold", { text: "cafe" }, ["cafe"]],
    ["a field value", { text: "ENOENT" }, ["enoent"]],
    ["words anywhere in the record must all match", { text: "connection upstream" }, ["refused"]],
    ["level alone: error and above", { level: "error" }, ["enoent", "refused"]],
    [
      "level notice and above on one server",
      { level: "notice", server: "files" },
      ["enoent", "cafe", "refused"],
    ],
    ["a session", { session: "b" }, ["timeout", "hello"]],
    ["mcpscope's own records by server", { server: "mcpscope" }, ["config"]],
    [
      "a time range",
      { since: "2026-11-25T10:02:00Z", until: "2026-11-25T10:04:00Z" },
      ["cafe", "timeout", "hello"],
    ],
    ["text within a time range", { text: "connection", since: "2026-11-25T10:05:00Z" }, ["pool"]],
    ["a limit keeps the newest", { limit: 2 }, ["config", "keywords"]],
  ];
  for (const [name, query, expected] of cases) it(name, () => expect(keys(query)).toEqual(expected));

  it("pages back with beforeId, with and without text", () => {
    const first = searchLogs(db, { limit: 4 });
    const second = searchLogs(db, { limit: 4, beforeId: first.at(-1)!.id });
    const third = searchLogs(db, { limit: 4, beforeId: second.at(-1)!.id });
    expect([...first, ...second, ...third].map((r) => r.id)).toEqual([...id.values()].reverse());
    const page = searchLogs(db, { text: "connection", beforeId: id.get("pool")! });
    expect(page.map((r) => r.id)).toEqual([id.get("refused")]);
  });

  it("returns the record shape with fields parsed", () => {
    const [record] = searchLogs(db, { text: "ENOENT" });
    expect(record).toEqual({
      id: id.get("enoent"),
      time: new Date(T0 + 5 * 60_000).toISOString(),
      level: "critical",
      server: "files",
      session: "c",
      source: "stderr",
      logger: null,
      message: "request failed",
      fields: { code: "ENOENT", path: "/tmp/x" },
      requestId: null,
    });
  });

  it("tails after an id, oldest first, with the same filters", () => {
    expect(logsAfter(db, id.get("hello")!, { level: "warning" }).map((r) => r.id)).toEqual([
      id.get("timeout"),
      id.get("enoent"),
    ]);
    expect(logsAfter(db, 0, { text: "connection" }, 500, id.get("refused")).map((r) => r.id)).toEqual([
      id.get("refused"),
    ]);
  });
});

describe("full-text indexing", () => {
  it("indexes what a writer that does not index left behind; a text tail never moves past it", async () => {
    const other = await tempStore();
    try {
      const [indexed] = insertLogs(other.db, [{ message: "zebra one" }]);
      // A writer that does not index (like the supervisor's): the record is stored, not yet searchable.
      other.db
        .prepare(
          "INSERT INTO logs (time, level, server, source, message) VALUES (1, 'info', 'x', 'stderr', 'zebra two')",
        )
        .run();
      expect(searchLogs(other.db, { text: "zebra" }).map((r) => r.message)).toEqual(["zebra one"]);
      expect(
        logsAfter(other.db, 0, { text: "zebra" }, 500, Number.MAX_SAFE_INTEGER).map((r) => r.id),
      ).toEqual([indexed]);
      expect(indexedUpTo(other.db)).toBe(indexed);
      expect(catchUpIndex(other.db)).toBe(1);
      expect(searchLogs(other.db, { text: "zebra" }).map((r) => r.message)).toEqual([
        "zebra two",
        "zebra one",
      ]);
      expect(catchUpIndex(other.db)).toBe(0); // nothing pending: no write
    } finally {
      await other.cleanup();
    }
  });
});

describe("ftsQuery", () => {
  it("quotes every term", () => {
    expect(ftsQuery('foo-bar "a b" c* say"hi')).toBe('"foo-bar" "a b" "c"* "say""hi"');
    expect(ftsQuery("--> ' \"")).toBeNull();
  });
});
