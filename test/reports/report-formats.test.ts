/**
 * Reports over a known workload through real servers and `mcpscope run`: every figure of the JSON report
 * equals what `mcpscope stats` and `mcpscope calls` give for the same range; Markdown, CSV, HTML and PDF
 * carry the same figures; the HTML opens in Chromium with no error and no request; a secret fed through
 * the workload appears in no format. The CLI runs in process, but where its HOME or working directory is
 * what a test is about.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallSummary, StatsDocument } from "../../shared/domain.js";
import type { Report } from "../../shared/report.js";
import { cliInProcess, cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { connect, MCPSCOPE, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";
import { HAS_CHROMIUM, launchChromium } from "../ui/chromium.js";

const run = promisify(execFile);
// Built at run time so the secret is not a literal in the repository either.
const SECRET = `ghp_${"Q1w2E3r4T5y6U7i8O9p0".repeat(2).slice(0, 36)}`;
const HAS_POPPLER = await run("pdftotext", ["-v"]).then(
  () => true,
  () => false,
);

async function report(args: string[]): Promise<string> {
  const { stdout } = await cliOkInProcess(["report", ...args, "--output", "-"]);
  return stdout;
}

describe("mcpscope report", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let range: string[];
  let doc: Report;
  let stats: StatsDocument;
  const fmt = (n: number) => n.toLocaleString("en-US");

  beforeAll(async () => {
    dir = await tempDir();
    const since = new Date(Date.now() - 1000).toISOString();
    const everything = await connect(SERVERS.everything(), { dataDir: dir.path, name: "everything" });
    for (let i = 0; i < 7; i++)
      await everything.callTool({ name: "echo", arguments: { message: `hello ${i}` } });
    await everything.callTool({ name: "echo", arguments: { message: `deploy with ${SECRET}` } });
    for (let i = 0; i < 3; i++) await everything.callTool({ name: "get-sum", arguments: { a: i, b: 40 } });
    await everything.callTool({ name: "echo", arguments: { wrong: 1 } });
    await everything.callTool({ name: "no-such-tool", arguments: {} }).catch(() => {});
    await everything.close();
    const memory = await connect(SERVERS.memory(), { dataDir: dir.path, name: "memory" });
    for (let i = 0; i < 4; i++) await memory.callTool({ name: "read_graph", arguments: {} });
    await memory.close();
    // Wrappers write in batches: wait until every call of the workload is stored.
    await waitFor(async () => {
      const calls = await cliJsonInProcess<{ calls: CallSummary[] }>([
        "calls",
        "--data-dir",
        dir.path,
        "--since",
        since,
        "--limit",
        "1000",
      ]);
      return calls.calls.filter((c) => c.method === "tools/call").length === 17;
    });
    range = ["--since", since, "--until", new Date(Date.now() + 1).toISOString(), "--data-dir", dir.path];
    stats = await cliJsonInProcess<StatsDocument>(["stats", ...range]);
    doc = JSON.parse(await report([...range, "--format", "json"])) as Report;
  }, 60_000);

  afterAll(async () => {
    await dir.cleanup();
  });

  it("counts what stats counts, per server and per tool, and sums them in the summary", () => {
    expect(doc.schemaVersion).toBe(2);
    expect(doc.since).toBe(stats.since);
    expect(doc.until).toBe(stats.until);
    const total = stats.servers.reduce((n, s) => n + s.calls, 0);
    const errors = stats.servers.reduce((n, s) => n + s.errors, 0);
    expect(total).toBeGreaterThanOrEqual(17);
    expect(doc.summary.calls.value).toBe(total);
    expect(doc.summary.errors.value).toBe(errors);
    expect(doc.summary.activeServers.value).toBe(2);
    // The previous period is before the first record: not recorded, so no figure.
    expect(doc.summary.calls.previous).toBeNull();
    for (const s of stats.servers) {
      const row = doc.servers.find((r) => r.server === s.server);
      expect(row, s.server).toMatchObject({ calls: s.calls, errors: s.errors, errorRate: s.error_rate });
      for (const op of s.operations.filter((o) => o.method === "tools/call")) {
        const tool = doc.tools.find((t) => t.server === s.server && t.tool === op.target);
        expect(tool, `${s.server} ${op.target}`).toMatchObject({
          calls: op.calls,
          errors: op.errors,
          outcomes: op.outcomes,
          latency: op.latency_ms,
        });
      }
    }
    expect(doc.tools.find((t) => t.server === "everything" && t.tool === "echo")?.calls).toBe(9);
    expect(doc.tools.find((t) => t.server === "memory" && t.tool === "read_graph")?.calls).toBe(4);
    expect(doc.data).toMatchObject({ source: "raw", accuracy: "exact" });
    expect(doc.servers.find((s) => s.server === "everything")?.clients).toEqual(["mcpscope-test 1.0.0"]);
    // The token is found twice: in the echo's arguments and in its result (one finding per kind and field).
    expect(doc.summary.securityFindings.value).toBe(2);
    expect(doc.security.secretFindings).toBe(2);
    expect(doc.security.audit.ok).toBe(true);
  });

  it("lists the slowest calls by their ids, as calls lists them", async () => {
    const calls = await cliJsonInProcess<{ calls: CallSummary[] }>(["calls", ...range, "--limit", "1000"]);
    const slowest = [...calls.calls].sort((a, b) => b.durationMs - a.durationMs)[0];
    expect(doc.slowest[0]?.durationMs).toBe(slowest?.durationMs);
    const byId = new Map(calls.calls.map((c) => [c.id, c]));
    for (const s of doc.slowest) expect(byId.get(s.id)?.durationMs).toBe(s.durationMs);
  });

  it("scopes to the servers asked for", async () => {
    const one = JSON.parse(await report([...range, "--format", "json", "--server", "memory"])) as Report;
    expect(one.servers.map((s) => s.server)).toEqual(["memory"]);
    expect(one.summary.calls.value).toBe(stats.servers.find((s) => s.server === "memory")?.calls);
    expect(one.scope.servers).toEqual(["memory"]);
  });

  it("scopes to the servers one client has configured", async () => {
    const home = join(dir.path, "home");
    await mkdir(join(home, ".cursor"), { recursive: true });
    await writeFile(
      join(home, ".cursor", "mcp.json"),
      JSON.stringify({ mcpServers: { memory: { command: process.execPath, args: ["memory.js"] } } }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.XDG_CONFIG_HOME;
    const { stdout } = await run(
      process.execPath,
      [MCPSCOPE, "report", ...range, "--format", "json", "--client", "cursor", "--output", "-"],
      { cwd: home, env },
    );
    const scoped = JSON.parse(stdout) as Report;
    expect(scoped.scope).toMatchObject({ servers: null, client: "cursor" });
    expect(scoped.servers.map((s) => s.server)).toEqual(["memory"]);
    expect(scoped.summary.calls.value).toBe(stats.servers.find((s) => s.server === "memory")?.calls);
  });

  it("carries the same figures in Markdown, CSV and HTML", async () => {
    const md = await report([...range, "--format", "md"]);
    const csv = await report([...range, "--format", "csv", "--section", "tools"]);
    const html = await report([...range, "--format", "html"]);
    for (const t of doc.tools) {
      expect(md).toMatch(
        // Markdown shows a name's `_` escaped (`\_`), as GitHub reads it.
        new RegExp(
          `\\| ${t.server} \\| ${t.tool.replaceAll("_", "\\\\_")} \\| ${fmt(t.calls)} \\| ${fmt(t.errors)} \\|`,
        ),
      );
      expect(csv).toContain(`${t.server},${t.tool},${t.calls},${t.errors},`);
      expect(html).toContain(`<td>${t.tool}</td><td class="n">${fmt(t.calls)}</td>`);
    }
    expect(md).toContain(`| Calls | ${fmt(doc.summary.calls.value ?? -1)} | — |`);
    expect(csv.split("\r\n")[0]).toBe(
      'Server,Tool,Calls,Errors,Tool errors,Timeouts,p50 (ms),p95 (ms),p99 (ms),Previous calls,"Calls change (ratio, 0.25 = +25%)"',
    );
    expect(csv.split("\r\n")).toHaveLength(doc.tools.length + 2);
    expect(html).toContain(`<td>Calls</td><td class="n">${fmt(doc.summary.calls.value ?? -1)}</td>`);
    expect(html).toMatch(/<svg[^>]*>/);
    // Their times are UTC (`…Z`), and each says so where the period is given.
    expect(md).toMatch(/^Period: .*\. Times are in UTC\./m);
    expect(html).toContain(". Times are in UTC.");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/i);
    for (const text of [md, csv, html, JSON.stringify(doc)]) expect(text).not.toContain(SECRET);
  });

  it("writes the file under its suggested name and says so on stderr", async () => {
    const { stderr } = await run(
      process.execPath,
      [MCPSCOPE, "report", "--period", "week", "--format", "md", "--data-dir", dir.path],
      {
        cwd: dir.path,
      },
    );
    const name = /wrote (\S+\/mcpscope-report-\d{4}-\d{2}-\d{2}_to_\d{4}-\d{2}-\d{2}\.md) /.exec(stderr)?.[1];
    expect(name, stderr).toBeDefined();
    expect(await readFile(name as string, "utf8")).toMatch(/^# mcpscope report/);
  });

  it("refuses bad flags with one line and exit 2", async () => {
    for (const args of [
      ["--format", "docx"],
      ["--section", "tools"],
      ["--since", "7d", "--period", "week"],
      ["--client", "nope"],
    ]) {
      const failed = await cliInProcess(["report", ...args, "--data-dir", dir.path]);
      expect(failed.status, args.join(" ")).toBe(2);
      expect(failed.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it.skipIf(!HAS_CHROMIUM)(
    "opens the HTML in Chromium with no console error and no network request",
    async () => {
      const file = join(dir.path, "report.html");
      await cliOkInProcess(["report", ...range, "--format", "html", "--output", file]);
      let browser: Browser | null = null;
      try {
        browser = await launchChromium();
        const page = await browser.newPage();
        const problems: string[] = [];
        const requests: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
        });
        page.on("pageerror", (e) => problems.push(e.message));
        page.on("request", (r) => requests.push(r.url()));
        await page.goto(`file://${file}`);
        await page.waitForLoadState("load");
        expect(await page.locator("h1").textContent()).toBe("mcpscope report");
        expect(await page.locator("figure svg").count()).toBeGreaterThan(0);
        expect(problems).toEqual([]);
        expect(requests).toEqual([`file://${file}`]);
      } finally {
        await browser?.close();
      }
    },
  );

  it.skipIf(!HAS_CHROMIUM || !HAS_POPPLER)(
    "shows the wide Servers table readably (no name broken a letter a line) and prints every column",
    async () => {
      const file = join(dir.path, "wide.html");
      await cliOkInProcess(["report", ...range, "--format", "html", "--output", file]);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(`file://${file}`);
        // A cell's text on one line: its range has one client rect.
        const lines =
          await page.evaluate(`[...document.querySelectorAll("section:nth-of-type(2) table tr > :first-child")]
          .map((cell) => { const range = document.createRange(); range.selectNodeContents(cell); return [cell.textContent, range.getClientRects().length]; })`);
        expect(lines).toEqual([["Server", 1], ...doc.servers.map((s) => [s.server, 1])]);
        // The table scrolls within its box; the page itself does not overflow sideways.
        expect(
          await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
        ).toBe(true);
        await page.emulateMedia({ media: "print" });
        const pdf = join(dir.path, "wide-print.pdf");
        await page.pdf({ path: pdf, preferCSSPageSize: true });
        const { stdout: text } = await run("pdftotext", ["-layout", pdf, "-"]);
        for (const word of ["Longest", "Crashes", "Restarts", "Memory", "Clients", "Protocol"])
          expect(text).toContain(word);
        for (const s of doc.servers) {
          for (const client of s.clients) expect(text).toContain(client.split(" ")[0]);
          for (const version of s.protocolVersions) expect(text).toContain(version);
        }
      } finally {
        await browser.close();
      }
    },
  );

  it.skipIf(!HAS_POPPLER)(
    "writes a PDF whose text carries the figures and whose first page has content",
    async () => {
      const file = join(dir.path, "report.pdf");
      await cliOkInProcess(["report", ...range, "--format", "pdf", "--paper", "letter", "--output", file]);
      expect((await readFile(file)).subarray(0, 5).toString()).toBe("%PDF-");
      const { stdout: text } = await run("pdftotext", ["-layout", file, "-"]);
      expect(text).toContain("mcpscope report");
      expect(text).toMatch(/Page 1 of \d+/);
      expect(text).toContain(`generated ${doc.generatedAt.slice(0, 10)}`);
      for (const t of doc.tools)
        expect(text).toMatch(new RegExp(`${t.tool}\\s+${fmt(t.calls)}\\s+${fmt(t.errors)}`));
      expect(text).not.toContain(SECRET);
      // Column widths leave room for every whole word: no header is broken mid-word (`Call|s`, `Upti|me`).
      expect(text).toMatch(/^\s*Server\s+Calls\s+Errors\b.*\bUptime\s+Downtimes\b.*\bCrashes\s+Restarts\b/m);
      const { stdout: info } = await run("pdfinfo", [file]);
      expect(info).toMatch(/Page size:\s+612 x 792 pts/);
      // Page 1 as a small greyscale image: some pixels must be dark (text and chart lines).
      await run("pdftoppm", ["-f", "1", "-l", "1", "-r", "30", "-gray", file, join(dir.path, "page")]);
      const pgm = await readFile(join(dir.path, "page-1.pgm"));
      const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString("latin1"));
      expect(header).not.toBeNull();
      const pixels = pgm.subarray(pgm.length - Number(header?.[1]) * Number(header?.[2]));
      expect(pixels.filter((v) => v < 128).length).toBeGreaterThan(200);
    },
  );
});
