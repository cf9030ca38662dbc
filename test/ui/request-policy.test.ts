/**
 * Browser mode refuses, where the user asked, what would make this machine run a program: the Add server
 * dialog (which starts on HTTP there and says up front what a command needs) and the channel editor show
 * the one-line refusal with the ways to do it anyway, keep what was typed, and nothing ran.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { uiFixture } from "../helpers/ui-fixture.js";
import { HAS_CHROMIUM, openPage, type Serve, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/request-policy.test.ts");

describe.skipIf(!HAS_CHROMIUM)(
  "browser mode refuses new commands where they are typed (real Chromium)",
  () => {
    const ui = uiFixture();
    let dir: string;
    let serve: Serve;
    beforeAll(async () => {
      dir = await ui.dir("mcpscope-ui-policy-");
      serve = await ui.serve(join(dir, "data"), join(dir, "home"));
    });

    it("the Add server dialog and the channel editor show the refusal and how to allow it", async () => {
      const marker = join(dir, "ran");
      const { page, problems } = await openPage(ui.browser, serve.url);

      await page.getByTestId("nav-servers").click();
      await page.getByTestId("add-server").click();
      // Browser mode starts on a remote server, and says before anything is typed what a command needs.
      expect(await page.getByTestId("add-transport-http").isChecked()).toBe(true);
      expect(await page.getByTestId("add-stdio-note").count()).toBe(0);
      await page.getByTestId("add-transport-stdio").check();
      expect(await page.getByTestId("add-stdio-note").textContent()).toContain(
        "mcpscope serve --allow-commands",
      );
      await page.getByTestId("add-name").fill("evil");
      await page.getByTestId("add-command").fill("/usr/bin/touch");
      await page.getByTestId("add-args").fill(marker);
      await page.getByTestId("add-submit").click();
      const addError = page.getByTestId("add-error");
      await addError.waitFor({ timeout: 10_000 });
      expect(await addError.textContent()).toBe(
        `refused in browser mode: this request adds a server that runs \`/usr/bin/touch ${marker}\`; allow such requests with \`mcpscope serve --allow-commands\`, or add it in the desktop app, or in servers.json in the data dir`,
      );
      expect(await page.getByTestId("add-command").inputValue()).toBe("/usr/bin/touch");
      await page.keyboard.press("Escape");

      await page.getByTestId("nav-alerts").click();
      await page.getByTestId("alerts-tab-channels").click();
      await page.getByTestId("channel-add").click();
      const yaml = `name: script\ntype: command\ncommand: /usr/bin/touch\nargs: [${JSON.stringify(marker)}]\n`;
      await page.getByTestId("channel-editor").fill(yaml);
      await page.getByTestId("channel-save").click();
      const channelError = page.getByTestId("channel-error");
      await channelError.waitFor({ timeout: 10_000 });
      expect(await channelError.textContent()).toMatch(
        /^\s*refused in browser mode: this request saves an alert channel that runs .*`mcpscope serve --allow-commands`, or add it in the desktop app, or in alerts\.yaml in the data dir\s*$/,
      );
      expect(await page.getByTestId("channel-editor").inputValue()).toBe(yaml);
      expect(existsSync(marker)).toBe(false);
      expect(problems).toEqual([]);
    });
  },
);
