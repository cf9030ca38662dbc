/**
 * A PDF table's header row never ends a page alone, even when it wraps to several lines and its first row
 * does too (the Servers table: 17 narrow columns, long server names). The Servers table is moved down the
 * first page line by line (a scope naming more servers makes the scope line longer) until it starts too
 * low for its header and first row; each time, the page the header is on also holds a row.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { renderReport } from "../../electron/monitor/reports/render/index.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";

const run = promisify(execFile);
const HAS_POPPLER = await run("pdftotext", ["-v"]).then(
  () => true,
  () => false,
);
const UNTIL = Date.parse("2026-12-01T12:00:00Z");
const NAMES = Array.from({ length: 30 }, (_, i) => `srv${String(i).padStart(2, "0")}-${"n".repeat(110)}`);
const HEADER = /Server\s+Calls\s+Error/;
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;

beforeAll(async () => {
  dir = await tempDir();
  db = openDb(join(dir.path, "mcpscope.db"));
  const insert = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
     VALUES ('s1', ?, 'c2s', ?, 'tools/call', 't', ?, 3, 'ok', 10, 10)`,
  );
  db.transaction(() => {
    for (const [i, name] of NAMES.entries()) insert.run(name, String(i), UNTIL - 60_000 + i);
  });
});
afterAll(async () => {
  db.close();
  await dir.cleanup();
});

describe.skipIf(!HAS_POPPLER)("a PDF table's header row", () => {
  it("goes to the next page with the first row when both do not fit", async () => {
    let crossed = 0;
    // From a scope long enough to bring the table near the bottom of the first page.
    for (let k = 18; k <= NAMES.length; k++) {
      const servers = NAMES.slice(0, k);
      const report = await buildReport(db, { since: "1h", until: new Date(UNTIL).toISOString(), servers });
      const path = join(dir.path, `r${k}.pdf`);
      await writeFile(path, Buffer.from((await renderReport(report, { format: "pdf" })).content, "base64"));
      const pages = (await run("pdftotext", ["-layout", path, "-"])).stdout.split("\f");
      const first = pages.findIndex((p) => HEADER.test(p));
      const page = pages[first] ?? "";
      const afterHeader = page.slice(page.search(HEADER));
      expect(afterHeader, `scope of ${k}: the header ends page ${first + 1} alone`).toMatch(/srv\d\d-/);
      if (first > 0) crossed++;
    }
    // The scan did move the table onto the second page: the case above was met.
    expect(crossed).toBeGreaterThan(0);
  });
});
