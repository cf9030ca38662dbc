/**
 * Browser mode without a valid token, in real Chromium: a page that cannot read mcpscope's data must show
 * no figure in any view (a zero, "0 up" or a green "all clear" would be read as data), only that it has
 * no access. The data dir holds recorded traffic (good and failing calls), so a view that showed figures
 * would have some to show.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { uiFixture } from "../helpers/ui-fixture.js";
import { HAS_CHROMIUM, openPage, recordSessions, type Serve, warnIfNoChromium } from "./browser.js";

const VIEWS = ["overview", "servers", "tools", "calls", "logs", "events", "alerts", "reports", "storage"];
const TIMEOUT_MS = 15_000;

warnIfNoChromium("test/ui/no-access.test.ts");

describe.skipIf(!HAS_CHROMIUM)("browser mode without a valid token (real Chromium)", () => {
  const ui = uiFixture();
  let serve: Serve;

  beforeAll(async () => {
    // Sessions stored through the wrappers' own writer, one with failing calls: no server needs to run.
    const dir = await ui.dir("mcpscope-ui-no-access-");
    const dataDir = join(dir, "data");
    recordSessions(dataDir, { everything: false, failing: true });
    serve = await ui.serve(dataDir, dir);
  }, 60_000);

  async function expectNoFigures(page: Page, problems: string[]): Promise<void> {
    const status = page.getByTestId("connection-status");
    await page.locator('[data-testid="connection-status"][data-state="unauthorized"]').waitFor({
      timeout: TIMEOUT_MS,
    });
    expect(await status.textContent()).toContain("Not authorised");
    for (const view of VIEWS) {
      await page.getByTestId(`nav-${view}`).click();
      await page.getByTestId("no-access").waitFor({ timeout: TIMEOUT_MS });
      const text = (await page.locator("body").textContent()) ?? "";
      expect(text, `the ${view} view`).not.toMatch(/\d/);
      expect(text, `the ${view} view`).not.toMatch(/all clear|\bup\b|\bdown\b/i);
    }
    expect(problems).toEqual([]);
  }

  it("shows no figure in any view with a wrong token", async () => {
    const { page, problems } = await openPage(ui.browser, `${serve.origin}/#token=wrong`);
    await expectNoFigures(page, problems);
  });

  it("shows no figure in any view without a token", async () => {
    const { page, problems } = await openPage(ui.browser, `${serve.origin}/`);
    await expectNoFigures(page, problems);
  });

  it("takes the printed link pasted into a tab without a token, or with a stale one", async () => {
    const printed = new URL(serve.url).hash;
    for (const start of [`${serve.origin}/#/calls`, `${serve.origin}/#token=stale`]) {
      const { page, problems } = await openPage(ui.browser, start);
      const connected = page.locator('[data-testid="connection-status"][data-state="connected"]');
      await page.locator('[data-testid="connection-status"][data-state="unauthorized"]').waitFor({
        timeout: TIMEOUT_MS,
      });
      // Only the fragment changes: the browser navigates within the page, as pasting the link does.
      await page.evaluate(`location.href = ${JSON.stringify(`${serve.origin}/${printed}`)}`);
      await connected.waitFor({ state: "attached", timeout: TIMEOUT_MS });
      expect(page.url(), start).not.toContain("token=");
      await page.reload();
      await connected.waitFor({ state: "attached", timeout: TIMEOUT_MS });
      expect(problems, start).toEqual([]);
      await page.close();
    }
  });
});
