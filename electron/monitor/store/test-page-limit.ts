/**
 * A full disk, for tests that cannot mount a small file system: when `MCPSCOPE_TEST_PAGE_LIMIT_FILE` names a
 * file, every write transaction of a wrapper's connection first caps the database at the number of pages
 * that file holds (SQLite's `max_page_count`, which never goes below the pages in use, so `1` means "no
 * more room"), and lifts the cap once the file is gone. SQLite then refuses writes with the message a full
 * disk gives. Honoured only under the test runner (`VITEST` set, as vitest sets it and the wrappers a test
 * spawns inherit it): a variable left in a client config's env or a shell must never cap a user's database.
 * Anywhere else the connection is returned as it is.
 */
import { readFileSync } from "node:fs";
import type { Db } from "./db.js";

export const PAGE_LIMIT_FILE_ENV = "MCPSCOPE_TEST_PAGE_LIMIT_FILE";

/** SQLite's largest page count: no cap. */
const NO_CAP = 4294967294;

export function withTestPageLimit(db: Db, file = process.env[PAGE_LIMIT_FILE_ENV]): Db {
  if (!file || !process.env.VITEST) return db;
  const cap = (): number => {
    try {
      const pages = Math.floor(Number(readFileSync(file, "utf8").trim()));
      return pages > 0 ? pages : NO_CAP;
    } catch {
      return NO_CAP;
    }
  };
  return {
    ...db,
    path: db.path,
    transaction(fn) {
      db.exec(`PRAGMA max_page_count = ${cap()}`);
      return db.transaction(fn);
    },
  };
}
