/**
 * A new user's first hour in browser mode, in real Chromium in New York with reduced motion asked for:
 * the Overview's empty state leads to a first server when no client names one; every view writes local
 * time and names the zone once; calls are listed by time even when another wrapper wrote them late, live
 * too; headings run in order and charts say in text what they show; nothing animates; counts read right.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";
import { HAS_CHROMIUM, type Serve, until, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/first-hour.test.ts");

const ZONE = "America/New_York";
const TIMEOUT_MS = 15_000;

describe.skipIf(!HAS_CHROMIUM)("the first hour (browser mode, real Chromium, New York)", () => {
  const ui = uiFixture();
  // One `mcpscope serve` for the hour, as a new user starts it: on an empty data dir and an empty home,
  // and one tab on it. The first test meets it with nothing recorded; the second's wrappers write into it
  // while it runs and the tab is open.
  let dataDir: string;
  let serve: Serve;

  beforeAll(async () => {
    dataDir = await ui.dir("mcpscope-ui-first-hour-");
    serve = await ui.serve(dataDir, await ui.dir("mcpscope-ui-home-"));
  });

  /** The hour's one tab, in New York with reduced motion asked for, opened by the first test that needs it. */
  let tab: Promise<{ page: Page; problems: string[] }> | undefined;
  function open(): Promise<{ page: Page; problems: string[] }> {
    tab ??= (async () => {
      const page = await ui.browser.newPage({
        viewport: { width: 1280, height: 800 },
        timezoneId: ZONE,
        reducedMotion: "reduce",
      });
      ui.defer(() => page.close());
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      await page.goto(serve.url);
      return { page, problems };
    })();
    return tab;
  }

  /** The zone's short name now, as the page (in New York) writes it. */
  const zoneNow = () =>
    new Intl.DateTimeFormat("en-US", { timeZone: ZONE, timeZoneName: "short" })
      .formatToParts(new Date())
      .find((p) => p.type === "timeZoneName")?.value;

  it("with no server anywhere, the Overview says how to get one, names the zone, and does not animate", async () => {
    const { page, problems } = await open();
    const empty = page.getByTestId("overview-empty");
    await empty.waitFor({ state: "visible", timeout: TIMEOUT_MS });
    // Once the Servers inventory has answered (empty), the next step is to get a server, not to instrument one.
    const nextStep = page.getByTestId("overview-empty-next");
    await until(
      "the way to a first server",
      async () => (await nextStep.textContent())?.includes("Add server"),
      TIMEOUT_MS,
    );
    const next = (await nextStep.textContent()) ?? "";
    expect(next).toContain("client");
    expect(next).not.toContain("Instrument a server");

    expect((await page.getByTestId("time-zone").textContent())?.trim()).toBe(`Times ${zoneNow()}`);
    expect(await page.getByTestId("time-zone").getAttribute("title")).toContain(ZONE);
    await until(
      "the Updated stamp",
      async () =>
        /^Updated \d\d:\d\d:\d\d$/.test((await page.getByTestId("overview-updated").textContent()) ?? ""),
      TIMEOUT_MS,
    );

    // Reduced motion: the spinner and the toasts' slide-in do not move.
    const durations = await page.evaluate(`(() => {
      const spinner = document.createElement("span");
      spinner.className = "spinner";
      document.body.append(spinner);
      const style = getComputedStyle(spinner);
      return { animation: style.animationDuration, transition: style.transitionDuration };
    })()`);
    expect(durations).toEqual({ animation: "0s", transition: "0s" });

    // The Alerts empty state explains a rule's `for`; Storage says why its two sizes differ.
    await page.getByTestId("nav-alerts").click();
    const alertsEmpty = page.getByTestId("alerts-empty");
    await alertsEmpty.waitFor({ state: "visible", timeout: TIMEOUT_MS });
    expect(await alertsEmpty.textContent()).toMatch(/held for as long as the\s+rule's for setting asks/);
    await page.getByTestId("nav-storage").click();
    const database = page.getByTestId("storage-database");
    await database.waitFor({ state: "visible", timeout: TIMEOUT_MS });
    expect(await database.textContent()).toContain("Database files");
    expect(await database.textContent()).toContain("with the write-ahead log");
    expect(await page.getByTestId("storage-cap").textContent()).toContain("counts the pages in use");
    expect(problems).toEqual([]);
  });

  it("lists calls by time though another wrapper wrote them late, live too; Overview and Reports read in order", async () => {
    const now = Date.now();
    const call = (server: string, agoMs: number, target: string): TestCall => ({
      server,
      method: "tools/call",
      target,
      outcome: "ok",
      startedAt: now - agoMs,
      durationMs: 1,
    });
    // Wrapper a wrote its batch first, b after: b's older calls have the higher ids.
    recordCalls(dataDir, [
      call("a", 9000, "tool-a1"),
      call("a", 5000, "tool-a2"),
      call("a", 1000, "tool-a3"),
    ]);
    recordCalls(dataDir, [call("b", 7000, "tool-b1"), call("b", 3000, "tool-b2")]);
    const db = openDb(databasePath(dataDir));
    db.prepare(
      "INSERT INTO logs (time, level, server, source, message) VALUES (?, 'info', 'a', 'stderr', ?)",
    ).run(now - 2000, "listening on stdio");
    db.close();
    const { page, problems } = await open();

    await page.getByTestId("nav-calls").click();
    const targets = async () =>
      (await page.getByTestId("call-row").allTextContents()).map((t) => /tool-[ab]\d/.exec(t)?.[0]);
    await until("the calls listed", async () => (await targets()).length === 5, TIMEOUT_MS);
    expect(await targets()).toEqual(["tool-a3", "tool-b2", "tool-a2", "tool-b1", "tool-a1"]);
    // Another wrapper writes a call that started 4 s ago: it takes its place, not the top.
    recordCalls(dataDir, [call("b", 4000, "tool-b9")]);
    await until("the late call live", async () => (await targets()).includes("tool-b9"), TIMEOUT_MS);
    expect(await targets()).toEqual(["tool-a3", "tool-b2", "tool-b9", "tool-a2", "tool-b1", "tool-a1"]);
    // The latency chart says in text what it draws.
    const latencyText = page.locator(".latency-chart-wrap").getByTestId("chart-summary");
    await until(
      "the latency chart's text",
      async () => (await latencyText.textContent())?.startsWith("ok calls: 6 points from"),
      TIMEOUT_MS,
    );

    // Overview: headings never skip a level, the charts' titles are not under a card, each chart has text.
    await page.getByTestId("nav-overview").click();
    await page.getByTestId("chart-calls").waitFor({ state: "visible", timeout: TIMEOUT_MS });
    // Views kept alive but not shown are display: none, so they have no offsetParent.
    const levels = async () =>
      (await page.evaluate(`[...document.querySelectorAll(".main h1, .main h2, .main h3, .main h4")]
        .filter((h) => h.offsetParent !== null)
        .map((h) => Number(h.tagName.slice(1)))`)) as number[];
    const inOrder = (seen: number[]) => seen.every((level, i) => i === 0 || level <= (seen[i - 1] ?? 1) + 1);
    const overview = await levels();
    expect(overview[0]).toBe(1);
    expect(inOrder(overview), `heading levels ${overview.join(" ")}`).toBe(true);
    expect(await page.getByTestId("chart-calls").locator("h2").count()).toBe(1);
    const summary = page.getByTestId("chart-calls").getByTestId("chart-summary");
    await until(
      "the chart's text",
      async () => (await summary.textContent())?.includes("calls/min:"),
      TIMEOUT_MS,
    );
    const described = await page
      .getByTestId("chart-calls")
      .locator("[role=img]")
      .getAttribute("aria-describedby");
    expect(await summary.getAttribute("id")).toBe(described);

    // Reports: local time with its zone, as everywhere else, and headings in order.
    await page.getByTestId("nav-reports").click();
    const period = page.getByTestId("report-period");
    await until("the report", async () => ((await period.textContent()) ?? "").includes("–"), TIMEOUT_MS);
    const text = (await period.textContent()) ?? "";
    expect(text).toContain(zoneNow());
    expect(text).not.toMatch(/\dZ\b/);
    const reports = await levels();
    expect(inOrder(reports), `heading levels ${reports.join(" ")}`).toBe(true);

    // A server's stderr panel counts its one line as one line.
    await page.evaluate(`location.hash = "#/servers?seen=a"`);
    const stderr = page.getByTestId("server-stderr");
    await stderr.getByTestId("stderr-line").waitFor({ state: "visible", timeout: TIMEOUT_MS });
    expect(await stderr.locator("header").textContent()).toContain("last 1 line");
    expect(await stderr.locator("header").textContent()).not.toContain("lines");
    expect(problems).toEqual([]);
  });
});
