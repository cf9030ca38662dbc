/**
 * The UI tests' Chromium starts no page a test does not open. Its omnibox popups, WebUI pages it would
 * preload in renderers of their own for every window, cost as much CPU as the app's page; if a Chromium
 * update renames the features that turn them off, this says so.
 */
import { describe, expect, it } from "vitest";
import { uiFixture } from "../helpers/ui-fixture.js";
import { warnIfNoChromium } from "./browser.js";
import { featuresLeftOn, HAS_CHROMIUM } from "./chromium.js";

warnIfNoChromium("test/ui/chromium-args.test.ts");

describe("the disabled features list", () => {
  it("keeps every feature an earlier --disable-features turned off", () => {
    expect(featuresLeftOn(["--a", "--disable-features=A,B", "--disable-features=B,C"])).toEqual(["A"]);
    expect(featuresLeftOn(["--disable-features=A,B", "--disable-features=C,B,A"])).toEqual([]);
    expect(featuresLeftOn(["--disable-features=A"])).toEqual([]);
  });
});

describe.skipIf(!HAS_CHROMIUM)("the UI tests' Chromium", () => {
  const ui = uiFixture();

  it("opens a test's page and no browser UI page beside it", async () => {
    const page = await ui.browser.newPage();
    ui.defer(() => page.close());
    await page.goto("about:blank");
    const cdp = await ui.browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send("Target.getTargets");
    expect(targetInfos.filter((target) => target.type !== "page").map((target) => target.url)).toEqual([]);
    expect(targetInfos.some((target) => target.type === "page")).toBe(true);
  });
});
