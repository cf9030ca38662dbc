/**
 * The Reports view in real Chromium, in browser mode: `mcpscope serve` over a data dir with a known
 * workload (server-everything through `mcpscope run`). The view must show the calls `stats` counts,
 * scoped to one server on request, and Export… must download a file that parses and carries the same
 * figures (JSON, and a CSV table). The Calls, Logs and Events views' Export buttons download the rows
 * they show. A tool named like a spreadsheet formula is written as text in every CSV.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { StatsDocument } from "../../shared/domain.js";
import type { Report } from "../../shared/report.js";
import { cliJsonInProcess } from "../helpers/cli-in-process.js";
import { closeOnceStored, connect, SERVERS } from "../helpers/mcp.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import {
  apiCall,
  downloadText,
  HAS_CHROMIUM,
  openPage,
  type Serve,
  until,
  warnIfNoChromium,
} from "./browser.js";

const SHOTS = process.env.MCPSCOPE_SCREENSHOTS;
/** A tool name a hostile server or client could choose: a live formula if a spreadsheet opened it raw. */
const FORMULA_TOOL = '=HYPERLINK("http://evil.example/","click")';
/** The same name as one CSV field: a leading ', then RFC 4180 quoting. */
const FORMULA_FIELD = `"'=HYPERLINK(""http://evil.example/"",""click"")"`;

warnIfNoChromium("test/ui/reports-view.test.ts");

describe.skipIf(!HAS_CHROMIUM)("Reports view (browser mode, real Chromium)", () => {
  let page: Page;
  let problems: string[];
  let dataDir: string;
  let serve: Serve;
  let stats: StatsDocument;
  const ui = uiFixture();

  beforeAll(async () => {
    const dir = await ui.dir("mcpscope-ui-reports-");
    dataDir = join(dir, "data");
    const wrapped = async (name: string, n: number) => {
      const wrap = { dataDir, name };
      const client = await connect(SERVERS.everything(), wrap);
      for (let i = 0; i < n; i++) await client.callTool({ name: "echo", arguments: { message: `m${i}` } });
      await client.callTool({ name: "no-such-tool", arguments: {} }).catch(() => {});
      if (name === "beta") await client.callTool({ name: FORMULA_TOOL, arguments: {} }).catch(() => {});
      // The stats below are read once, at once: every call stored first.
      await closeOnceStored(client, wrap);
    };
    // The two sessions and the engine start together: each waits on its own process, not on the others.
    [, , serve] = await Promise.all([wrapped("alpha", 5), wrapped("beta", 2), ui.serve(dataDir)]);
    // What `mcpscope stats` prints, run in this process: the same command, without a process around it.
    stats = await cliJsonInProcess<StatsDocument>(["stats", "--since", "1h", "--data-dir", dataDir]);
    ({ page, problems } = await openPage(ui.browser, serve.url));
  }, 60_000);

  const callsOf = (server: string) => stats.servers.find((s) => s.server === server)?.calls ?? -1;

  it("shows the calls stats counts, per server and in total", async () => {
    const total = stats.servers.reduce((n, s) => n + s.calls, 0);
    expect(callsOf("alpha")).toBeGreaterThan(callsOf("beta"));
    await page.getByTestId("nav-reports").click();
    const card = page.getByTestId("report-card-calls").getByTestId("stat-value");
    await until(
      "the calls card",
      async () => (await card.textContent())?.trim() === total.toLocaleString("en-US"),
      15_000,
    );
    const rows = page.getByTestId("report-servers").locator("tbody tr");
    await until("both servers listed", async () => (await rows.count()) === 2, 5000);
    expect((await rows.nth(0).locator("td").nth(1).textContent())?.trim()).toBe(String(callsOf("alpha")));
    expect(await page.getByTestId("report-chart-calls").locator("canvas").count()).toBe(1);
    expect(await page.getByTestId("report-period").textContent()).toMatch(
      // The data began minutes ago: the week before it, and the week before that, were not recorded.
      /, compared with the previous 7 days\. Data starts at .+: the part of this period before it was not recorded\. No calls recorded in the previous period \(data starts at .+\): nothing to compare with\.\s*$/,
    );
    expect((await page.getByTestId("report-card-calls").locator(".stat-sub").textContent())?.trim()).toBe(
      "no calls recorded in the previous period",
    );
    expect(problems).toEqual([]);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, "reports-view.png"), fullPage: true });
  });

  it("scopes to one server", async () => {
    await page.getByTestId("report-scope").selectOption("server:beta");
    await page.getByTestId("report-generate").click();
    const card = page.getByTestId("report-card-calls").getByTestId("stat-value");
    await until(
      "the scoped calls card",
      async () => (await card.textContent())?.trim() === String(callsOf("beta")),
      15_000,
    );
    expect(await page.getByTestId("report-servers").locator("tbody tr").count()).toBe(1);
  });

  it("Export… downloads a JSON file and a CSV table that carry the view's figures", async () => {
    await page.getByTestId("report-format").selectOption("json");
    const [json] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("report-export").click(),
    ]);
    expect(json.suggestedFilename()).toMatch(
      /^mcpscope-report-\d{4}-\d{2}-\d{2}_to_\d{4}-\d{2}-\d{2}\.json$/,
    );
    const doc = JSON.parse(await downloadText(json)) as Report;
    expect(doc.scope.servers).toEqual(["beta"]);
    expect(doc.summary.calls.value).toBe(callsOf("beta"));

    await page.getByTestId("report-format").selectOption("csv");
    await page.getByTestId("report-section").selectOption("tools");
    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("report-export").click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/-tools\.csv$/);
    const lines = (await downloadText(csv)).trim().split("\r\n");
    const echo = stats.servers.find((s) => s.server === "beta")?.operations.find((o) => o.target === "echo");
    expect(lines.some((l) => l.startsWith(`beta,echo,${echo?.calls},`))).toBe(true);
    expect(lines.filter((l) => l.startsWith(`beta,${FORMULA_FIELD},1,`))).toHaveLength(1);
    expect(lines.some((l) => l.includes(",=") || l.includes(',"='))).toBe(false);
    expect(problems).toEqual([]);
  });

  it("adds a scheduled report from the view into settings.json, and removes it", async () => {
    const section = page.getByTestId("report-schedules");
    await section.getByTestId("schedule-name").fill("nightly");
    await section.getByTestId("schedule-period").selectOption("day");
    await section.getByTestId("schedule-at").fill("02:30");
    await section.getByTestId("schedule-format-json").check();
    await section.getByTestId("schedule-folder").fill(join(dataDir, "reports"));
    await section.getByTestId("schedule-add").click();
    const row = section.locator('[data-schedule="nightly"]');
    await until("the schedule listed", async () => (await row.count()) === 1, 5000);
    expect(await row.textContent()).toContain("Daily 02:30");
    const settings = JSON.parse(await readFile(join(dataDir, "settings.json"), "utf8"));
    expect(settings.reports.schedules).toEqual([
      expect.objectContaining({ name: "nightly", period: "day", at: "02:30", formats: ["html", "json"] }),
    ]);
    await section.getByTestId("schedule-remove-nightly").click();
    await until("the schedule gone", async () => (await row.count()) === 0, 5000);
    const after = JSON.parse(await readFile(join(dataDir, "settings.json"), "utf8"));
    expect(after.reports.schedules).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("Calls, Logs and Events export the rows they show, as CSV and JSON", async () => {
    const total = stats.servers.reduce((n, s) => n + s.calls, 0);
    await page.getByTestId("nav-calls").click();
    const exportCalls = page.getByTestId("calls-export");
    await until("calls listed", async () => await exportCalls.getByTestId("export-csv").isEnabled(), 10_000);
    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      exportCalls.getByTestId("export-csv").click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^mcpscope-calls-.*\.csv$/);
    const lines = (await downloadText(csv)).trim().split("\r\n");
    expect(lines[0]).toBe(
      "id,started_at,server,direction,method,target,outcome,duration_ms,error_code,error_message,bytes_in,bytes_out,session,request_id,task_id,task_state",
    );
    expect(lines).toHaveLength(total + 1);
    // The failed call's message holds a colon and spaces, not a comma: still one field.
    expect(lines.filter((l) => l.includes(",tools/call,no-such-tool,tool_error,"))).toHaveLength(2);
    const formula = lines.filter((l) => l.includes(`,beta,c2s,tools/call,${FORMULA_FIELD},`));
    expect(formula).toHaveLength(1);
    expect(lines.some((l) => l.includes(",=") || l.includes(',"='))).toBe(false);

    const [json] = await Promise.all([
      page.waitForEvent("download"),
      exportCalls.getByTestId("export-json").click(),
    ]);
    const calls = JSON.parse(await downloadText(json)) as { calls: unknown[] };
    expect(calls.calls).toHaveLength(total);
    // The shape `mcpscope calls --json` prints (calls.details): arguments, results and client included.
    expect(calls.calls).toEqual(await apiCall(serve, "calls.details", { limit: 1000 }));

    await page.getByTestId("nav-logs").click();
    const exportLogs = page.getByTestId("logs-export");
    await until(
      "log lines listed",
      async () => await exportLogs.getByTestId("export-json").isEnabled(),
      10_000,
    );
    const [logs] = await Promise.all([
      page.waitForEvent("download"),
      exportLogs.getByTestId("export-json").click(),
    ]);
    const logDoc = JSON.parse(await downloadText(logs)) as {
      logs: { server: string }[];
    };
    expect(logDoc.logs.length).toBeGreaterThan(0);

    await page.getByTestId("nav-events").click();
    const exportEvents = page.getByTestId("events-export");
    await until(
      "events listed",
      async () => await exportEvents.getByTestId("export-csv").isEnabled(),
      10_000,
    );
    const [events] = await Promise.all([
      page.waitForEvent("download"),
      exportEvents.getByTestId("export-csv").click(),
    ]);
    const eventLines = (await downloadText(events)).trim().split("\r\n");
    expect(eventLines[0]).toBe("id,time,category,type,severity,server,session,message,details");
    expect(eventLines.some((l) => l.includes(",tool_error,"))).toBe(true);
    expect(problems).toEqual([]);
  });
});
