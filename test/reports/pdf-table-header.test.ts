/** A PDF table that runs onto further pages repeats its header row on each, so its columns can be read. */
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
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;

beforeAll(async () => {
  dir = await tempDir();
  db = openDb(join(dir.path, "mcpscope.db"));
  const insert = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
     VALUES ('s1', 'files', 'c2s', ?, 'tools/call', ?, ?, 3, 'ok', 10, 10)`,
  );
  db.transaction(() => {
    for (let i = 0; i < 150; i++)
      insert.run(String(i), `tool-${String(i).padStart(3, "0")}`, UNTIL - 60_000 + i);
  });
});
afterAll(async () => {
  db.close();
  await dir.cleanup();
});

describe.skipIf(!HAS_POPPLER)("PDF tables over several pages", () => {
  it("repeat the header row on every page the table continues on", async () => {
    const report = await buildReport(db, { since: "1h", until: new Date(UNTIL).toISOString() });
    const file = await renderReport(report, { format: "pdf" });
    const path = join(dir.path, "r.pdf");
    await writeFile(path, Buffer.from(file.content, "base64"));
    const pages = (await run("pdftotext", ["-layout", path, "-"])).stdout.split("\f");
    const withTools = pages.filter((p) => /tool-\d{3}/.test(p));
    expect(withTools.length).toBeGreaterThan(2);
    for (const page of withTools) expect(page).toMatch(/Server\s+Tool\s+Calls\s+Errors\s+Tool errors/);
    // Every tool is there, once.
    const listed = withTools.join("\n").match(/tool-\d{3}/g) ?? [];
    expect(new Set(listed).size).toBe(150);
  });
});
