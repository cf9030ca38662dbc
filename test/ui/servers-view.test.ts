/**
 * The Servers view in real Chromium, in browser mode: `mcpscope serve` runs with a fixture home holding a
 * Cursor config (one stdio server, the real server-everything), a malformed Windsurf config and a Gemini
 * CLI extension. The view
 * must list the server with its client, show the malformed file's warning, and start and stop the
 * server from its buttons, the status following each time; the started server's detail lists its tools.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { defaultDiscoveryContext } from "../../electron/monitor/discovery/context.js";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import { instrument } from "../../electron/monitor/instrument/instrument.js";
import { MCPSCOPE, SERVERS } from "../helpers/mcp.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { HAS_CHROMIUM, openPage, until, warnIfNoChromium } from "./browser.js";

const STATUS_TIMEOUT_MS = 15_000;

warnIfNoChromium("test/ui/servers-view.test.ts");

/**
 * A home directory holding a Cursor config (one server, one the user wrapped in `mcpscope run` by hand
 * through an mcpscope since deleted, and one switched off), a Windsurf config with a syntax error and a Gemini CLI extension declaring a
 * server.
 */
async function fixtureHome(home: string): Promise<{ cursorFile: string; windsurfFile: string }> {
  const cursorFile = join(home, ".cursor", "mcp.json");
  await mkdir(join(home, ".cursor"), { recursive: true });
  await writeFile(
    cursorFile,
    `${JSON.stringify(
      {
        mcpServers: {
          everything: { command: process.execPath, args: SERVERS.everything() },
          // Wrapped by hand, through an install that has since been deleted.
          "by-hand": {
            command: process.execPath,
            args: [
              join(home, "deleted", "bin", "mcpscope.js"),
              "run",
              "--name",
              "by-hand",
              "--",
              "node",
              "server.js",
            ],
          },
          // Switched off in Cursor: nothing listens there, and nothing should check.
          parked: { url: "http://127.0.0.1:9/mcp", disabled: true },
        },
      },
      null,
      2,
    )}\n`,
  );
  const windsurfFile = join(home, ".codeium", "windsurf", "mcp_config.json");
  await mkdir(join(home, ".codeium", "windsurf"), { recursive: true });
  await writeFile(windsurfFile, '{\n  "mcpServers": {\n    "broken": { "command": "node", \n');
  // A Gemini CLI extension's server: listed, but its manifest is not mcpscope's to edit.
  const extension = join(home, ".gemini", "extensions", "db-tools");
  await mkdir(extension, { recursive: true });
  await writeFile(
    join(extension, "gemini-extension.json"),
    '{"name": "db-tools", "mcpServers": {"ext-db": {"command": "node", "args": ["server.js"]}}}\n',
  );
  return { cursorFile, windsurfFile };
}

/** A Claude Desktop entry `mcpscope instrument` wrapped through an install that has since been deleted. */
async function wrappedByDeletedInstall(home: string, data: string): Promise<void> {
  await mkdir(join(home, ".config", "Claude"), { recursive: true });
  await writeFile(
    join(home, ".config", "Claude", "claude_desktop_config.json"),
    `${JSON.stringify({ mcpServers: { notes: { command: "node", args: ["notes.js"] } } }, null, 2)}\n`,
  );
  const context = await defaultDiscoveryContext({ home });
  const { servers } = await discoverServers(context, { clients: ["claude-desktop"] });
  const deleted = join(home, "deleted-install", "bin", "mcpscope.js");
  await instrument(servers[0]!, {
    dataDir: data,
    wrapperDataDir: data,
    launcher: { command: process.execPath, args: [deleted], env: {} },
  });
}

async function rowState(row: Locator): Promise<{ status: string | null; process: string | null }> {
  return {
    status: await row.getAttribute("data-status"),
    process: await row.getAttribute("data-process-state"),
  };
}

async function waitForToast(page: Page, title: string): Promise<{ kind: string | null; text: string }> {
  const toast = page.getByTestId("toast").filter({ hasText: title }).last();
  await toast.waitFor({ state: "visible", timeout: STATUS_TIMEOUT_MS });
  return { kind: await toast.getAttribute("data-kind"), text: (await toast.textContent()) ?? "" };
}

describe.skipIf(!HAS_CHROMIUM)("Servers view (browser mode, real Chromium)", () => {
  const ui = uiFixture();

  it("lists fixture-discovered servers with their client, marks the hand-wrapped one, shows the malformed config, starts and stops a server", async () => {
    const home = await ui.dir("mcpscope-ui-home-");
    const data = await ui.dir("mcpscope-ui-data-");
    const { windsurfFile } = await fixtureHome(home);
    await wrappedByDeletedInstall(home, data);
    const serve = await ui.serve(data, home);

    const { page, problems } = await openPage(ui.browser, serve.url);
    await page.getByTestId("nav-servers").click();

    const row = page.locator('[data-testid="server-row"][data-server-name="everything"]');
    await row.waitFor({ state: "visible", timeout: 10_000 }).catch(async (error: Error) => {
      const alerts = await page.getByRole("alert").allTextContents();
      throw new Error(
        `${error.message}\nthe page says: ${JSON.stringify(alerts)}\nmcpscope serve printed:\n${serve.output()}`,
      );
    });
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute("data-client")).toBe("cursor");
    expect(await row.getByTestId("server-client").textContent()).toContain("Cursor");

    const warning = page.getByTestId("discovery-warning").filter({ hasText: "mcp_config.json" });
    await warning.waitFor({ state: "visible", timeout: 5000 });
    expect(await warning.textContent()).toContain(windsurfFile);
    expect(await page.getByTestId("server-row").count()).toBe(5);

    // The extension's entry says it is not editable here, and why in its title; no Instrument button.
    const extension = page.locator('[data-testid="server-row"][data-server-name="ext-db"]');
    const notEditable = extension.getByTestId("server-not-editable");
    expect(await notEditable.textContent()).toContain("not editable here");
    expect(await notEditable.getAttribute("title")).toMatch(
      /Gemini CLI extension .* add an entry named ext-db/,
    );
    expect(await extension.getByTestId("server-action-instrument").count()).toBe(0);

    // The entry Cursor has switched off says so, and is not checked.
    const parked = page.locator('[data-testid="server-row"][data-server-name="parked"]');
    expect(await parked.getByTestId("server-disabled").textContent()).toBe("disabled in Cursor");
    expect(await parked.getByTestId("server-activity").textContent()).toContain(
      "not checked while disabled in Cursor",
    );
    expect(await row.getByTestId("server-disabled").count()).toBe(0);

    // The entry wrapped by hand says so; Uninstrument (nothing to undo) and Instrument are not offered.
    const byHand = page.locator('[data-testid="server-row"][data-server-name="by-hand"]');
    expect(await byHand.getByTestId("server-wrapped-by-hand").textContent()).toContain("wrapped by hand");
    expect(await byHand.getByTestId("server-action-uninstrument").count()).toBe(0);
    expect(await byHand.getByTestId("server-action-instrument").count()).toBe(0);
    // Its client cannot start it: said on its row (no Repair: mcpscope keeps nothing of a hand-written one).
    expect(await byHand.getByTestId("server-launcher-gone").textContent()).toBe("mcpscope gone");
    expect(await byHand.getByTestId("server-action-repair").count()).toBe(0);
    expect(await row.getByTestId("server-launcher-gone").count()).toBe(0);
    expect(await row.getByTestId("server-wrapped-by-hand").count()).toBe(0);

    // The entry mcpscope wrapped through a deleted install: said on its row and above the table, with
    // Repair; Repair all points it at this mcpscope, and the row no longer says it is broken.
    const notes = page.locator('[data-testid="server-row"][data-server-name="notes"]');
    expect(await notes.getByTestId("server-launcher-gone").count()).toBe(1);
    expect(await notes.getByTestId("server-action-repair").count()).toBe(1);
    await until(
      "the warnings' heading counting it",
      async () =>
        (await page.getByTestId("discovery-warnings-heading").textContent())?.includes(
          "An instrumented entry cannot start: the mcpscope it runs is gone",
        ),
      5000,
    );
    await page.getByTestId("repair-all").click();
    await page.getByTestId("confirm-ok").click();
    const repairToast = await waitForToast(page, "Repair");
    expect(repairToast.kind, repairToast.text).toBe("ok");
    expect(repairToast.text).toContain("1 entry now runs this mcpscope; restart Claude Desktop");
    await until(
      "the repaired row",
      async () => (await notes.getByTestId("server-launcher-gone").count()) === 0,
      STATUS_TIMEOUT_MS,
    );
    // It now runs the mcpscope that serves this view: not another one.
    expect(await notes.getByTestId("server-launcher-other").count()).toBe(0);
    // Pointed at another install that is there: a quiet badge and Repair, which re-points that entry.
    const otherInstall = join(home, "other-install", "bin", "mcpscope.js");
    await mkdir(join(home, "other-install", "bin"), { recursive: true });
    await writeFile(otherInstall, "");
    const claude = join(home, ".config", "Claude", "claude_desktop_config.json");
    await writeFile(
      claude,
      (await readFile(claude, "utf8")).replace(JSON.stringify(MCPSCOPE), JSON.stringify(otherInstall)),
    );
    const otherBadge = notes.getByTestId("server-launcher-other");
    await otherBadge.waitFor({ state: "visible", timeout: STATUS_TIMEOUT_MS });
    expect(await otherBadge.textContent()).toBe("other mcpscope");
    await notes.getByTestId("server-action-repair").click();
    await page.getByTestId("confirm-ok").click();
    const otherToast = await waitForToast(page, "Repair notes");
    expect(otherToast.kind, otherToast.text).toBe("ok");
    await otherBadge.waitFor({ state: "detached", timeout: STATUS_TIMEOUT_MS });
    expect(await row.getByTestId("server-action-instrument").count()).toBe(1);

    // Not running before Start: the status below is the button's doing.
    const before = await rowState(row);
    expect(["none", "stopped"]).toContain(before.process);
    expect(before.status).not.toBe("up");

    // Start: the process runs and the server comes up.
    await row.getByTestId("server-action-start").click();
    const started = await until(
      "the server coming up after Start",
      async () => {
        const state = await rowState(row);
        return state.status === "up" || state.process === "running" ? state : undefined;
      },
      STATUS_TIMEOUT_MS,
    );
    expect(["up", "unknown", "degraded"]).toContain(started.status);
    const startToast = await waitForToast(page, "Start everything");
    expect(startToast.kind, startToast.text).toBe("ok");
    await until(
      "the Stop button",
      async () => (await row.getByTestId("server-action-stop").count()) === 1,
      5000,
    );

    // Its detail lists the tools the probe saw (as text) and its stderr.
    await row.getByTestId("server-name").click();
    const detail = page.getByTestId("server-detail");
    await detail.waitFor({ state: "visible", timeout: 5000 });
    expect(await page.getByTestId("server-detail-name").textContent()).toContain("everything");
    await page
      .getByTestId("tool")
      .filter({ hasText: "echo" })
      .first()
      .waitFor({ state: "visible", timeout: STATUS_TIMEOUT_MS });
    await page.getByTestId("server-back").click();
    await row.waitFor({ state: "visible", timeout: 5000 });

    // Stop: the status follows.
    await row.getByTestId("server-action-stop").click();
    const stopped = await until(
      "the server stopping after Stop",
      async () => {
        const state = await rowState(row);
        return state.status === "stopped" ? state : undefined;
      },
      STATUS_TIMEOUT_MS,
    );
    expect(["stopped", "none"]).toContain(stopped.process);
    // Stopped on purpose: not checked, so no frozen probe and no memory of a process that is gone.
    await until(
      "the stopped row saying it is not checked",
      async () =>
        (await row.getByTestId("server-activity").textContent())?.includes("not checked while stopped"),
      5000,
    );
    expect(await row.textContent()).not.toMatch(/\d(\.\d)? MiB/);
    const stopToast = await waitForToast(page, "Stop everything");
    expect(stopToast.kind, stopToast.text).toBe("ok");
    expect(await row.getByTestId("server-action-start").isEnabled()).toBe(true);

    expect(problems).toEqual([]);
    await page.close();
  });
});
