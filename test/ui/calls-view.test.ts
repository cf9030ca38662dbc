/**
 * The Calls view in real Chromium, in browser mode: `mcpscope serve` serves the built renderer and the
 * API, a real MCP server (server-everything) is called through `mcpscope run` with the real SDK client,
 * and the call must show up live — with its hostile payload rendered as text, under a strict CSP. Over
 * more calls than the view keeps, its count says what is loaded, its export holds every stored call (not
 * the page loaded), and a tool filter or a time range reaches a call older than the newest 2,000.
 */
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONDITION_MS, connect, ROOT, SERVERS } from "../helpers/mcp.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";
import {
  apiCall,
  downloadText,
  HAS_CHROMIUM,
  openPage,
  type Serve,
  until,
  warnIfNoChromium,
} from "./browser.js";

/** A task that works until it is cancelled. */
const HELD_TASK_SERVER = join(ROOT, "test", "fixtures", "held-task-server.mjs");

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
  const ui = uiFixture();
  // The first two tests share an engine on a fresh data dir, and a page: the first only reads it, and the
  // second checks that it is still empty before it makes the first call.
  let dataDir: string;
  let serve: Serve;
  let shared: Awaited<ReturnType<typeof openPage>> | undefined;
  const sharedPage = async () => {
    shared ??= await openPage(ui.browser, serve.url);
    return shared;
  };

  beforeAll(async () => {
    dataDir = await ui.dir("mcpscope-ui-");
    serve = await ui.serve(dataDir);
  }, 60_000);
  afterAll(async () => {
    await shared?.page.close().catch(() => {});
  });

  it("shows the empty state on a fresh data dir, and takes the token out of the URL", async () => {
    const { page, problems } = await sharedPage();
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
  });

  it("shows a real tool call live, renders its hostile payload as text, under a strict CSP", async () => {
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

    const { page, problems } = await sharedPage();
    await page.getByTestId("nav-calls").click();
    await page.getByTestId("empty-state").waitFor({ state: "visible", timeout: CONDITION_MS });
    await until(
      "the live link",
      async () => (await page.getByTestId("connection-status").getAttribute("data-state")) === "connected",
      CONDITION_MS,
    );

    const client: Client = await connect(SERVERS.everything(), { dataDir, name: "everything" });
    ui.defer(() => client.close());
    const result = await client.callTool({ name: "echo", arguments: { message: HOSTILE } });
    const returnedAt = Date.now();
    expect(JSON.stringify(result.content)).toContain("<img src=x onerror=");

    const row = page.getByTestId("call-row").filter({ hasText: "echo" }).first();
    await row.waitFor({ state: "visible", timeout: CONDITION_MS });
    console.log(`calls view: the call showed ${Date.now() - returnedAt} ms after it returned`);
    expect(await row.textContent()).toContain("everything");

    await row.click();
    const detail = page.getByTestId("call-detail");
    await detail.waitFor({ state: "visible", timeout: CONDITION_MS });
    const response = page.getByTestId("call-response");
    const responseText = await until(
      "the response text",
      async () => {
        const text = (await response.count()) ? await response.textContent() : null;
        return text?.includes("<img src=x onerror=") ? text : undefined;
      },
      CONDITION_MS,
    );
    expect(responseText).toContain("window.__pwned=2</script>");
    expect(await page.getByTestId("call-request").textContent()).toContain("<img src=x onerror=");
    // The server as its handshake named itself, beside the client.
    expect(await detail.textContent()).toMatch(/Server info\s*mcp-servers\/everything \d/);

    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(await detail.locator("img").count()).toBe(0);
    expect(await detail.locator("script").count()).toBe(0);
    expect(await page.locator("body img").count()).toBe(0);

    // A tool called as a task (MCP tasks): its row shows the task working, marked, live; cancelled by the
    // client, the same row takes the outcome, and its detail lists the task's status changes. The task
    // works until it is cancelled, so that the cancel lands on a running task however slow the machine.
    const tasks: Client = await connect([HELD_TASK_SERVER], { dataDir, name: "held-tasks" });
    ui.defer(() => tasks.close());
    const stream = tasks.experimental.tasks.callToolStream(
      { name: "held-research", arguments: { topic: "rivers" } },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    );
    const created = await stream.next();
    const taskId = created.value?.type === "taskCreated" ? created.value.task.taskId : "";
    const taskRow = page.getByTestId("call-row").filter({ hasText: "held-research" });
    const badge = taskRow.getByTestId("outcome-badge");
    await until(
      "the running task's row",
      async () => (await badge.getAttribute("data-outcome")) === "running",
      CONDITION_MS,
    );
    expect(await badge.textContent()).toBe("working");
    expect(await taskRow.getByTestId("task-mark").getAttribute("title")).toBe(`task ${taskId}: working`);
    // Filtered to the calls still running, the list holds the task's call alone; it leaves once its task ends.
    const outcomeFilter = page.getByTestId("filter-outcome");
    await outcomeFilter.selectOption("running");
    const rows = page.getByTestId("call-row");
    await until("the running calls alone", async () => (await rows.count()) === 1, CONDITION_MS);
    expect(await badge.getAttribute("data-outcome")).toBe("running");
    await tasks.experimental.tasks.cancelTask(taskId);
    await until(
      "the ended task's call out of the running ones",
      async () => (await rows.count()) === 0,
      CONDITION_MS,
    );
    await outcomeFilter.selectOption("");
    await until(
      "the task's end",
      async () => (await badge.getAttribute("data-outcome")) === "cancelled",
      CONDITION_MS,
    );
    await taskRow.click();
    const updates = page.getByTestId("call-task-updates");
    await updates.waitFor({ state: "visible", timeout: CONDITION_MS });
    expect(await updates.textContent()).toMatch(/working[\s\S]*cancelled/);
    await stream.return(undefined);
    expect(problems).toEqual([]);
  });

  it("over more calls than it keeps, says what is loaded and reaches an older call by tool or time range", async () => {
    const dir = await ui.dir("mcpscope-ui-");
    const now = Date.now();
    const needleAt = now - 3 * 86_400_000;
    // The oldest call (lowest id), then 2,300 newer ones, all stored through the wrappers' own writer.
    const bulk: TestCall[] = [
      {
        server: "bulk",
        method: "tools/call",
        target: "needle",
        outcome: "ok",
        startedAt: needleAt,
        durationMs: 4,
      },
      ...Array.from({ length: 2300 }, (_, i) => ({
        server: "bulk",
        method: "tools/call",
        target: "ping",
        outcome: "ok" as const,
        startedAt: now - 2 * 86_400_000 + i * 60_000,
        durationMs: 2,
      })),
    ];
    // A request the server sent its client, which the user declined: its row says whose answer it is.
    bulk.push({
      server: "bulk",
      direction: "s2c",
      method: "sampling/createMessage",
      target: null,
      outcome: "client_error",
      startedAt: now - 9 * 3_600_000,
      durationMs: 900,
    });
    // The newest call, of another session: an echo with its arguments, as a wrapper stores it (the test
    // before shows a real one arriving live).
    const newest: TestCall[] = [
      {
        server: "everything",
        method: "initialize",
        target: null,
        outcome: "ok",
        startedAt: now - 2000,
        durationMs: 2,
      },
      {
        server: "everything",
        method: "tools/call",
        target: "echo",
        outcome: "ok",
        startedAt: now - 1000,
        durationMs: 1,
        request: {
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "echo", arguments: { message: "newest" } },
        },
      },
    ];
    recordCalls(dir, [...bulk, ...newest]);
    const serve = await ui.serve(dir);
    const { page, problems } = await openPage(ui.browser, serve.url);
    await page.getByTestId("nav-calls").click();

    const count = page.getByTestId("calls-count");
    const countIs = (text: string) => async () => (await count.textContent())?.trim() === text;
    await until("the first page", countIs("200 newest calls loaded · scroll for more"), 10_000);
    const asked = page.getByTestId("call-row").filter({ hasText: "sampling/createMessage" });
    expect(await asked.getByTestId("call-direction").textContent()).toContain("(server → client)");
    expect(await page.getByTestId("call-direction").count()).toBe(1);

    // Export on "All" holds every stored call, not the 200 loaded: the same ids, newest first, as the API
    // pages them, and the toast says how many.
    const stored: number[] = [];
    for (;;) {
      const page = await apiCall<{ id: number; startedAt: string }[]>(serve, "calls.list", {
        limit: 1000,
        ...(stored.length ? { beforeId: stored.at(-1) } : {}),
      });
      stored.push(...page.map((c) => c.id));
      if (page.length < 1000) break;
    }
    expect(stored.length).toBeGreaterThan(2300);
    const exportCalls = page.getByTestId("calls-export");
    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      exportCalls.getByTestId("export-csv").click(),
    ]);
    const lines = (await downloadText(csv)).trim().split("\r\n");
    expect(lines.slice(1).map((l) => Number(l.split(",")[0]))).toEqual(stored);
    const toast = page.getByTestId("toast").last();
    await until("the export's toast", async () => (await toast.textContent())?.includes("calls"), 5000);
    expect(await toast.textContent()).toContain(`${stored.length.toLocaleString("en-US")} calls, every one`);
    const [json] = await Promise.all([
      page.waitForEvent("download"),
      exportCalls.getByTestId("export-json").click(),
    ]);
    const exported = JSON.parse(await downloadText(json)) as {
      calls: { id: number; request: string | null }[];
    };
    expect(exported.calls.map((c) => c.id)).toEqual(stored);
    expect(exported.calls.find((c) => c.request?.includes('"newest"'))).toBeDefined();

    // Scrolling pages back until the view's cap, which it names with the way past it.
    const capped = page.getByTestId("calls-capped");
    await until(
      "the cap",
      async () => {
        await page.evaluate(`(() => {
          const rows = document.querySelector('[data-testid="calls-table"] .rows');
          rows.scrollTop = rows.scrollHeight;
        })()`);
        return (await capped.count()) > 0;
      },
      30_000,
    );
    expect((await count.textContent())?.trim()).toBe(
      "newest 2,000 calls loaded · narrow the range or filters for older ones",
    );
    expect(await capped.textContent()).toContain("choose a time range");
    expect(await page.getByTestId("call-row").count()).toBeLessThan(100);
    // A call from another day shows its date and time on one line.
    const timeLines = await page.evaluate(`(() => {
      const rows = document.querySelectorAll('[data-testid="call-row"]');
      const range = document.createRange();
      range.selectNodeContents(rows[rows.length - 1].querySelector("span"));
      return range.getClientRects().length;
    })()`);
    expect(timeLines).toBe(1);

    // The tool filter reaches the oldest call.
    await page.getByTestId("filter-tool").fill("needle");
    await page.getByTestId("filter-tool").press("Enter");
    await until("the needle by tool", countIs("1 call"), 10_000);
    const needle = page.getByTestId("call-row").filter({ hasText: "needle" });
    await needle.click();
    await page.getByTestId("call-detail").waitFor({ state: "visible", timeout: 5000 });

    // So does a custom window from before it to 250 minutes into the newer calls, with no tool filter:
    // more than a page, which paging goes back through within the window, down to the needle.
    await page.getByTestId("filter-tool").fill("");
    await page.getByTestId("filter-tool").press("Enter");
    await until("all calls again", countIs("200 newest calls loaded · scroll for more"), 10_000);
    const range = page.getByTestId("calls-range");
    await range.locator('[data-range="custom"]').click();
    const local = (ms: number) =>
      new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    const from = local(needleAt - 3_600_000);
    const to = local(now - 2 * 86_400_000 + 250 * 60_000);
    const inWindow = bulk.filter(
      (c) => c.startedAt >= new Date(from).getTime() && c.startedAt <= new Date(to).getTime(),
    ).length;
    expect(inWindow).toBeGreaterThan(200);
    const custom = page.getByTestId("time-range-custom");
    await custom.locator('input[type="datetime-local"]').nth(0).fill(from);
    await custom.locator('input[type="datetime-local"]').nth(1).fill(to);
    await custom.getByRole("button", { name: "Apply" }).click();
    await until(
      "every call of the window",
      async () => {
        await page.evaluate(`(() => {
          const rows = document.querySelector('[data-testid="calls-table"] .rows');
          rows.scrollTop = rows.scrollHeight;
        })()`);
        return (await count.textContent())?.trim() === `${inWindow} calls`;
      },
      15_000,
    );
    await until(
      "the needle at the window's end",
      async () => {
        // The last page may have come in below the scrolled-to end: scroll there again.
        await page.evaluate(`(() => {
          const rows = document.querySelector('[data-testid="calls-table"] .rows');
          rows.scrollTop = rows.scrollHeight;
        })()`);
        return (await page.getByTestId("call-row").last().textContent())?.includes("needle");
      },
      5000,
    );

    // A preset range narrows to the newest calls only: the newest session's, not the hours-old ones.
    await range.locator('[data-range="15m"]').click();
    const rows = page.getByTestId("call-row");
    await until(
      "the last 15 minutes",
      async () =>
        (await rows.filter({ hasText: "bulk" }).count()) === 0 &&
        (await rows.filter({ hasText: "echo" }).count()) === 1,
      10_000,
    );
    expect((await count.textContent())?.trim()).toMatch(/^\d calls?$/);

    // From the Tools view over 7 days, a tool's call count opens exactly those calls.
    await page.getByTestId("nav-tools").click();
    await page.locator('[data-range="7d"]').first().click();
    const needleTool = page.locator('[data-testid="tool-row"][data-server="bulk"][data-tool="needle"]');
    await needleTool.getByTestId("tool-calls").click({ timeout: 10_000 });
    await until(
      "the needle from the Tools view",
      async () => (await rows.count()) === 1 && (await rows.first().textContent())?.includes("needle"),
      10_000,
    );
    expect((await count.textContent())?.trim()).toBe("1 call");
    expect(await page.getByTestId("filter-tool").inputValue()).toBe("needle");
    expect(problems).toEqual([]);
    await page.close();
  });
});
