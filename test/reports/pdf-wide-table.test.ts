/**
 * The PDF's widest table (Servers: 17 columns) keeps every word, figure and date whole: copied out with
 * `pdftotext -layout`, a header, a protocol version, a client or a latency with its unit is never broken
 * over two lines, on A4 or Letter, even beside a server whose name is one long word.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { renderReport } from "../../electron/monitor/reports/render/index.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import type { Report } from "../../shared/report.js";
import { tempDir } from "../helpers/mcp.js";

const run = promisify(execFile);
const HAS_POPPLER = await run("pdftotext", ["-v"]).then(
  () => true,
  () => false,
);
const UNTIL = Date.parse("2026-12-01T12:00:00Z");
/** A server named like a formula and markup: one long word, which may wrap inside itself, and only it. */
const HOSTILE = `=HYPERLINK("http://evil.example","x")|<img src=x onerror=alert(1)>`;
const SERVERS = ["everything", "memory", "files & <docs>", HOSTILE];
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;

beforeAll(async () => {
  dir = await tempDir();
  db = openDb(join(dir.path, "mcpscope.db"));
  const insert = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
     VALUES (?, ?, 'c2s', ?, 'tools/call', 'echo', ?, ?, ?, 10, 10)`,
  );
  db.transaction(() => {
    for (let i = 0; i < 120; i++) {
      const server = SERVERS[i % 4] ?? "";
      insert.run(
        `s-${server}`,
        server,
        String(i),
        UNTIL - 600_000 + i * 1000,
        100.05 + i * 7.3,
        i % 4 ? "ok" : "tool_error",
      );
    }
  });
});
afterAll(async () => {
  db.close();
  await dir.cleanup();
});

/** The report with what the other stores give a monitored server: health, crashes, resources, clients. */
function filled(report: Report): Report {
  return {
    ...report,
    servers: report.servers.map((s, i) => ({
      ...s,
      availability: { checks: 120, uptimePct: 97.5, downtimes: [], longestDowntimeMs: 183_000 + i },
      crashes: 2,
      restarts: 3,
      resources: { cpuMeanPct: 1.25, cpuMaxPct: 38.5, rssMaxBytes: 71_198_720 + i * 1_048_576 },
      clients: ["qa-client 1.0"],
      protocolVersions: ["2025-11-25"],
    })),
  };
}

describe.skipIf(!HAS_POPPLER)("the PDF's Servers table", () => {
  for (const paper of ["a4", "letter"] as const)
    it(`breaks no word, date or figure over two lines (${paper})`, async () => {
      const report = filled(await buildReport(db, { since: "1h", until: new Date(UNTIL).toISOString() }));
      expect(report.servers).toHaveLength(4);
      const file = await renderReport(report, { format: "pdf", paper });
      const path = join(dir.path, `r-${paper}.pdf`);
      await writeFile(path, Buffer.from(file.content, "base64"));
      const text = (await run("pdftotext", ["-layout", path, "-"])).stdout;
      const from = text.indexOf("Servers\n");
      const table = text.slice(from, text.indexOf("\n\n\n", from + 10) + 1 || undefined);
      // The header's words, each whole.
      for (const word of ["Downtimes", "Longest", "downtime", "Crashes", "Restarts", "Protocol", "versions"])
        expect(table).toMatch(new RegExp(`\\b${word}\\b`));
      for (const server of SERVERS) {
        const first = server.slice(0, 10);
        const line = table.split("\n").find((l) => l.includes(first));
        expect(line, `no line with ${server} whole in:\n${table}`).toBeDefined();
        // A server's figures and dates are on its own line, each whole.
        expect(line).toContain("2025-11-25");
        expect(line).toMatch(/\bqa-client\b/);
        expect(line).toMatch(/\d+(\.\d+)? ms\b/);
        expect(line).toMatch(/\d+(\.\d+)? MiB\b/);
        expect(line).toMatch(/\b97\.5(0)? ?%/);
      }
    });
});
