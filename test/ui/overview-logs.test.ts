/**
 * The Overview, Tools and Logs views in real Chromium, in browser mode. `mcpscope serve` runs with an
 * empty home (discovery reads nothing real); a real server (server-everything, behind a tiny launcher that
 * writes a marker line to stderr and then, on demand, more lines) is called through `mcpscope run` with
 * the real SDK client, one call failing. The Overview must show the server and its tools with the right
 * call and error counts; the Logs view must find the marker by full-text search, and its live tail must
 * show a line the server writes without a new search (the delay is printed: a figure, not an assertion).
 */
import { randomBytes } from "node:crypto";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { connect, MCPSCOPE, ROOT } from "../helpers/mcp.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { HAS_CHROMIUM, openPage, type Serve, until, warnIfNoChromium } from "./browser.js";

const EVERYTHING = join(
  ROOT,
  "node_modules",
  "@modelcontextprotocol",
  "server-everything",
  "dist",
  "index.js",
);
/** Markers are single words, so that the full-text index keeps each whole. */
const MARKER = `uimarker${randomBytes(6).toString("hex")}`;
const TAIL_MARKER = `uitail${randomBytes(6).toString("hex")}`;

/**
 * The "server": writes MARKER to stderr, copies whatever is appended to the trigger file to stderr (so the
 * test decides when a line is written), then runs server-everything over stdio in the same process.
 */
const LAUNCHER = `
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [trigger, entry, marker] = process.argv.slice(2);
process.stderr.write(\`\${marker} launcher ready, pid \${process.pid}\\n\`);
process.stderr.write('<img src=x onerror="window.__pwned=1"><b>hostile</b> log line\\n');
let offset = 0;
setInterval(() => {
  let bytes;
  try { bytes = readFileSync(trigger); } catch { return; }
  if (bytes.length <= offset) return;
  process.stderr.write(bytes.subarray(offset));
  offset = bytes.length;
}, 20).unref();
process.argv.splice(2, process.argv.length - 2, "stdio");
await import(pathToFileURL(entry).href);
`;

warnIfNoChromium("test/ui/overview-logs.test.ts");

/** The data-* attributes of a tool row, once it shows `calls` calls. */
async function toolRow(page: Page, testid: string, tool: string, calls: number) {
  const row = page.locator(`[data-testid="${testid}"][data-server="everything"][data-tool="${tool}"]`);
  return until(
    `${tool} with ${calls} calls in ${testid}`,
    async () => {
      if ((await row.count()) === 0) return undefined;
      const got = Number(await row.first().getAttribute("data-calls"));
      return got === calls
        ? {
            calls: got,
            errors: Number(await row.first().getAttribute("data-errors")),
            text: await row.first().textContent(),
          }
        : undefined;
    },
    15_000,
  );
}

describe.skipIf(!HAS_CHROMIUM)("Overview, Tools and Logs (browser mode, real Chromium)", () => {
  let serve: Serve;
  let client: Client;
  let page: Page;
  let problems: string[];
  let trigger: string;
  let emptyText = "";
  const ui = uiFixture();

  beforeAll(async () => {
    const home = await ui.dir("mcpscope-ui-home-");
    const data = await ui.dir("mcpscope-ui-data-");
    await mkdir(join(home, "bin"), { recursive: true });
    const launcher = join(home, "bin", "launcher.mjs");
    await writeFile(launcher, LAUNCHER);
    trigger = join(home, "bin", "stderr.txt");
    await writeFile(trigger, "");
    // Configured in Cursor, wrapped by hand as the session below is started (so its calls are this
    // entry's); mcpscope never probes it, so only traffic says it is up.
    await mkdir(join(home, ".cursor"), { recursive: true });
    const run = [MCPSCOPE, "run", "--name", "everything", "--data-dir", data, "--", process.execPath];
    const entry = { command: process.execPath, args: [...run, launcher, trigger, EVERYTHING, MARKER] };
    await writeFile(join(home, ".cursor", "mcp.json"), JSON.stringify({ mcpServers: { everything: entry } }));
    serve = await ui.serve(data, home);
    ({ page, problems } = await openPage(ui.browser, serve.url));
    // The page is open before any traffic: what follows arrives live.
    await page.getByTestId("overview-empty").waitFor({ state: "visible", timeout: 10_000 });
    // Read now: once the client below connects, the live session ends the empty state.
    emptyText = (await page.getByTestId("overview-empty").textContent()) ?? "";
    client = await connect([launcher, trigger, EVERYTHING, MARKER], {
      dataDir: data,
      name: "everything",
    });
    ui.defer(() => client.close());
  });

  it("starts on the Overview, which explains how to get data when there is none", async () => {
    expect(await page.getByTestId("nav-overview").getAttribute("aria-current")).toBe("page");
    expect(emptyText).toContain("No calls recorded yet.");
    expect(emptyText).toContain("mcpscope run");
  });

  it("the Overview shows the server and its tools with the right call and error counts, live", async () => {
    for (let i = 0; i < 3; i++) await client.callTool({ name: "echo", arguments: { message: `hello ${i}` } });
    for (let i = 0; i < 2; i++) await client.callTool({ name: "get-sum", arguments: { a: i, b: 2 } });
    // A failing call: the arguments do not match echo's schema (a JSON-RPC error or isError, per SDK).
    const failed = await client.callTool({ name: "echo", arguments: { wrong: true } }).then(
      (result) => result.isError === true,
      () => true,
    );
    expect(failed).toBe(true);

    const echo = await toolRow(page, "overview-tool-row", "echo", 4);
    expect(echo.errors).toBe(1);
    const failing = page.locator('[data-testid="top-failing"] [data-tool="echo"]');
    expect(await failing.getAttribute("data-errors")).toBe("1");
    expect(await failing.getByTestId("tool-errors").textContent()).toBe("1");
    const sum = await toolRow(page, "overview-tool-row", "get-sum", 2);
    expect(sum.errors).toBe(0);
    expect(await page.locator('[data-testid="top-failing"] [data-tool="get-sum"]').count()).toBe(0);

    // The cards count every request (initialize included), so at least the six tool calls, one failed.
    const calls = Number(
      (await page.getByTestId("card-calls").getByTestId("stat-value").textContent())?.replace(/\D/g, ""),
    );
    expect(calls).toBeGreaterThanOrEqual(6);
    expect(await page.getByTestId("card-errors").textContent()).toContain("1 failed");
    expect(await page.getByTestId("card-p95").getByTestId("stat-value").textContent()).toMatch(/\d/);
    for (const chart of ["chart-calls", "chart-errors", "chart-latency"]) {
      expect(await page.getByTestId(chart).locator("canvas").count(), chart).toBeGreaterThan(0);
    }
  });

  it("a configured server that answered calls just now is up and active, with its last call, never probed", async () => {
    const card = page.getByTestId("card-servers");
    await until(
      "the server counted up from its traffic",
      async () => (await card.getByTestId("stat-value").textContent())?.trim() === "1 up",
      5000,
    );
    expect(await card.getByTestId("servers-active").textContent()).toContain("1 active");
    await page.getByTestId("nav-servers").click();
    const row = page.locator('[data-testid="server-row"][data-server-name="everything"]');
    await row.waitFor({ state: "visible", timeout: 10_000 });
    expect(await row.getAttribute("data-status")).toBe("active");
    expect(await row.getByTestId("server-activity").textContent()).toMatch(
      /last call (just now|\d+ s ago) · not probed yet/,
    );
    await row.getByTestId("server-name").click();
    const detail = page.getByTestId("server-detail");
    await detail.waitFor({ state: "visible", timeout: 5000 });
    expect(await detail.textContent()).toMatch(
      /Last call(just now|\d+ s ago) — \d+ answered in the last 5 min/,
    );
    // Never probed, yet its tools are known from the calls made through the wrapper.
    await detail
      .getByTestId("tool")
      .filter({ hasText: "get-sum" })
      .waitFor({ state: "visible", timeout: 5000 });
    expect(await detail.getByTestId("tools-source").textContent()).toContain("from recorded traffic");
    await page.getByTestId("server-back").click();
    await page.getByTestId("nav-overview").click();
  });

  it("the Tools view lists each tool with its calls, outcomes and percentiles", async () => {
    await page.getByTestId("nav-tools").click();
    const echo = await toolRow(page, "tool-row", "echo", 4);
    expect(echo.errors).toBe(1);
    expect(echo.text).toContain("1 failed");
    const bar = page.locator('[data-testid="tool-row"][data-tool="echo"] [data-testid="outcome-bar"]');
    expect(await bar.getAttribute("aria-label")).toMatch(/^3 ok, 1 /);
    // Sorted by tool name: ascending on the first click, descending on the second.
    const order = () =>
      page.getByTestId("tool-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-tool")));
    await page.locator('[data-sort="tool"]').click();
    expect(await order()).toEqual(["echo", "get-sum"]);
    await page.locator('[data-sort="tool"]').click();
    expect(await order()).toEqual(["get-sum", "echo"]);
  });

  it("a line from an MCP log notification shows its request and opens the call it came during", async () => {
    await client.setLoggingLevel("debug");
    // On (one message at once, during the call), then off again.
    await client.callTool({ name: "toggle-simulated-logging", arguments: {} });
    await client.callTool({ name: "toggle-simulated-logging", arguments: {} });
    // The wrapper stores the line and the call in batches, and the line's batch can land first: the detail
    // then shows the call when it arrives (calls.new). Either order must end with the call's link.
    await page.getByTestId("nav-logs").click();
    const search = page.getByTestId("logs-search");
    await search.fill('"level message"');
    // The server picks one of eight lines at random, "Debug-level message" … "Alert level-message".
    const row = page
      .getByTestId("log-row")
      .filter({ hasText: /level[- ]message/ })
      .first();
    await until(
      "the notification's line",
      async () => {
        if ((await row.count()) > 0) return true;
        await search.press("Enter");
        await page.waitForTimeout(250);
        return false;
      },
      15_000,
    );
    await row.click();
    const detail = page.getByTestId("log-detail");
    await detail.waitFor({ state: "visible", timeout: 5000 });
    expect(await detail.textContent()).toContain("MCP notifications/message");
    const open = detail.getByTestId("log-open-call");
    await open.waitFor({ state: "visible", timeout: 5000 });
    expect(await open.textContent()).toContain("toggle-simulated-logging");
    await open.click();
    expect(await page.getByTestId("nav-calls").getAttribute("aria-current")).toBe("page");
    const call = page.getByTestId("call-detail");
    await call.waitFor({ state: "visible", timeout: 5000 });
    expect(await call.textContent()).toContain("toggle-simulated-logging");
    await page.keyboard.press("Escape");
    await page.getByTestId("nav-logs").click();
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "hidden", timeout: 5000 });
  });

  it("the Logs view finds the server's stderr marker by full-text search and shows its fields", async () => {
    await page.getByTestId("nav-logs").click();
    const search = page.getByTestId("logs-search");
    await search.fill(MARKER);
    const row = page.getByTestId("log-row").filter({ hasText: MARKER });
    // The line is stored (and indexed) a moment after the server writes it: search again until it is.
    await until(
      "the marker line in the search results",
      async () => {
        // Before the search is in, the list shows every line (the marker among them): wait for only it.
        const texts = await page.getByTestId("log-row").allTextContents();
        if (texts.length > 0 && texts.every((t) => t.includes(MARKER))) return true;
        await search.press("Enter");
        await page.waitForTimeout(250);
        return false;
      },
      15_000,
    );
    expect(await page.getByTestId("log-row").count()).toBe(1);
    expect(await row.textContent()).toContain("everything");
    await row.click();
    const detail = page.getByTestId("log-detail");
    await detail.waitFor({ state: "visible", timeout: 5000 });
    expect(await detail.getByTestId("log-message").textContent()).toContain(`${MARKER} launcher ready`);
    expect(await detail.textContent()).toContain("stderr");
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "hidden", timeout: 5000 });
  });

  it("the live tail shows a line as the server writes it, without a new search", async () => {
    await page.getByTestId("logs-search").fill("");
    await page.getByTestId("logs-tail").click();
    expect(await page.getByTestId("logs-tail").getAttribute("aria-pressed")).toBe("true");
    // Wait for the tail's first search (everything, unfiltered) to be in: the marker's own search listed
    // only it, and the count says "Searching…" while a search is out.
    await until(
      "the tail's first search",
      async () =>
        (await page.getByTestId("logs-count").textContent()) !== "Searching…" &&
        (await page.getByTestId("log-row").filter({ hasText: MARKER }).count()) === 1 &&
        (await page.getByTestId("log-row").count()) > 1,
      10_000,
    );

    const written = Date.now();
    await appendFile(trigger, `${TAIL_MARKER} written by the test\n`);
    await page
      .getByTestId("log-row")
      .filter({ hasText: TAIL_MARKER })
      .waitFor({ state: "visible", timeout: 10_000 });
    console.log(`live tail: a line written by the server showed after ${Date.now() - written} ms`);
    // Followed: the newest line is the last one in view, and nothing waits behind a "new lines" pill.
    expect(await page.getByTestId("new-lines").count()).toBe(0);
  });

  it("the live tail takes thousands of lines per second, keeps every one, and draws only the rows in view", async () => {
    const LINES = 10_000;
    const flood = `uiflood${randomBytes(4).toString("hex")}`;
    // Frames the page draws while the flood arrives, for the figure printed below. How long a frame may take
    // is a measurement, not a test assertion (it depends on the machine's load), so the test prints it.
    // (Strings, not functions: this file is type-checked without the DOM library.)
    await page.evaluate(`(() => {
      window.__gaps = [];
      window.__stop = false;
      let last = performance.now();
      const tick = (now) => {
        window.__gaps.push(now - last);
        last = now;
        if (!window.__stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })()`);
    const started = Date.now();
    // 5,000 lines a second for two seconds, in 20 writes of 500 lines.
    for (let chunk = 0; chunk < 20; chunk++) {
      const lines = Array.from(
        { length: LINES / 20 },
        (_, i) => `${flood} line ${chunk * (LINES / 20) + i + 1} of ${LINES}\n`,
      );
      await appendFile(trigger, lines.join(""));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const last = page.getByTestId("log-row").filter({ hasText: `${flood} line ${LINES} of ${LINES}` });
    await last.waitFor({ state: "visible", timeout: 30_000 });
    const caughtUp = Date.now() - started;
    const gaps = (await page.evaluate("window.__stop = true, window.__gaps")) as number[];
    console.log(
      `live tail: ${LINES} lines in ${caughtUp} ms (written over ~2 s); ${gaps.length} frames, longest gap ${Math.round(Math.max(...gaps))} ms`,
    );
    // Every line arrived (the list holds them all, below its cap) ...
    const countText = (await page.getByTestId("logs-count").textContent()) ?? "";
    const count = Number(/^[\d,]+/.exec(countText)?.[0].replace(/,/g, ""));
    expect(count).toBeGreaterThanOrEqual(LINES);
    // ... while the page draws only the rows in view, which is what keeps it responsive.
    expect(await page.getByTestId("log-row").count()).toBeLessThan(200);
  });

  it("scrolled up, the tail keeps the rows in view still and counts new lines in a pill", async () => {
    const list = page.getByTestId("log-list");
    const firstId = () => page.getByTestId("log-row").first().getAttribute("data-log-id");
    const atEnd = await firstId();
    await list.hover();
    await page.mouse.wheel(0, -3000);
    // Lines written before the scroll has reached the list are followed, as they should be: wait for it.
    await until("the list scrolled up", async () => (await firstId()) !== atEnd);
    const before = await firstId();
    const more = `uimore${randomBytes(4).toString("hex")}`;
    await appendFile(trigger, Array.from({ length: 50 }, (_, i) => `${more} ${i + 1}\n`).join(""));
    const pill = page.getByTestId("new-lines");
    await until(
      "the new-lines pill",
      async () => (await pill.count()) > 0 && (await pill.textContent())?.includes("50 new lines"),
    );
    expect(await firstId()).toBe(before);
    await pill.click();
    await page
      .getByTestId("log-row")
      .filter({ hasText: `${more} 50` })
      .waitFor({ state: "visible", timeout: 2000 });
    await pill.waitFor({ state: "detached", timeout: 2000 });
  });

  it("the Patterns tab shows templates and lines per level", async () => {
    await page.getByTestId("logs-tab-patterns").click();
    await page.getByTestId("level-chart").waitFor({ state: "visible", timeout: 5000 });
    const pattern = page.getByTestId("pattern-row").filter({ hasText: "launcher ready" });
    await pattern.first().waitFor({ state: "visible", timeout: 20_000 });
    expect(await page.getByTestId("level-chart").locator("canvas").count()).toBeGreaterThan(0);
  });

  it("renders a hostile log line as text, under the CSP", async () => {
    await page.getByTestId("logs-tab-lines").click();
    await page.getByTestId("logs-tail").click();
    const search = page.getByTestId("logs-search");
    await search.fill("hostile");
    const row = page.getByTestId("log-row").filter({ hasText: "<b>hostile</b> log line" });
    await until(
      "the hostile line",
      async () => {
        if ((await row.count()) > 0) return true;
        await search.press("Enter");
        await page.waitForTimeout(250);
        return false;
      },
      10_000,
    );
    await row.first().click();
    expect(await page.getByTestId("log-message").textContent()).toContain(
      '<img src=x onerror="window.__pwned=1">',
    );
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(await page.locator("body img, body b").count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("the Load older lines control is a row of the log grid, and the lines are numbered after it", async () => {
    const search = page.getByTestId("logs-search");
    await search.fill("");
    await search.press("Enter");
    const older = page.getByTestId("log-list").getByRole("button", { name: /^Load [\d,]+ older lines$/ });
    await older.waitFor({ state: "visible", timeout: 10_000 });
    // biome-ignore lint/suspicious/noExplicitAny: a DOM element, in a file type-checked without the DOM library
    const placement = await older.evaluate((button: any) => {
      const row = button.closest('[role="row"]');
      return {
        cell: button.closest('[role="gridcell"]') !== null,
        rowIndex: row?.getAttribute("aria-rowindex"),
        inGrid: row?.parentElement?.getAttribute("role"),
      };
    });
    expect(placement).toEqual({ cell: true, rowIndex: "2", inGrid: "grid" });
    // Following the newest, the last line is the grid's last row: the count includes the control row.
    const last = page.getByTestId("log-row").last();
    expect(await last.getAttribute("aria-rowindex")).toBe(
      await page.getByTestId("log-list").getAttribute("aria-rowcount"),
    );
  });
});
