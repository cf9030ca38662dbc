/**
 * Send test on the desktop channel while desktop notifications are paused, in real Chromium (browser
 * mode, in Kolkata): the Channels tab labels the desktop row and its button, the engine refuses the test
 * and the row shows why, until the local time the pause chip shows, with nothing logged or shown; after
 * Resume the same button shows the test in the tab.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Delivery } from "../../shared/alerts.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { apiCall, HAS_CHROMIUM, openPage, shoot, until, warnIfNoChromium } from "./browser.js";
import { FAKE_NOTIFICATIONS } from "./fake-notifications.js";

warnIfNoChromium("test/ui/channels-paused.test.ts");

/** A zone away from UTC all year (no summer time): its clock never reads as the UTC one. */
const ZONE = "Asia/Kolkata";

describe.skipIf(!HAS_CHROMIUM)("Send test while desktop notifications are paused (real Chromium)", () => {
  const ui = uiFixture();

  it("is labelled, refused with the engine's reason, and sent again after Resume", async () => {
    const dataDir = await ui.dir("mcpscope-ui-paused-");
    await writeFile(join(dataDir, "alerts.yaml"), "rules: []\n");
    const serve = await ui.serve(dataDir);
    // A tab that shows notifications: before the engine refused, a paused test passed here unseen.
    const { page, problems } = await openPage(ui.browser, serve.url, FAKE_NOTIFICATIONS, ZONE);
    const shown = () => page.evaluate("window.__notifications.map((n) => n.title)") as Promise<string[]>;
    await until(
      "the live link",
      async () => (await page.getByTestId("connection-status").getAttribute("data-state")) === "connected",
      10_000,
    );
    await page.getByTestId("nav-alerts").click();
    await page.getByTestId("alerts-tab-channels").click();
    const row = page.locator('[data-testid="channel-row"][data-channel="desktop"]');
    const button = row.getByTestId("channel-test");
    await row.waitFor({ state: "visible", timeout: 10_000 });
    expect(await button.getAttribute("title")).toBe("Send a test notification through this channel now");

    await page.getByTestId("channels-pause").click();
    await row.getByTestId("channel-paused").waitFor({ state: "visible", timeout: 10_000 });
    expect(await button.getAttribute("data-paused")).toBe("true");
    expect(await button.getAttribute("title")).toMatch(
      /^Desktop notifications are paused until .+: a test is not sent until you resume them$/,
    );
    const { pausedUntil } = await apiCall<{ pausedUntil: string }>(serve, "alerts.channels");
    // The pause end as the page's locale writes a time of day, in a zone named here, not the page's own.
    const clock = (timeZone: string) =>
      page.evaluate(
        ({ until, zone }) =>
          new Intl.DateTimeFormat(undefined, {
            hour: "2-digit",
            minute: "2-digit",
            second: "2-digit",
            hour12: false,
            timeZone: zone,
          }).format(new Date(until)),
        { until: pausedUntil, zone: timeZone },
      );
    const localUntil = await clock(ZONE);
    expect(localUntil).not.toBe(await clock("UTC"));
    expect(await page.getByTestId("channels-paused").textContent()).toContain(`paused until ${localUntil}`);

    await button.click();
    const result = row.getByTestId("channel-test-result").locator("[data-status]");
    await result.waitFor({ state: "visible", timeout: 10_000 });
    expect(await result.getAttribute("data-status")).toBe("error");
    expect(await result.textContent()).toBe(
      `the test was not sent: desktop notifications are paused until ${localUntil}; resume them, then test again`,
    );
    expect(await apiCall<Delivery[]>(serve, "alerts.deliveries", { channel: "desktop" })).toEqual([]);
    expect(await shown()).toEqual([]);
    await shoot(page, "channels-paused");

    await page.getByTestId("channels-resume").click();
    await row.getByTestId("channel-paused").waitFor({ state: "detached", timeout: 10_000 });
    expect(await button.getAttribute("data-paused")).toBeNull();
    await button.click();
    await until(
      "the test delivered",
      async () => (await result.getAttribute("data-status")) === "delivered",
      10_000,
    );
    // The notification comes over the events socket, the result over HTTP: either may be first.
    await until("the test shown", async () => (await shown()).length > 0, 10_000);
    expect(await shown()).toEqual(["mcpscope test notification"]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
