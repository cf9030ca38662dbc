/**
 * The Calls view in real Chromium, in browser mode: `mcpscope serve` serves the built renderer and the
 * API, a real MCP server (server-everything) is called through `mcpscope run` with the real SDK client,
 * and the call must show up live — with its hostile payload rendered as text, under a strict CSP.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, SERVERS, tempDir } from "../helpers/mcp.js";
import {
  HAS_CHROMIUM,
  launchChromium,
  openPage,
  type Serve,
  startServe,
  until,
  warnIfNoChromium,
} from "./browser.js";

const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;

warnIfNoChromium("test/ui/calls-view.test.ts");

/** The policy's effective script-src (falling back to default-src, as browsers do). */
function scriptSources(policy: string): string | undefined {
  const directives = new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map((parts) => [parts[0]?.toLowerCase() ?? "", parts.slice(1).join(" ")]),
  );
  return directives.get("script-src") ?? directives.get("default-src");
}

describe.skipIf(!HAS_CHROMIUM)("Calls view (browser mode, real Chromium)", () => {
  let browser: Browser;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await browser?.close();
  });

  async function fresh(): Promise<{ dataDir: string; serve: Serve }> {
    const dir = await tempDir("mcpscope-ui-");
    cleanups.push(dir.cleanup);
    const serve = await startServe(dir.path);
    cleanups.push(serve.stop);
    return { dataDir: dir.path, serve };
  }

  it("shows the empty state on a fresh data dir, and takes the token out of the URL", async () => {
    const { serve } = await fresh();
    const { page, problems } = await openPage(browser, serve.url);
    await page.getByTestId("nav-calls").click();

    const empty = page.getByTestId("empty-state");
    await empty.waitFor({ state: "visible", timeout: 10_000 });
    expect(await empty.textContent()).toContain("No calls yet.");
    expect(await empty.textContent()).toContain("mcpscope");
    expect(await page.getByTestId("call-row").count()).toBe(0);
    await until(
      "the live link",
      async () => (await page.getByTestId("connection-status").getAttribute("data-state")) === "connected",
      10_000,
    );
    expect(page.url()).not.toContain("token=");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows a real tool call live, renders its hostile payload as text, under a strict CSP", async () => {
    const { dataDir, serve } = await fresh();

    const index = await fetch(`${serve.origin}/`);
    expect(index.status).toBe(200);
    const html = await index.text();
    const policies = [
      index.headers.get("content-security-policy"),
      /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)?.[1],
    ].filter((p): p is string => Boolean(p));
    expect(policies.length, "GET / carries no Content-Security-Policy (header or meta)").toBeGreaterThan(0);
    for (const policy of policies) {
      const scripts = scriptSources(policy);
      expect(scripts, `no script-src or default-src in: ${policy}`).toBeDefined();
      expect(scripts).not.toContain("'unsafe-inline'");
      expect(scripts).not.toContain("'unsafe-eval'");
    }

    const { page, problems } = await openPage(browser, serve.url);
    await page.getByTestId("nav-calls").click();
    await page.getByTestId("empty-state").waitFor({ state: "visible", timeout: 10_000 });
    await until(
      "the live link",
      async () => (await page.getByTestId("connection-status").getAttribute("data-state")) === "connected",
      10_000,
    );

    const client: Client = await connect(SERVERS.everything(), { dataDir, name: "everything" });
    cleanups.push(() => client.close());
    const result = await client.callTool({ name: "echo", arguments: { message: HOSTILE } });
    const returnedAt = Date.now();
    expect(JSON.stringify(result.content)).toContain("<img src=x onerror=");

    const row = page.getByTestId("call-row").filter({ hasText: "echo" }).first();
    await row.waitFor({ state: "visible", timeout: 10_000 });
    console.log(`calls view: the call showed ${Date.now() - returnedAt} ms after it returned`);
    expect(await row.textContent()).toContain("everything");

    await row.click();
    const detail = page.getByTestId("call-detail");
    await detail.waitFor({ state: "visible", timeout: 5000 });
    const response = page.getByTestId("call-response");
    const responseText = await until(
      "the response text",
      async () => {
        const text = (await response.count()) ? await response.textContent() : null;
        return text?.includes("<img src=x onerror=") ? text : undefined;
      },
      5000,
    );
    expect(responseText).toContain("window.__pwned=2</script>");
    expect(await page.getByTestId("call-request").textContent()).toContain("<img src=x onerror=");

    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(await detail.locator("img").count()).toBe(0);
    expect(await detail.locator("script").count()).toBe(0);
    expect(await page.locator("body img").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
