/**
 * A call made through `mcpscope proxy` in the Calls view (browser mode, real Chromium): it appears like a
 * stdio call, its detail shows the HTTP status of the exchange that carried it, and the Servers view says
 * the server was recorded through the proxy.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { startEverything, startProxy } from "../helpers/http.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { HAS_CHROMIUM, openPage, until, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/proxied-call.test.ts");

describe.skipIf(!HAS_CHROMIUM)("a proxied call in the Calls view (real Chromium)", () => {
  const ui = uiFixture();

  it("shows the call with its HTTP status", async () => {
    const dir = await ui.dir("mcpscope-ui-");
    // The engine starts while the call is made: neither waits on the other.
    const call = async () => {
      const everything = await startEverything("streamableHttp");
      ui.defer(() => everything.stop());
      const proxy = await startProxy(everything.url, dir, "remote-everything");
      ui.defer(() => proxy.stop());
      const client = new Client({ name: "ui-test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url)));
      ui.defer(() => client.close());
      await client.callTool({ name: "echo", arguments: { message: "over HTTP" } });
    };
    const [serve] = await Promise.all([ui.serve(dir), call()]);

    const { page, problems } = await openPage(ui.browser, serve.url);
    await page.getByTestId("nav-calls").click();
    const row = page.getByTestId("call-row").filter({ hasText: "echo" }).first();
    await row.waitFor({ state: "visible", timeout: 10_000 });
    expect(await row.textContent()).toContain("remote-everything");
    await row.click();
    const detail = page.getByTestId("call-detail");
    await detail.waitFor({ state: "visible", timeout: 5000 });
    const text = await until(
      "the HTTP status row",
      async () => {
        const t = await detail.textContent();
        return t?.includes("HTTP status") ? t : undefined;
      },
      5000,
    );
    expect(text).toMatch(/HTTP status\s*200/);

    // No client config names it: listed as seen in traffic, recorded through the proxy (not `run`).
    await page.getByTestId("nav-servers").click();
    const seen = page.getByTestId("traffic-only");
    await seen.waitFor({ state: "visible", timeout: 10_000 });
    const said = (await seen.textContent())?.replace(/\s+/g, " ");
    expect(said).toContain("Recorded through mcpscope proxy under a name no client config uses");
    expect(said).toContain("remote-everything");
    expect(problems).toEqual([]);
  });
});
