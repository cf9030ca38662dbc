/**
 * The Overview over ranges it holds no calls for, or whose minute detail has expired: the error rate of
 * no calls is "—", not "0.0 %", and a range whose edges fell on whole hours says which range it counted
 * (browser mode, real Chromium, calls 8 days old folded and expired by the engine's own retention).
 */

import { describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { DEFAULT_RETENTION, retentionStep } from "../../electron/monitor/metrics/retention.js";
import { DAY, HOUR, MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";
import { HAS_CHROMIUM, openPage, until, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/overview-expired.test.ts");

const HOUR_START = Math.floor((Date.now() - 8 * DAY) / HOUR) * HOUR;

describe.skipIf(!HAS_CHROMIUM)("the Overview over expired or empty ranges (browser mode)", () => {
  const ui = uiFixture();

  it("shows — for the error rate of no calls, and the whole hours it counted past the minutes", async () => {
    const dataDir = await ui.dir("mcpscope-ui-expired-");
    const calls: TestCall[] = Array.from({ length: 101 }, (_, i) => ({
      server: "olds",
      method: "tools/call",
      target: "work",
      outcome: i % 15 === 0 ? "tool_error" : "ok",
      startedAt: HOUR_START + 33 * MINUTE + 42_000 + i * 80,
      durationMs: 40 + (i % 20),
    }));
    recordCalls(dataDir, calls);
    const db = openDb(databasePath(dataDir));
    try {
      new MetricsCollector(db).collect();
      while (retentionStep(db, DEFAULT_RETENTION, Date.now()) > 0);
    } finally {
      db.close();
    }
    const serve = await ui.serve(dataDir);
    const { page, problems } = await openPage(ui.browser, serve.url);
    const card = (id: string) => page.getByTestId(id);

    // The last hour holds no call: nothing is known about its failures.
    await until(
      "the cards",
      async () => (await card("card-calls").getByTestId("stat-value").textContent()) === "0",
      10_000,
    );
    await until(
      "the error rate",
      async () => (await card("card-errors").textContent())?.includes("no calls") ?? false,
      10_000,
    );
    expect(await card("card-errors").getByTestId("stat-value").textContent()).toBe("—");

    // A custom range around the calls, 23:50 to 00:40 as the hour goes: only hours are kept there.
    const local = (ms: number) =>
      new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByTestId("time-range").locator('[data-range="custom"]').click();
    const custom = page.getByTestId("time-range-custom");
    await custom
      .locator('input[type="datetime-local"]')
      .nth(0)
      .fill(local(HOUR_START - 10 * MINUTE));
    await custom
      .locator('input[type="datetime-local"]')
      .nth(1)
      .fill(local(HOUR_START + 40 * MINUTE));
    await custom.getByRole("button", { name: "Apply" }).click();
    await until(
      "the hour's calls",
      async () => (await card("card-calls").getByTestId("stat-value").textContent()) === "101",
      10_000,
    );
    expect(await card("card-calls").textContent()).toMatch(
      /only hourly detail is kept here: counted .+ to .+/,
    );
    expect(await card("card-errors").textContent()).toContain("7 failed");
    expect(problems).toEqual([]);
  });
});
