/**
 * The app's layout in real Chromium, in browser mode, measured the way a user meets it: every view
 * reaches its bottom (the body never scrolls, so each view must), popovers and tables stay inside the
 * window or scroll sideways with their header, headers do not run over their neighbours, and the
 * Overview counts the servers seen only in traffic as the Reports view does. One `mcpscope serve` over a
 * data dir holding the sessions of four servers as `mcpscope run` stores them (one failing every call, so
 * that a rule fires), an empty home (no client configs), and one page at 1280×800, then made 800×600.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { uiFixture } from "../helpers/ui-fixture.js";
import {
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
`;

/** A rule whose signal is none of the known ones: the preview's error lists them all, on one long line. */
const BAD_RULE = `name: gamma-errors
kind: metric
signal: nope
by: [server, tool]
window: 10m
op: ">"
threshold: 0.4
`;

/** A server name longer than a toolbar has room for at 800 px. */
const LONG_SERVER = "customer-analytics-warehouse-production-eu-west-1-readonly-replica-server-name";

const VIEWS = ["overview", "servers", "tools", "calls", "logs", "events", "alerts", "reports", "storage"];

warnIfNoChromium("test/ui/layout.test.ts");

// The browser's, inside page.evaluate (the tests' TypeScript has no DOM library).
declare const getComputedStyle: (el: unknown) => {
  overflowY: string;
  overflow: string;
  borderRadius: string;
};
declare const document: {
  elementFromPoint(x: number, y: number): { className: string } | null;
  documentElement: { scrollWidth: number };
};

type Box = { x: number; y: number; width: number; height: number };

async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox();
  if (!b) throw new Error(`${locator} is not visible`);
  return b;
}

/** The view shown in the content area. */
const view = (page: Page) => page.locator(".content > *").last();

describe.skipIf(!HAS_CHROMIUM)("layout (browser mode, real Chromium)", () => {
  let serve: Serve;
  let page: Page;
  let problems: string[];
  const ui = uiFixture();

  beforeAll(async () => {
    const dir = await ui.dir("mcpscope-ui-layout-");
    const dataDir = join(dir, "data");
    const home = join(dir, "home");
    await mkdir(dataDir, { recursive: true });
    await mkdir(home, { recursive: true });
    await writeFile(join(dataDir, "alerts.yaml"), ALERTS_YAML);
    recordSessions(dataDir, { alpha: false, beta: false, gamma: true, [LONG_SERVER]: false });
    // More calls than the Calls view's first page, so that its foot ("Scroll down for older calls") shows.
    seedOlderCalls(dataDir, "alpha", 250);
    serve = await ui.serve(dataDir, home);
    ({ page, problems } = await openPage(ui.browser, serve.url));
  }, 90_000);

  it("lets every view scroll to its bottom when it is taller than the window", async () => {
    for (const id of VIEWS) {
      await showView(page, id);
      const cut = await view(page).evaluate((el) => {
        const overflowY = getComputedStyle(el).overflowY;
        return el.scrollHeight > el.clientHeight + 1 && overflowY !== "auto" && overflowY !== "scroll";
      });
      expect(cut, `${id}: content taller than the view, and the view does not scroll`).toBe(false);
    }
    await showView(page, "reports");
    const schedules = page.getByTestId("report-schedules");
    await until("the report", async () => (await page.getByTestId("report-servers").count()) > 0, 15_000);
    // Just picked in the sidebar, the page takes End and Home.
    await page.keyboard.press("End");
    await until(
      "End scrolled to the schedule editor",
      async () => {
        const b = await schedules.boundingBox();
        return b && b.y + b.height <= 800;
      },
      5000,
    );
    await page.keyboard.press("Home");
    await until(
      "Home scrolled back",
      async () => (await view(page).evaluate((el) => el.scrollTop)) === 0,
      5000,
    );
    const { x, y } = await box(view(page));
    await page.mouse.move(x + 200, y + 200);
    await until(
      "the schedule editor scrolled into the window by the wheel",
      async () => {
        await page.mouse.wheel(0, 2000);
        const b = await schedules.boundingBox();
        return b && b.y + b.height <= 800;
      },
      10_000,
    );
  });

  it("puts a table's foot below its rows", async () => {
    await showView(page, "calls");
    const foot = page.locator(".table .table-foot");
    await until("the calls' foot", async () => (await foot.count()) > 0, 15_000);
    const rows = await box(page.locator(".table > .rows").first());
    expect((await box(foot)).y, "the foot is above the end of the rows").toBeGreaterThanOrEqual(
      rows.y + rows.height - 1,
    );
  });

  it("keeps the report's toolbar, cards and tables inside the window, headers in their cells", async () => {
    await showView(page, "reports");
    await until("the report", async () => (await page.getByTestId("report-servers").count()) > 0, 15_000);
    const content = await box(view(page));
    const exportButton = await box(page.getByTestId("report-export"));
    expect(exportButton.x + exportButton.width).toBeLessThanOrEqual(content.x + content.width - 8);
    for (const card of await page.locator('[data-testid^="report-card-"]').all()) {
      const b = await box(card);
      expect(b.x + b.width, "a card runs past the window").toBeLessThanOrEqual(1280);
    }
    const overprinting = await page
      .getByTestId("report-servers")
      .locator("th")
      .evaluateAll((ths) => ths.filter((th) => th.scrollWidth > th.clientWidth).map((th) => th.textContent));
    expect(overprinting).toEqual([]);
    const period = await page.getByTestId("report-period").textContent();
    // Local time, 24-hour, as every view writes it, the zone named once.
    expect(period).toMatch(
      /^\s*[A-Z][a-z]{2} \d{1,2}, \d{2}:\d{2}:\d{2} – [A-Z][a-z]{2} \d{1,2}, \d{2}:\d{2}:\d{2} \S+,/,
    );
    await showView(page, "storage");
    const backup = page.getByTestId("backup-now");
    await until("the storage view", async () => (await backup.count()) > 0, 10_000);
    const radius = (l: Locator) => l.evaluate((el) => getComputedStyle(el).borderRadius);
    await showView(page, "reports");
    const shared = await radius(page.getByTestId("report-export"));
    await showView(page, "storage");
    expect(await radius(backup)).toBe(shared);
    expect(await radius(page.getByTestId("setting-save"))).toBe(shared);
  });

  it("opens the custom time range inside the content area, wherever its picker is", async () => {
    const sidebar = await box(page.locator(".sidebar"));
    for (const [id, picker] of [
      ["overview", "time-range"],
      ["logs", "logs-range"],
      ["events", "events-range"],
    ] as const) {
      await showView(page, id);
      await page.getByTestId(picker).locator('[data-range="custom"]').click();
      const popover = page.getByTestId(picker).locator(".range-custom");
      const b = await box(popover);
      expect(b.x, `${id}: the popover starts under the sidebar`).toBeGreaterThanOrEqual(
        sidebar.x + sidebar.width,
      );
      expect(b.x + b.width, `${id}: the popover runs past the window`).toBeLessThanOrEqual(1280);
      const from = await box(popover.locator('input[type="datetime-local"]').first());
      expect(from.x).toBeGreaterThanOrEqual(sidebar.x + sidebar.width);
      await popover.getByRole("button", { name: "Cancel" }).click();
    }
  });

  it("shows the Servers card's up and active counts as the report counts active servers", async () => {
    await showView(page, "reports");
    const reported = page.getByTestId("report-card-activeServers").getByTestId("stat-value");
    await until(
      "the report's active servers",
      async () => (await reported.textContent())?.trim() === "4",
      15_000,
    );
    await showView(page, "overview");
    const card = page.getByTestId("card-servers");
    await until(
      "the Overview's servers card",
      async () => (await card.getByTestId("stat-value").textContent())?.trim() === "4 up",
      15_000,
    );
    expect((await card.getByTestId("servers-active").textContent())?.trim()).toMatch(/^4 active/);
  });

  it("keeps the rules table readable beside the rule editor, and wraps a long preview error", async () => {
    await showView(page, "alerts");
    await page.getByTestId("alerts-tab-rules").click();
    await page.locator('[data-testid="rule-row"][data-rule="gamma-errors"]').click();
    await until("the editor", async () => (await page.getByTestId("rule-editor").count()) > 0, 10_000);
    const condition = await box(page.getByTestId("rule-condition").first());
    expect(condition.width).toBeGreaterThanOrEqual(120);
    const overprinting = await page
      .locator("[data-testid=alert-rules] th")
      .evaluateAll((ths) =>
        ths.filter((th) => th.offsetParent && th.scrollWidth > th.clientWidth).map((th) => th.textContent),
      );
    expect(overprinting).toEqual([]);
    await page.getByTestId("rule-editor").fill(BAD_RULE);
    const error = page.getByTestId("rule-preview-error");
    await until("the preview's error", async () => (await error.count()) > 0, 10_000);
    expect(await error.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(problems).toEqual([]);
  });

  describe("at 800×600", () => {
    let small: Page;

    // The same tab, its window made smaller: the views already drawn must fit the new size too.
    beforeAll(async () => {
      small = page;
      await small.setViewportSize({ width: 800, height: 600 });
    });

    /** The header cell and the first row's cell of a column, after bringing the row's cell into view. */
    async function alignedAfterScroll(head: Locator, cell: Locator): Promise<void> {
      await cell.scrollIntoViewIfNeeded();
      const h = await box(head);
      const c = await box(cell);
      expect(c.x + c.width, "the cell is still past the window").toBeLessThanOrEqual(800);
      expect(
        Math.abs(h.x + h.width - (c.x + c.width)),
        "the header did not scroll with the rows",
      ).toBeLessThan(2);
    }

    it("shows the calls' latency column, and scrolls sideways to it beside the detail, header with rows", async () => {
      await showView(small, "calls");
      const row = small.getByTestId("call-row").first();
      await until("the calls", async () => (await row.count()) > 0, 15_000);
      const latencyHead = small.locator(".table .row.head > span").last();
      await alignedAfterScroll(latencyHead, row.locator(":scope > span").last());
      expect(await latencyHead.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      expect(await row.locator(":scope > span").last().textContent()).toMatch(/ms$/);
      // Beside the detail pane the table is far narrower than its columns: it scrolls sideways.
      await row.click();
      await until(
        "the detail pane",
        async () => (await small.locator(".calls-view.with-detail").count()) > 0,
        5000,
      );
      const table = small.locator(".table").first();
      expect(await table.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
      await alignedAfterScroll(latencyHead, row.locator(":scope > span").last());
      expect(await table.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    });

    it("shows every tool's name in the Tools view, its header and figures clear of each other", async () => {
      await showView(small, "tools");
      const rows = small.getByTestId("tool-row");
      await until("the tools", async () => (await rows.count()) >= 4, 15_000);
      const heads = await small.locator(".tools-table thead th").evaluateAll((ths) =>
        ths
          .filter((th) => th.getClientRects().length > 0)
          .map((th) => {
            const r = th.getBoundingClientRect();
            return { text: th.textContent?.trim(), left: r.left, right: r.right };
          }),
      );
      for (let i = 1; i < heads.length; i++) {
        expect(heads[i]?.left, `${heads[i]?.text} runs over ${heads[i - 1]?.text}`).toBeGreaterThanOrEqual(
          (heads[i - 1]?.right ?? 0) - 1,
        );
      }
      const problems = await rows.evaluateAll((trs) =>
        trs.flatMap((tr) => {
          const cells = [...tr.querySelectorAll("td")].filter((td) => td.getClientRects().length > 0);
          const name = cells[0]?.querySelector(".mono");
          const out: string[] = [];
          if (!name) return ["a row without a name"];
          const box = cells[0].getBoundingClientRect();
          // Room for the name's first characters, and the name itself where it is drawn.
          if (box.width < 100) out.push(`${name.textContent}: its column is ${box.width}px wide`);
          const r = name.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + 4, r.top + r.height / 2);
          if (!hit || !name.contains(hit)) out.push(`${name.textContent}: covered by ${hit?.className}`);
          // Each figure stays inside its own cell (no "13 failed" over p50).
          for (const td of cells) {
            for (const child of td.querySelectorAll("*")) {
              const c = child.getBoundingClientRect();
              const t = td.getBoundingClientRect();
              if (c.width > 0 && c.right > t.right + 1 && getComputedStyle(td).overflow === "visible")
                out.push(`${name.textContent}: ${child.textContent} runs out of its cell`);
            }
          }
          return out;
        }),
      );
      expect(problems).toEqual([]);
    });

    it("keeps a long server name's filter inside the window", async () => {
      for (const [id, select] of [
        ["calls", "filter-server"],
        ["logs", "logs-server"],
        ["events", "events-server"],
        ["tools", "tools-filter-server"],
      ] as const) {
        await showView(small, id);
        const control = small.getByTestId(select);
        await until(
          `${id}: the long name offered`,
          async () => (await control.locator("option", { hasText: LONG_SERVER }).count()) > 0,
          15_000,
        );
        await control.selectOption(LONG_SERVER);
        const b = await box(control);
        expect(b.x + b.width, `${id}: the select runs past the window`).toBeLessThanOrEqual(800);
        expect(await control.getAttribute("title")).toBe(LONG_SERVER);
        const wide = await small.evaluate(() => document.documentElement.scrollWidth);
        expect(wide, `${id}: the page scrolls sideways`).toBeLessThanOrEqual(800);
        await control.selectOption("");
      }
    });

    it("scrolls the alert list's header with its rows to Silence and Acknowledge", async () => {
      await showView(small, "alerts");
      await small.getByTestId("alerts-tab-firing").click();
      const row = small.getByTestId("alert-row").first();
      await until("a firing alert", async () => (await row.count()) > 0, 20_000);
      await alignedAfterScroll(small.locator(".alert-row.head > span").last(), row.locator(".row-actions"));
      const silence = await box(row.getByTestId("alert-silence"));
      expect(silence.x + silence.width).toBeLessThanOrEqual(800);
    });
  });
});
