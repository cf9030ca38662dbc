/**
 * The built renderer in its desktop (IPC) mode, in real Chromium: a `window.mcpscope` bridge like the
 * preload's forwards calls to a real engine (`mcpscope serve`) and plays the main process's reports of
 * the engine's state. While the engine restarts or has stopped, the window says so and shows no figure
 * and no "all clear"; once it is back, the figures are.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { EngineState } from "../../shared/engine-state.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { HAS_CHROMIUM, type Serve, warnIfNoChromium } from "./browser.js";

const TIMEOUT_MS = 15_000;

warnIfNoChromium("test/ui/engine-away.test.ts");

/** Runs in the page before the app: the preload's bridge, over the HTTP API, with a state main pushes. */
function installBridge(token: string): void {
  type Listener = (payload: unknown) => void;
  const listeners = new Map<string, Set<Listener>>();
  let engine: EngineState = { state: "up", reason: null };
  const page = globalThis as unknown as Record<string, unknown>;
  page.__engineState = (next: EngineState) => {
    engine = next;
    for (const listener of listeners.get("engine.state") ?? []) listener(next);
  };
  page.mcpscope = {
    async invoke(method: string, input: unknown) {
      if (method === "engine.state") return engine;
      if (engine.state !== "up") throw new Error(`${method} failed: ${engine.reason}`);
      const response = await fetch(`/api/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(input ?? {}),
      });
      const body = (await response.json()) as { result?: unknown; error?: { message: string } };
      if (body.error) throw new Error(body.error.message);
      return body.result;
    },
    subscribe(event: string, listener: Listener) {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

describe.skipIf(!HAS_CHROMIUM)("the desktop window while its engine is away (real Chromium)", () => {
  const ui = uiFixture();
  let serve: Serve;

  beforeAll(async () => {
    serve = await ui.serveRecorded();
  }, 60_000);

  const status = (page: Page, state: string) =>
    page.locator(`[data-testid="connection-status"][data-state="${state}"]`).waitFor({ timeout: TIMEOUT_MS });
  const push = (page: Page, state: EngineState) =>
    page.evaluate(
      (next) => (globalThis as unknown as { __engineState(s: unknown): void }).__engineState(next),
      state,
    );
  /** What the user can read: hidden views are not in innerText. */
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point, hidden views excluded
  const visibleText = async (page: Page) => page.locator("body").innerText();

  it("says the engine is restarting or stopped, with why, and shows figures only once it is back", async () => {
    const page = await ui.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    await page.addInitScript(installBridge, new URL(serve.url).hash.replace(/^#token=/, ""));
    await page.goto(`${serve.origin}/`);

    await status(page, "connected");
    expect(await page.getByTestId("connection-status").textContent()).toContain("Live");
    await page.getByTestId("card-alerts").waitFor({ timeout: TIMEOUT_MS });
    expect(await visibleText(page)).toContain("all clear");

    const crash = "the mcpscope engine exited with code 134; it is restarting, try again in a moment";
    await push(page, { state: "restarting", reason: crash });
    await status(page, "reconnecting");
    await page.getByTestId("engine-away").waitFor({ timeout: TIMEOUT_MS });
    let text = await visibleText(page);
    expect(text).toContain("The monitor engine is restarting");
    expect(text).toContain("exited with code 134");
    expect(text).not.toMatch(/all clear|\bLive\b/);
    expect(await page.getByTestId("card-calls").isVisible()).toBe(false);

    const gaveUp =
      "the mcpscope engine exited with code 1, and stopped after 6 failures in 120s; restart mcpscope";
    await push(page, { state: "stopped", reason: gaveUp });
    await status(page, "stopped");
    await page.getByTestId("engine-stopped").waitFor({ timeout: TIMEOUT_MS });
    text = await visibleText(page);
    expect(text).toContain("Engine stopped");
    expect(text).toContain("stopped after 6 failures in 120s");
    expect(text).toContain("Restart engine");
    expect(text).not.toMatch(/all clear|\bLive\b/);

    await push(page, { state: "up", reason: null });
    await status(page, "connected");
    await page.getByTestId("card-alerts").waitFor({ state: "visible", timeout: TIMEOUT_MS });
    expect(await page.getByTestId("engine-stopped").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
