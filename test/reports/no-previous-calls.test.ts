/**
 * A previous period with no call recorded gives nothing to compare with: its call figures are null in the
 * JSON (never 0, which would read as calls rising "from 0"), — in the tables, and every format says so in
 * words. A previous period with calls still gives its figures and the change.
 */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { summaryLines } from "../../electron/monitor/reports/schedule-run.js";
import type { Report } from "../../shared/report.js";
import { cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";

const run = promisify(execFile);
const HAS_POPPLER = await run("pdftotext", ["-v"]).then(
  () => true,
  () => false,
);

const UNTIL = Date.UTC(2026, 11, 1, 12, 0);
const at = (t: number) => new Date(t).toISOString();
const reads = (n: number, from: number): TestCall[] =>
  Array.from({ length: n }, (_, i) => ({
    server: "files",
    method: "tools/call",
    target: "read",
    outcome: "ok",
    startedAt: from + i * MINUTE,
    durationMs: 3,
  }));

let dir: Awaited<ReturnType<typeof tempDir>>;
/** Calls only in the last 20 minutes: nothing was recorded before them. */
let fresh: string;
/** Calls 3 days back, 4 calls 90 minutes back, 5 in the last 20 minutes. */
let older: string;

beforeAll(async () => {
  dir = await tempDir();
  fresh = join(dir.path, "fresh");
  older = join(dir.path, "older");
  await mkdir(fresh);
  await mkdir(older);
  recordCalls(fresh, reads(5, UNTIL - 20 * MINUTE));
  recordCalls(older, [
    ...reads(2, UNTIL - 3 * DAY),
    ...reads(4, UNTIL - 90 * MINUTE),
    ...reads(5, UNTIL - 20 * MINUTE),
  ]);
});
afterAll(() => dir.cleanup());

const report = async (data: string, since: string, ...format: string[]) =>
  (
    await cliOkInProcess([
      "report",
      "--since",
      since,
      "--until",
      at(UNTIL),
      ...format,
      "--output",
      "-",
      "--data-dir",
      data,
    ])
  ).stdout;
const json = async (data: string, since: string) =>
  JSON.parse(await report(data, since, "--format", "json")) as Report;
const words = (text: string) => text.replace(/\s+/g, " ");

describe("a report over a fresh store with calls only in this period", () => {
  const SAID = `No calls recorded in the previous period (data starts at 2026-12-01 11:40:00Z): nothing to compare with.`;

  it("has null previous call figures in the JSON, the tools' previous calls included", async () => {
    const doc = await json(fresh, "1h");
    expect(doc.schemaVersion).toBe(2);
    expect(doc.summary.calls).toEqual({ value: 5, previous: null });
    expect(doc.summary.errors).toEqual({ value: 0, previous: null });
    expect(doc.summary.activeServers).toEqual({ value: 1, previous: null });
    expect(doc.tools.map((t) => [t.tool, t.calls, t.previousCalls])).toEqual([["read", 5, null]]);
    expect(summaryLines(doc)).toContain("Calls: 5 (no calls recorded in the previous period)");
  });

  it("says so in Markdown and HTML, with — for the previous figures", async () => {
    const md = await report(fresh, "1h", "--format", "md");
    expect(md).toContain(SAID);
    expect(md).toContain("| Calls | 5 | — | — |");
    expect(md).toContain("| files | read | 5 | 0 | 0 | 0 | 3 ms | 3 ms | 3 ms | — | — |");
    expect(await report(fresh, "1h", "--format", "html")).toContain(SAID);
  });

  it("leaves the previous cells of the CSV empty", async () => {
    const tools = (await report(fresh, "1h", "--format", "csv", "--section", "tools")).split("\r\n");
    expect(tools[1]).toBe("files,read,5,0,0,0,3,3,3,,");
    const summary = (await report(fresh, "1h", "--format", "csv", "--section", "summary")).split("\r\n");
    expect(summary).toContain('Calls,5,,,count,"ratio, 0.25 = +25%"');
  });

  it.skipIf(!HAS_POPPLER)("says so in the PDF", async () => {
    const file = join(dir.path, "fresh.pdf");
    await cliOkInProcess([
      "report",
      "--since",
      "1h",
      "--until",
      at(UNTIL),
      "--format",
      "pdf",
      "--output",
      file,
      "--data-dir",
      fresh,
    ]);
    const { stdout } = await run("pdftotext", ["-layout", file, "-"]);
    expect(words(stdout)).toContain(SAID);
  });
});

describe("a previous period recorded with no call in it", () => {
  it("has nothing to compare with either, and says so without a data start", async () => {
    const doc = await json(older, "30m");
    expect(doc.summary.calls).toEqual({ value: 5, previous: null });
    expect(doc.tools.map((t) => t.previousCalls)).toEqual([null]);
    const md = await report(older, "30m", "--format", "md");
    expect(md).toContain(
      "Times are in UTC. No calls recorded in the previous period: nothing to compare with.",
    );
    expect(md).toContain("| Calls | 5 | — | — |");
  });
});

describe("a previous period with calls", () => {
  it("still gives its figures and the change, and no such words", async () => {
    const doc = await json(older, "1h");
    expect(doc.summary.calls).toEqual({ value: 5, previous: 4 });
    expect(doc.tools.map((t) => [t.tool, t.calls, t.previousCalls])).toEqual([["read", 5, 4]]);
    expect(summaryLines(doc)).toContain("Calls: 5 (+25% on the previous period)");
    const md = await report(older, "1h", "--format", "md");
    expect(md).toContain("| Calls | 5 | 4 | +25% |");
    expect(md).toContain("| files | read | 5 | 0 | 0 | 0 | 3 ms | 3 ms | 3 ms | 4 | +25% |");
    expect(md).not.toContain("previous period: nothing to compare with");
  });
});
