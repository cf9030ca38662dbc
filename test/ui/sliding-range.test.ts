/**
 * A range relative to now ("the last 15 min") slides with the clock in the Calls view, in real Chromium:
 * calls that age out of it leave the list and its count without a new call arriving, as they leave the
 * CLI's `calls --since 15m`, and without asking the engine again. The page's clock is Playwright's.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { uiFixture } from "../helpers/ui-fixture.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";
import { HAS_CHROMIUM, until, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/sliding-range.test.ts");

const call = (target: string, startedAt: number, durationMs = 3): TestCall => ({
  server: "alpha",
  method: "tools/call",
  target,
  outcome: "ok",
  startedAt,
  durationMs,
});

describe.skipIf(!HAS_CHROMIUM)("a relative range slides with the clock (real Chromium)", () => {
  const ui = uiFixture();
  const now = Date.now();
  let page: Page;
  let url: string;

  beforeAll(async () => {
    const dir = await ui.dir("mcpscope-slide-");
    // Three calls that leave the last 15 min within the next minute, two that stay in it.
    recordCalls(dir, [
      call("old1", now - 14.5 * 60_000),
      call("old2", now - 14.5 * 60_000 + 100),
      call("old3", now - 14.5 * 60_000 + 200),
      call("new1", now - 60_000),
      call("new2", now - 30_000),
    ]);
    url = (await ui.serve(dir)).url;
  }, 60_000);

  it("the Calls view lets calls age out of the last 15 min, without a query", async () => {
    page = await ui.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.clock.install({ time: now });
    await page.goto(url);
    await page.getByTestId("nav-calls").click();
    await page.getByTestId("calls-range").locator('[data-range="15m"]').click();
    const count = page.getByTestId("calls-count");
    await until("the five calls", async () => (await count.textContent()) === "5 calls", 10_000);

    const listed: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/api/calls.list")) listed.push(r.url());
    });
    await page.clock.fastForward(60_000);
    await until("the aged calls gone", async () => (await count.textContent()) === "2 calls", 10_000);
    const rows = await page.getByTestId("call-row").allTextContents();
    expect(rows.join("\n")).not.toMatch(/old\d/);
    expect(listed).toEqual([]);
  });
});
