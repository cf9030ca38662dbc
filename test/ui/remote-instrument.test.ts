/**
 * Instrumenting a remote server from the Servers view (browser mode, real Chromium): the confirmation
 * names the file and says the client then needs mcpscope running; the entry's URL is pointed at the
 * proxy `mcpscope serve`'s engine runs, through which the real SDK client reaches the real server and
 * its calls are recorded; the key in the URL's query is shown masked, in the message and the detail;
 * no "lost" banner shows until the client writes another URL there; Uninstrument restores the file byte
 * for byte.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { startEverything, storedCalls } from "../helpers/http.js";
import { waitFor } from "../helpers/mcp.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { HAS_CHROMIUM, openPage, until, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/remote-instrument.test.ts");

const KEY = "sk-abcdefghijklmnopqrstuvwx";

describe.skipIf(!HAS_CHROMIUM)("instrumenting a remote server from the Servers view", () => {
  const ui = uiFixture();

  it("points the entry at the engine's proxy, records the client's calls, and restores the file", async () => {
    const everything = await startEverything("streamableHttp");
    ui.defer(() => everything.stop());
    const home = await ui.dir("mcpscope-ui-home-");
    const data = await ui.dir("mcpscope-ui-data-");
    const cursorFile = join(home, ".cursor", "mcp.json");
    await mkdir(join(home, ".cursor"), { recursive: true });
    const upstream = `${everything.url}?api_key=${KEY}`;
    const original = `{\n  "mcpServers": {\n    "remote": { "url": ${JSON.stringify(upstream)} }\n  }\n}\n`;
    await writeFile(cursorFile, original);
    const serve = await ui.serve(data, home);

    const { page, problems } = await openPage(ui.browser, serve.url);
    await page.getByTestId("nav-servers").click();
    const row = page.locator('[data-testid="server-row"][data-server-name="remote"]');
    await row.waitFor({ state: "visible", timeout: 10_000 });
    await row.getByTestId("server-action-instrument").click();
    const note = page.getByTestId("instrument-remote-note");
    await note.waitFor({ state: "visible", timeout: 5000 });
    expect(await note.textContent()).toMatch(/Cursor then reaches the server only while mcpscope is running/);
    expect(await page.getByRole("dialog").textContent()).toContain(cursorFile);
    await page.getByTestId("confirm-ok").click();
    const toast = page.getByTestId("toast").filter({ hasText: "now goes through mcpscope's proxy" });
    await toast.waitFor({ state: "visible", timeout: 10_000 });
    expect(await toast.textContent()).toMatch(/proxy at http:\/\/127\.0\.0\.1:\d+\/mcp\?api_key=\[masked:/);

    const url = await until(
      "the rewritten URL",
      async () => {
        const now = /"url": "([^"]+)"/.exec(await readFile(cursorFile, "utf8"))?.[1];
        return now !== upstream ? now : undefined;
      },
      10_000,
    );
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/mcp\\?api_key=${KEY}$`));
    expect(await readFile(cursorFile, "utf8")).toBe(
      original.replace(JSON.stringify(upstream), JSON.stringify(url)),
    );
    const masked = url.replace(KEY, "[masked:");

    // The client, as Cursor would after a restart: through the engine's proxy to the real server.
    const client = new Client({ name: "cursor-like", version: "1.0.0" });
    await waitFor(async () => {
      try {
        await client.connect(new StreamableHTTPClientTransport(new URL(url)));
        return true;
      } catch {
        return false;
      }
    }, 10_000);
    const result = await client.callTool({ name: "echo", arguments: { message: "via the app's proxy" } });
    expect(result.content).toEqual([{ type: "text", text: "Echo: via the app's proxy" }]);
    await client.close();
    await waitFor(() => storedCalls(data, "remote").find((c) => c.target === "echo"));
    // In place, not "lost": no banner about configs that could not be read.
    expect(await page.getByTestId("discovery-warnings").count()).toBe(0);
    // Cursor writing the server's own URL back takes the entry out of mcpscope: said as that, not as a
    // file that could not be read; the proxy's URL back in place clears it.
    const proxied = await readFile(cursorFile, "utf8");
    await writeFile(cursorFile, original);
    const heading = page.getByTestId("discovery-warnings-heading");
    await heading.waitFor({ state: "visible", timeout: 10_000 });
    expect((await heading.textContent())?.trim()).toBe("! An instrumented entry is no longer recorded");
    expect(await page.getByTestId("discovery-warning").textContent()).toContain(
      "no longer points at mcpscope's proxy",
    );
    await writeFile(cursorFile, proxied);
    await page.getByTestId("discovery-warnings").waitFor({ state: "detached", timeout: 10_000 });

    // The server's detail says what the entry now goes through, and that the proxy runs.
    await row.getByTestId("server-name").click();
    const detail = page.getByTestId("server-detail");
    await detail.waitFor({ state: "visible", timeout: 5000 });
    await until(
      "the proxy's state",
      async () => (await detail.textContent())?.includes(`running at ${masked}`),
      10_000,
    );
    expect(await detail.textContent()).toContain(`${everything.url}?api_key=[masked:`); // the server it relays to
    expect(await page.content()).not.toContain(KEY);
    await page.getByTestId("nav-servers").click();
    await row.waitFor({ state: "visible", timeout: 5000 });

    await row.getByTestId("server-action-uninstrument").click();
    await page.getByTestId("confirm-ok").click();
    await until("the original file", async () => (await readFile(cursorFile, "utf8")) === original, 10_000);
    expect(problems).toEqual([]);
  });
});
