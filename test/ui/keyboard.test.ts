/**
 * The app by keyboard, in real Chromium, in browser mode, as a keyboard or screen-reader user meets it:
 * focus comes back to what opened a dialog, a page or another view when the user goes back; Esc closes
 * the custom time range; a long list is one tab stop that the arrow keys move through. One `mcpscope
 * serve` over a data dir holding two servers' sessions as `mcpscope run` stores them (one failing, so
 * that a rule fires, and a rule pending for each server), more calls seeded than a page holds, and a
 * Cursor config.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { SERVERS } from "../helpers/mcp.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import {
  apiCall,
  HAS_CHROMIUM,
  openPage,
  recordSessions,
  type Serve,
  seedOlderCalls,
  showView,
  until,
  warnIfNoChromium,
} from "./browser.js";

const ALERTS_YAML = `evaluation_interval: 1s
rules:
  - name: gamma-errors
    kind: metric
    signal: error_rate
    by: [server, tool]
    window: 10m
    op: ">"
    threshold: 0.4
    for: 0s
    severity: warning
    summary: "{{tool}} on {{server}} fails {{value}} of calls"
  - name: busy
    kind: metric
    signal: call_rate
    by: [server]
    window: 10m
    op: ">"
    threshold: 0
    for: 1h
    severity: info
    summary: "{{server}} is busy"
`;

warnIfNoChromium("test/ui/keyboard.test.ts");

// The browser's, inside page.evaluate (the tests' TypeScript has no DOM library).
interface Focusable {
  tagName: string;
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  closest(selector: string): unknown;
}
declare const document: { activeElement: Focusable | null; body: Focusable };

/** What has the keyboard focus: its test id, or its tag and text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "BODY";
    return el.dataset.testid ?? `${el.tagName}:${el.textContent?.trim().slice(0, 40)}`;
  });
}

describe.skipIf(!HAS_CHROMIUM)("keyboard (browser mode, real Chromium)", () => {
  let serve: Serve;
  let page: Page;
  let problems: string[];
  const ui = uiFixture();

  beforeAll(async () => {
    const dir = await ui.dir("mcpscope-ui-keyboard-");
    const dataDir = join(dir, "data");
    const home = join(dir, "home");
    await mkdir(dataDir, { recursive: true });
    await mkdir(join(home, ".cursor"), { recursive: true });
    await writeFile(join(dataDir, "alerts.yaml"), ALERTS_YAML);
    await writeFile(
      join(home, ".cursor", "mcp.json"),
      JSON.stringify({
        mcpServers: { everything: { command: process.execPath, args: SERVERS.everything() } },
      }),
    );
    recordSessions(dataDir, { alpha: false, gamma: true });
    // More calls than the Calls view's first page: a list far longer than a screen.
    seedOlderCalls(dataDir, "alpha", 250);
    serve = await ui.serve(dataDir, home);
    ({ page, problems } = await openPage(ui.browser, serve.url));
  }, 90_000);

  it("gives focus back to the button that opened a dialog when Esc closes it", async () => {
    await showView(page, "servers");
    const add = page.getByTestId("add-server");
    await add.focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("add-server-dialog").waitFor({ state: "visible" });
    await page.keyboard.press("Escape");
    await until(
      "the dialog closed",
      async () => (await page.getByTestId("add-server-dialog").count()) === 0,
      5000,
    );
    expect(await focused(page)).toBe("add-server");

    await showView(page, "alerts");
    await page.getByTestId("alerts-tab-firing").click();
    const silence = page.getByTestId("alert-silence").first();
    await until("a firing alert", async () => (await silence.count()) > 0, 20_000);
    await silence.focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("silence-submit").waitFor({ state: "visible" });
    await page.keyboard.press("Escape");
    await until(
      "the silence dialog closed",
      async () => (await page.getByTestId("silence-submit").count()) === 0,
      5000,
    );
    expect(await focused(page)).toBe("alert-silence");
  });

  it("moves focus to a server page's heading, and back to its row on Esc", async () => {
    await showView(page, "servers");
    const name = page
      .locator('[data-testid="server-row"][data-server-name="everything"]')
      .getByTestId("server-name");
    await until("the configured server", async () => (await name.count()) > 0, 10_000);
    await name.focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("server-detail").waitFor({ state: "visible" });
    await until(
      "focus on the page's heading",
      async () => (await focused(page)) === "server-detail-name",
      5000,
    );
    await page.keyboard.press("Escape");
    await until("the list again", async () => (await page.getByTestId("server-detail").count()) === 0, 5000);
    await until("focus on the server's row", async () => (await focused(page)) === "server-name", 5000);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("everything");

    // A server seen only in traffic, left by its back button.
    const seen = page
      .locator('[data-testid="traffic-only-row"][data-name="gamma"]')
      .getByTestId("traffic-only-open");
    await seen.focus();
    await page.keyboard.press("Enter");
    await until(
      "focus on the seen server's heading",
      async () => (await focused(page)) === "server-detail-name",
      5000,
    );
    await page.getByTestId("server-back").focus();
    await page.keyboard.press("Enter");
    await until("focus back on gamma's row", async () => (await focused(page)) === "traffic-only-open", 5000);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("gamma");
  });

  it("brings focus back to a tool's call count after the Calls view it opened", async () => {
    await showView(page, "tools");
    const count = page
      .locator('[data-testid="tool-row"][data-server="alpha"][data-tool="echo"]')
      .getByTestId("tool-calls");
    await until("alpha's echo", async () => (await count.count()) > 0, 15_000);
    await count.focus();
    await page.keyboard.press("Enter");
    await until("the Calls view", async () => page.url().includes("#/calls"), 5000);
    expect(await focused(page), "focus is left at the top of the document").not.toBe("BODY");
    await page.goBack();
    await until("the Tools view", async () => page.url().includes("#/tools"), 5000);
    await until("focus on the call count", async () => (await focused(page)) === "tool-calls", 5000);
  });

  it("makes the calls one tab stop that the arrow keys move through, Enter opening the detail", async () => {
    await showView(page, "calls");
    const rows = page.getByTestId("call-row");
    await until("the calls", async () => (await rows.count()) > 20, 15_000);
    const grid = page.getByTestId("calls-table");
    expect(await grid.getAttribute("role")).toBe("grid");
    expect(await grid.getByRole("columnheader").allTextContents()).toEqual([
      "Time",
      "Server",
      "Method",
      "Target",
      "Outcome",
      "Latency",
    ]);
    expect(Number(await grid.getAttribute("aria-rowcount"))).toBeGreaterThan(200);
    expect(await grid.locator('[data-testid="call-row"][tabindex="0"]').count()).toBe(1);

    // From the control before the list, one Tab is the list and the next leaves it.
    await page.getByTestId("filter-outcome").focus();
    let tabs = 0;
    while ((await focused(page)) !== "call-row" && tabs < 20) {
      await page.keyboard.press("Tab");
      tabs++;
    }
    expect(await focused(page)).toBe("call-row");
    const first = await page.evaluate(() => document.activeElement?.dataset.callId);
    expect(first).toBe(await rows.first().getAttribute("data-call-id"));
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const third = await rows.nth(2).getAttribute("data-call-id");
    expect(await page.evaluate(() => document.activeElement?.dataset.callId)).toBe(third);
    // End is the last loaded call (reaching it loads older ones, after it).
    const loaded = Number(await grid.getAttribute("aria-rowcount")) - 1;
    await page.keyboard.press("End");
    await until(
      "the last loaded call focused",
      async () =>
        (await page.evaluate(() => document.activeElement?.dataset.rowIndex)) === String(loaded - 1),
      5000,
    );
    await page.keyboard.press("Home");
    expect(await page.evaluate(() => document.activeElement?.dataset.rowIndex)).toBe("0");
    await page.keyboard.press("PageDown");
    expect(Number(await page.evaluate(() => document.activeElement?.dataset.rowIndex))).toBeGreaterThan(3);
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowDown");
    // Moving does not open anything; Enter does.
    expect(await page.getByTestId("call-detail").count()).toBe(0);
    await page.keyboard.press("Enter");
    await page.getByTestId("call-detail").waitFor({ state: "visible" });
    expect(
      await page.locator('[data-testid="call-row"][aria-selected="true"]').getAttribute("data-call-id"),
    ).toBe(await rows.nth(1).getAttribute("data-call-id"));
    // With the detail open, it follows the keyboard.
    await page.keyboard.press("ArrowDown");
    await until(
      "the detail follows",
      async () =>
        (await page
          .locator('[data-testid="call-row"][aria-selected="true"]')
          .getAttribute("data-call-id")) === third,
      5000,
    );
    // The detail pane is a few Tabs away, not one per loaded call.
    tabs = 0;
    const closeFocused = () => page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
    while ((await closeFocused()) !== "Close detail" && tabs < 10) {
      await page.keyboard.press("Tab");
      tabs++;
    }
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
      "Close detail",
    );
    await page.keyboard.press("Escape");
  });

  it("makes the events one tab stop too, the arrow keys moving between them and Enter opening one", async () => {
    await showView(page, "events");
    const lines = page.getByTestId("events-list").locator(".event-line");
    await until("a few events", async () => (await lines.count()) >= 3, 15_000);
    expect(await page.getByTestId("events-list").locator('.event-line[tabindex="0"]').count()).toBe(1);
    await lines.first().focus();
    await page.keyboard.press("ArrowDown");
    expect(await lines.nth(1).evaluate((el) => el === (document.activeElement as unknown))).toBe(true);
    await page.keyboard.press("End");
    const last = lines.last();
    expect(await last.evaluate((el) => el === (document.activeElement as unknown))).toBe(true);
    expect(await page.getByTestId("events-list").locator('.event-line[tabindex="0"]').count()).toBe(1);
    await page.keyboard.press("Enter");
    await until("the event opened", async () => (await last.getAttribute("aria-expanded")) === "true", 5000);
    await page.keyboard.press("Home");
    expect(await lines.first().evaluate((el) => el === (document.activeElement as unknown))).toBe(true);
  });

  it("gives the events column headers, as a grid a screen reader reads cell by cell", async () => {
    await showView(page, "events");
    const grid = page.getByRole("grid", { name: "Events, newest first" });
    await until("the events grid", async () => (await grid.getByRole("row").count()) >= 3, 15_000);
    expect(await grid.getByRole("columnheader").allTextContents()).toEqual([
      "Time",
      "Severity",
      "Category",
      "Type",
      "Server",
      "Message",
    ]);
    const line = grid.locator(".event-line").first();
    expect(await line.getAttribute("role")).toBe("row");
    expect(await line.getByRole("gridcell").count()).toBe(6);
  });

  it("makes the alerts one tab stop too, Enter opening one's history, focus kept as rows go", async () => {
    await showView(page, "alerts");
    const firingTab = page.getByTestId("alerts-tab-firing");
    await firingTab.click();
    const rows = page.getByTestId("alert-row");
    await until("a firing and two pending alerts", async () => (await rows.count()) === 3, 20_000);
    const grid = page.getByRole("grid", { name: "Alerts" });
    expect(await grid.locator('[data-testid="alert-row"][tabindex="0"]').count()).toBe(1);
    // Only the active row's buttons are Tab stops: the list is not three stops per alert.
    expect(await grid.locator('[data-testid="alert-history"]:not([tabindex="-1"])').count()).toBe(1);

    const focusedAlert = () => page.evaluate(() => document.activeElement?.dataset.alertId);
    let tabs = 0;
    while ((await focused(page)) !== "alert-row" && tabs < 10) {
      await page.keyboard.press("Tab");
      tabs++;
    }
    const ids = await rows.evaluateAll((els) =>
      els.map((el) => (el as unknown as Focusable).dataset.alertId),
    );
    expect(await focusedAlert()).toBe(ids[0]);
    await page.keyboard.press("ArrowDown");
    expect(await focusedAlert()).toBe(ids[1]);
    await page.keyboard.press("End");
    expect(await focusedAlert()).toBe(ids[2]);
    await page.keyboard.press("Home");
    expect(await focusedAlert()).toBe(ids[0]);
    expect(await grid.locator('[data-testid="alert-row"][tabindex="0"]').getAttribute("data-alert-id")).toBe(
      ids[0],
    );

    // Enter opens the alert's history.
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await until(
      "the History tab",
      async () => (await page.getByTestId("alerts-tab-history").getAttribute("aria-selected")) === "true",
      5000,
    );
    await firingTab.click();
    await until("the alerts again", async () => (await rows.count()) === 3, 10_000);

    // Live: the pending rule goes while the keyboard is on one of its alerts; focus stays in the list, on
    // the row now in its place, not on the page.
    await rows.last().focus();
    await apiCall(serve, "alerts.rules.remove", { name: "busy" });
    await until("the pending alerts gone", async () => (await rows.count()) === 1, 15_000);
    await until("focus on the remaining alert", async () => (await focused(page)) === "alert-row", 5000);
    expect(await focusedAlert()).toBe(await rows.first().getAttribute("data-alert-id"));
    expect(await grid.locator('[data-testid="alert-row"][tabindex="0"]').count()).toBe(1);
  });

  it("makes each set of tabs a tablist that the arrow keys move through, each tab naming its panel", async () => {
    await showView(page, "alerts");
    const firing = page.getByTestId("alerts-tab-firing");
    await firing.click();
    // The firing alerts read as a grid: their column headers are there for a screen reader.
    const table = page.getByRole("grid", { name: "Alerts" });
    await until("the alerts table", async () => (await table.count()) > 0, 15_000);
    expect((await table.getByRole("columnheader").allTextContents()).slice(0, 4)).toEqual([
      "Severity",
      "State",
      "Rule · labels",
      "Summary",
    ]);
    const panel = page.locator(`#${await firing.getAttribute("aria-controls")}`);
    expect(await panel.getAttribute("role")).toBe("tabpanel");
    expect(await panel.getAttribute("aria-labelledby")).toBe(await firing.getAttribute("id"));
    expect(
      await page.locator('[role="tablist"][aria-label="Alerts"] [role="tab"][tabindex="0"]').count(),
    ).toBe(1);
    await page.keyboard.press("ArrowRight");
    const history = page.getByTestId("alerts-tab-history");
    await until(
      "the next tab selected",
      async () => (await history.getAttribute("aria-selected")) === "true",
      5000,
    );
    expect(await focused(page)).toBe("alerts-tab-history");
    expect(await panel.getAttribute("aria-labelledby")).toBe(await history.getAttribute("id"));
    await page.keyboard.press("ArrowLeft");
    await until("back on Firing", async () => (await firing.getAttribute("aria-selected")) === "true", 5000);
    await page.keyboard.press("End");
    expect(
      await page.locator('[role="tablist"][aria-label="Alerts"] [aria-selected="true"]').last().isVisible(),
    ).toBe(true);
    expect(await focused(page)).not.toBe("alerts-tab-firing");
    await firing.click();

    await showView(page, "logs");
    await page.getByTestId("logs-tab-lines").focus();
    await page.keyboard.press("ArrowRight");
    await until("Patterns selected", async () => (await focused(page)) === "logs-tab-patterns", 5000);
    expect(await page.getByTestId("logs-tab-patterns").getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("Home");
    await until("Lines selected", async () => (await focused(page)) === "logs-tab-lines", 5000);
  });

  it("starts the page with a Skip to content link past the sidebar", async () => {
    // The tab loaded afresh on the Overview: nothing has had the focus yet.
    await showView(page, "overview");
    await page.reload();
    await until("the Overview", async () => (await page.getByTestId("time-range").count()) > 0, 10_000);
    // Hidden above the top edge until focused (isVisible cannot tell: the link keeps its box).
    const skip = page.getByTestId("skip-to-content");
    const top = async () => (await skip.boundingBox())?.y ?? Number.NaN;
    expect(await top()).toBeLessThan(0);
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("skip-to-content");
    await until("the skip link shown on focus", async () => (await top()) >= 0, 5000);
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    // The next stop is in the view, not the sidebar's first button.
    expect(await page.evaluate(() => document.activeElement?.closest(".content") !== null)).toBe(true);
  });

  it("closes the custom time range on Esc, focus back on its button", async () => {
    await showView(page, "overview");
    const custom = page.getByTestId("time-range").locator('[data-range="custom"]');
    await custom.focus();
    await page.keyboard.press("Enter");
    const popover = page.getByTestId("time-range-custom");
    await popover.waitFor({ state: "visible" });
    await page.keyboard.press("Tab");
    await page.keyboard.press("Escape");
    await until("the popover closed", async () => (await popover.count()) === 0, 5000);
    expect(await custom.evaluate((el) => el === (document.activeElement as unknown))).toBe(true);
    expect(await custom.getAttribute("aria-expanded")).toBe("false");
    expect(problems).toEqual([]);
  });
});
