/**
 * Uninstrument from the Servers view when the client changed the wrapped entry since (browser mode, real
 * Chromium): the refusal says what happened without sending the user to a command-line flag, and offers
 * "Restore anyway", which puts the original entry back (as `--force` does) with a backup kept.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mcpscope } from "../helpers/mcp.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { HAS_CHROMIUM, openPage, until, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/uninstrument-force.test.ts");

describe.skipIf(!HAS_CHROMIUM)("Uninstrument over an entry the client changed", () => {
  const ui = uiFixture();

  it("offers Restore anyway instead of --force, and restores the original entry with a backup", async () => {
    const home = await ui.dir("mcpscope-ui-home-");
    const data = await ui.dir("mcpscope-ui-data-");
    const cursorFile = join(home, ".cursor", "mcp.json");
    await mkdir(join(home, ".cursor"), { recursive: true });
    const original =
      '{\n  "mcpServers": {\n    "memory": { "command": "npx", "args": ["-y", "server-memory"] }\n  }\n}\n';
    await writeFile(cursorFile, original);
    await mcpscope([
      "instrument",
      "--client",
      "cursor",
      "--server",
      "memory",
      "--home",
      home,
      "--data-dir",
      data,
    ]);
    // The client edits the wrapped entry (an argument added at the end).
    const wrapped = await readFile(cursorFile, "utf8");
    await writeFile(cursorFile, wrapped.replace('"server-memory"]', '"server-memory", "--debug"]'));
    const serve = await ui.serve(data, home);

    const { page, problems } = await openPage(ui.browser, serve.url);
    await page.getByTestId("nav-servers").click();
    const row = page.locator('[data-testid="server-row"][data-server-name="memory"]');
    await row.waitFor({ state: "visible", timeout: 10_000 });
    await row.getByTestId("server-action-uninstrument").click();
    await page.getByTestId("confirm-ok").click();

    const refusal = page.getByTestId("uninstrument-refusal");
    await refusal.waitFor({ state: "visible", timeout: 10_000 });
    const said = (await refusal.textContent()) ?? "";
    expect(said).toContain(`memory in ${cursorFile} was changed since mcpscope wrapped it`);
    expect(await page.getByRole("dialog").textContent()).not.toContain("--force");
    expect(await page.getByTestId("confirm-ok").textContent()).toContain("Restore anyway");
    expect(await page.getByRole("dialog").textContent()).toContain(
      "a backup of the file as it is now is kept",
    );
    await page.getByTestId("confirm-ok").click();

    const toast = page.getByTestId("toast").filter({ hasText: "Uninstrument memory" }).last();
    await toast.waitFor({ state: "visible", timeout: 10_000 });
    expect(await toast.getAttribute("data-kind")).toBe("ok");
    expect(await toast.textContent()).toContain("restart Cursor to pick up the change");
    await until(
      "the original entry back",
      async () => (await readFile(cursorFile, "utf8")) === original,
      10_000,
    );
    expect(await readdir(join(data, "backups", "cursor"))).toHaveLength(2);

    expect(problems).toEqual([]);
    await page.close();
  });
});
