/**
 * The Calls view in real Chromium, in browser mode: `mcpscope serve` serves the built renderer and the
 * API, a real MCP server (server-everything) is called through `mcpscope run` with the real SDK client,
 * and the call must show up live — with its hostile payload rendered as text, under a strict CSP.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, MCPSCOPE, ROOT, SERVERS, tempDir } from "../helpers/mcp.js";

const CHROMIUM = "/usr/bin/chromium";
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SERVE_URL = /http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+/;
const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;

if (!HAS_CHROMIUM) {
  console.warn(
    `\n*** SKIPPED test/ui/calls-view.test.ts: ${CHROMIUM} is missing, so the UI is NOT tested here. ` +
      "Install it with `apt-get install chromium` (CI does). ***\n",
  );
}

interface Serve {
  /** The URL `mcpscope serve` printed, with its `#token=…`. */
  url: string;
  origin: string;
  stop(): Promise<void>;
}

/** Starts `mcpscope serve` on a free port and waits for the URL it prints. */
async function startServe(dataDir: string): Promise<Serve> {
  const child: ChildProcess = spawn(
    process.execPath,
    [MCPSCOPE, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`mcpscope serve printed no URL within 20 s; its output:\n${output}`));
    }, 20_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = SERVE_URL.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`mcpscope serve exited with ${code} before printing its URL; its output:\n${output}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Opens the page and records what would mean it is broken or unsafe: CSP violations, script errors. */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url);
  return { page, problems };
}

/** Polls until `check` returns a truthy value, or fails naming `what`. */
async function until<T>(what: string, check: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
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
    await row.waitFor({ state: "visible", timeout: 2000 });
    expect(Date.now() - returnedAt).toBeLessThan(2000);
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
