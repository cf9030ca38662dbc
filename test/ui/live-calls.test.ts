/**
 * Live calls in the Calls view, in real Chromium: a call its wrapper writes late (started before the
 * loaded page's bottom) takes its place without making paging back skip the stored calls below the page,
 * a keyboard user's focused row keeps focus while a burst of newer calls arrives at the top, and the rows
 * being read stay in place when a late call is placed above them.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { uiFixture } from "../helpers/ui-fixture.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";
import { HAS_CHROMIUM, openPage, until, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/live-calls.test.ts");

const call = (target: string, startedAt: number): TestCall => ({
  server: "alpha",
  method: "tools/call",
  target,
  outcome: "ok",
  startedAt,
  durationMs: 3,
});

describe.skipIf(!HAS_CHROMIUM)("live calls in the Calls view (real Chromium)", () => {
  const ui = uiFixture();
  const now = Date.now();
  let dir: string;
  let page: Page;
  const rowsLoaded = async () =>
    Number(await page.getByTestId("calls-table").getAttribute("aria-rowcount")) - 1;

  beforeAll(async () => {
    dir = await ui.dir("mcpscope-live-");
    // 300 calls, one a second, ten minutes back and older.
    recordCalls(
      dir,
      Array.from({ length: 300 }, (_, i) => call(`s${i}`, now - 600_000 - i * 1000)),
    );
    const serve = await ui.serve(dir);
    ({ page } = await openPage(ui.browser, serve.url));
    await page.getByTestId("nav-calls").click();
    await until("the first page", async () => (await rowsLoaded()) === 200, 20_000);
  }, 60_000);

  it("paging back after a late live call loads every stored call", async () => {
    // Another wrapper's batch lands late: a call that started 280 s before the newest, below the page.
    recordCalls(dir, [call("late", now - 600_000 - 279_500)]);
    await until("the late call, live", async () => (await rowsLoaded()) === 201, 20_000);
    await until(
      "every stored call",
      async () => {
        await page.evaluate(`(() => {
          const rows = document.querySelector('[data-testid="calls-table"] .rows');
          rows.scrollTop = rows.scrollHeight;
        })()`);
        return (await rowsLoaded()) === 301;
      },
      20_000,
    );
  });

  it("keeps keyboard focus on its row while newer calls arrive at the top", async () => {
    await page.evaluate(`document.querySelector('[data-testid="calls-table"] .rows').scrollTop = 0`);
    const stop = page.locator('[data-testid="call-row"][tabindex="0"]');
    await until(
      "the top row is the tab stop",
      async () => (await stop.getAttribute("aria-rowindex")) === "2",
      5000,
    );
    await stop.focus();
    const focusedId = () =>
      page.evaluate(`document.activeElement?.dataset?.callId ?? document.activeElement?.tagName`);
    const before = await focusedId();
    const loaded = await rowsLoaded();
    // More than a viewport and the overscan: enough to push the row out of the rendered window.
    recordCalls(
      dir,
      Array.from({ length: 80 }, (_, i) => call(`new${i}`, Date.now() + i)),
    );
    await until("the burst, live", async () => (await rowsLoaded()) === loaded + 80, 20_000);
    expect(await focusedId()).toBe(before);
    // And it is still on screen, where the reader left it.
    expect(await page.locator(`[data-call-id="${before}"]`).isVisible()).toBe(true);
  });

  it("keeps the rows being read in place when a late call lands above them", async () => {
    await page.evaluate(`document.activeElement?.blur()`);
    const rows = page.getByTestId("calls-table").locator(".rows");
    // Scroll a hundred rows down, and note where one row in view sits.
    // biome-ignore lint/suspicious/noExplicitAny: a DOM element, in a file type-checked without the DOM library
    await rows.evaluate((el: any) => {
      el.scrollTop = 100 * el.querySelector('[data-testid="call-row"]').offsetHeight;
    });
    const read = page.locator('[data-testid="call-row"][aria-rowindex="110"]');
    await read.waitFor({ state: "visible", timeout: 5000 });
    const id = await read.getAttribute("data-call-id");
    const y = async () => (await page.locator(`[data-call-id="${id}"]`).boundingBox())?.y;
    const before = await y();
    const loaded = await rowsLoaded();
    // Started between the 6th and 7th of the stored calls: placed by time well above the rows in view.
    recordCalls(dir, [call("late-above", now - 600_000 - 5500)]);
    await until("the late call, live", async () => (await rowsLoaded()) === loaded + 1, 20_000);
    expect(await y()).toBe(before);
  });
});
