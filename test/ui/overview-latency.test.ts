/**
 * The Overview's p95 card describes the calls its Calls card counts, in real Chromium: a slow call in the
 * minute a custom range ends in, but after its end, counts in neither.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { uiFixture } from "../helpers/ui-fixture.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";
import { HAS_CHROMIUM, openPage, until, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/overview-latency.test.ts");

const call = (startedAt: number, durationMs: number): TestCall => ({
  server: "alpha",
  method: "tools/call",
  target: "echo",
  outcome: "ok",
  startedAt,
  durationMs,
});

/** A `datetime-local` value (local time, to the minute). */
const local = (ms: number) =>
  new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

describe.skipIf(!HAS_CHROMIUM)("the Overview's latency card (real Chromium)", () => {
  const ui = uiFixture();
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  let url: string;

  beforeAll(async () => {
    const dir = await ui.dir("mcpscope-p95-");
    // Inside [end - 5 min, end]: two fast calls. 20 s after the end, in the same minute: a slow one.
    recordCalls(dir, [call(end - 3 * 60_000, 2), call(end - 2 * 60_000, 4), call(end + 20_000, 1649)]);
    url = (await ui.serve(dir)).url;
  }, 60_000);

  it("counts the calls of the range only, like the Calls card", async () => {
    const { page } = await openPage(ui.browser, url);
    await page.locator('[data-range="custom"]').click();
    const custom = page.getByTestId("time-range-custom");
    await custom
      .locator('input[type="datetime-local"]')
      .nth(0)
      .fill(local(end - 5 * 60_000));
    await custom.locator('input[type="datetime-local"]').nth(1).fill(local(end));
    await custom.getByRole("button", { name: "Apply" }).click();
    const value = (card: string) => page.getByTestId(card).getByTestId("stat-value").textContent();
    await until("two calls", async () => (await value("card-calls")) === "2", 10_000);
    expect(await value("card-p95")).not.toMatch(/1[.,]?6/);
    expect(await page.getByTestId("card-p95").textContent()).toMatch(/p50 2/);

    // A window holding only the slow call's minute, after it ends: no calls, so no latency either.
    await page.locator('[data-range="custom"]').click();
    await custom
      .locator('input[type="datetime-local"]')
      .nth(0)
      .fill(local(end - 60_000));
    await custom.locator('input[type="datetime-local"]').nth(1).fill(local(end));
    await custom.getByRole("button", { name: "Apply" }).click();
    await until("no calls", async () => (await value("card-calls")) === "0", 10_000);
    await until("no latency", async () => (await value("card-p95")) === "—", 10_000);
    expect(await page.getByTestId("card-p95").textContent()).toContain("no calls");
  });
});
