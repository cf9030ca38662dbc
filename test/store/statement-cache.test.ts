/**
 * A connection's prepared statements are reused (store/statement-cache.ts) without changing what any caller
 * reads: its own row shape, an iteration that another read of the same text does not end, no bound value
 * carried over, and a closed connection that refuses as before.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDb, type Statement } from "../../electron/monitor/store/db.js";
import { statementCache } from "../../electron/monitor/store/statement-cache.js";
import { testDir } from "../helpers/mcp.js";

const { DatabaseSync } = createRequire(import.meta.url)("node:sqlite") as {
  DatabaseSync: new (
    path: string,
  ) => { exec(sql: string): void; prepare(sql: string): Statement; close(): void };
};

describe("the statement cache", () => {
  let raw: InstanceType<typeof DatabaseSync>;
  let prepared: string[];
  const cache = (size?: number) =>
    statementCache((sql) => {
      prepared.push(sql);
      return raw.prepare(sql);
    }, size);

  beforeEach(() => {
    raw = new DatabaseSync(":memory:");
    raw.exec("CREATE TABLE t (x INTEGER, y TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    prepared = [];
  });
  afterEach(() => raw.close());

  it("prepares a text once, and again only after it was the least recently used of a full cache", () => {
    const statements = cache(2);
    for (let i = 0; i < 3; i++)
      expect(statements.prepare("SELECT x FROM t WHERE x = ?").get(2)).toEqual({ x: 2 });
    statements.prepare("SELECT 1 AS one");
    statements.prepare("SELECT x FROM t WHERE x = ?"); // used again: now the newest
    statements.prepare("SELECT 2 AS two"); // evicts SELECT 1
    statements.prepare("SELECT x FROM t WHERE x = ?");
    statements.prepare("SELECT 1 AS one");
    expect(prepared).toEqual([
      "SELECT x FROM t WHERE x = ?",
      "SELECT 1 AS one",
      "SELECT 2 AS two",
      "SELECT 1 AS one",
    ]);
  });

  it("gives each caller the row shape it asked for, whatever the other asked", () => {
    const statements = cache();
    const asArrays = statements.prepare("SELECT x, y FROM t WHERE x = ?");
    asArrays.setReturnArrays(true);
    const asObjects = statements.prepare("SELECT x, y FROM t WHERE x = ?");
    expect(prepared).toHaveLength(1);
    expect(asArrays.get(1)).toEqual([1, "a"]);
    expect(asObjects.get(1)).toEqual({ x: 1, y: "a" });
    expect(asArrays.all(2)).toEqual([[2, "b"]]);
    expect(asObjects.all(2)).toEqual([{ x: 2, y: "b" }]);
    expect([...asArrays.iterate(3)]).toEqual([[3, "c"]]);
  });

  it("lets an iteration finish while the same text is read in between", () => {
    const statements = cache();
    const rows = statements.prepare("SELECT x FROM t ORDER BY x").iterate();
    expect(rows.next().value).toEqual({ x: 1 });
    expect(statements.prepare("SELECT x FROM t ORDER BY x").all()).toHaveLength(3);
    expect([...rows]).toEqual([{ x: 2 }, { x: 3 }]);
  });

  it("carries no bound value from one call to the next", () => {
    const statements = cache();
    expect(statements.prepare("SELECT ? AS a, ? AS b").get(1, 2)).toEqual({ a: 1, b: 2 });
    expect(statements.prepare("SELECT ? AS a, ? AS b").get(1)).toEqual({ a: 1, b: null });
  });
});

describe("a kept statement over a file another connection changes", () => {
  it("reads the table's new columns, a pragma's included, and the new user_version", async () => {
    const path = join(await testDir("mcpscope-statements-"), "two.db");
    const mine = new DatabaseSync(path);
    const other = new DatabaseSync(path);
    try {
      mine.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x)");
      const statements = statementCache((sql) => mine.prepare(sql));
      const columns = () => statements.prepare("PRAGMA main.table_info(t)").all().length;
      const version = () => statements.prepare("PRAGMA user_version").get()?.user_version;
      expect([columns(), version()]).toEqual([1, 0]);
      other.exec("ALTER TABLE t ADD COLUMN y; PRAGMA user_version = 7; INSERT INTO t VALUES (1, 2)");
      expect([columns(), version()]).toEqual([2, 7]);
      expect(statements.prepare("SELECT * FROM t").all()).toEqual([{ x: 1, y: 2 }]);
    } finally {
      other.close();
      mine.close();
    }
  });
});

describe("a database connection", () => {
  it("reads what was written since a statement was first prepared, and refuses once closed", async () => {
    const db: Db = openDb(join(await testDir("mcpscope-statements-"), "mcpscope.db"));
    const count = () => Number(db.prepare("SELECT count(*) AS n FROM events").get()?.n);
    const before = count();
    db.exec("CREATE TABLE extra (v); INSERT INTO extra VALUES (1)");
    expect(db.prepare("SELECT v FROM extra").get()).toEqual({ v: 1 });
    db.exec("INSERT INTO extra VALUES (2)");
    expect(db.prepare("SELECT count(*) AS n FROM extra").get()).toEqual({ n: 2 });
    expect(count()).toBe(before);
    db.close();
    expect(() => db.prepare("SELECT v FROM extra").get()).toThrow(/database is not open/);
  });
});
