/**
 * The Logs view's Patterns tab and the Events view's error groups, emptied by a filter, say that the filter
 * hid what there is (and how much), not that nothing was recorded; the Lines and Events lists emptied by a
 * filter say so and clear it (browser mode, real Chromium).
 */

import { beforeAll, describe, expect, it } from "vitest";
import { errorFingerprint } from "../../electron/monitor/events/tracker.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { insertLogs } from "../logs/store.js";
import { HAS_CHROMIUM, type Serve, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/filtered-empty.test.ts");

describe.skipIf(!HAS_CHROMIUM)("empty states under filters (browser mode, real Chromium)", () => {
  const ui = uiFixture();
  // One data dir and engine for the file: each test opens its own page (a fresh browser context), so the
  // filters one test sets are not there for the next, and neither test writes to the data.
  let serve: Serve;

  /** Three log lines from `files` and an error event from `memory`, in a fresh data dir. */
  async function seeded(): Promise<string> {
    const dataDir = await ui.dir("mcpscope-ui-empty-");
    const db = openDb(databasePath(dataDir));
    try {
      insertLogs(db, [
        { server: "files", level: "info", message: "listing /tmp took 12 ms" },
        { server: "files", level: "info", message: "listing /var took 40 ms" },
        { server: "files", level: "warning", message: "slow disk on sda1" },
      ]);
      const event = { type: "tool_error", server: "memory", message: "tool read_graph failed" };
      db.prepare(
        "INSERT INTO events (time, category, type, severity, server, message, fingerprint) VALUES (?, 'error', ?, 'high', ?, ?, ?)",
      ).run(Date.now(), event.type, event.server, event.message, errorFingerprint(event));
    } finally {
      db.close();
    }
    return dataDir;
  }

  beforeAll(async () => {
    const dataDir = await seeded();
    // Mined as the engine would (the command catches up first).
    expect((await cliInProcess(["logs", "patterns", "--data-dir", dataDir])).status).toBe(0);
    serve = await ui.serve(dataDir);
  }, 60_000);

  // One page for the file, as a user keeps one tab open; each test starts from the sidebar.
  const sharedPage = ui.sharedPage(() => serve.url);

  it("Patterns and error groups name the filter that hid everything", async () => {
    const { page, problems } = await sharedPage();

    await page.getByTestId("nav-logs").click();
    await page.getByTestId("logs-tab-patterns").click();
    await page.getByTestId("pattern-row").first().waitFor({ state: "visible", timeout: 10_000 });
    await page.getByTestId("logs-level").selectOption("emergency");
    const patternsEmpty = page.getByTestId("patterns-empty");
    await patternsEmpty.waitFor({ state: "visible", timeout: 10_000 });
    const patternsText = (await patternsEmpty.textContent())?.replace(/\s+/g, " ") ?? "";
    expect(patternsText).toContain("No templates at emergency or above in");
    // The two mined above, and any of the engine's own lines (it logs under "mcpscope").
    expect(Number(/\((\d+) templates in all\)/.exec(patternsText)?.[1])).toBeGreaterThanOrEqual(2);
    expect(patternsText).not.toContain("yet");

    await page.getByTestId("nav-events").click();
    await page.getByTestId("events-tab-groups").click();
    await page.getByTestId("error-group").first().waitFor({ state: "visible", timeout: 10_000 });
    await page.getByTestId("events-tab-events").click();
    await page.getByTestId("events-server").selectOption("files");
    await page.getByTestId("events-tab-groups").click();
    const groupsEmpty = page.getByTestId("groups-empty");
    await groupsEmpty.waitFor({ state: "visible", timeout: 10_000 });
    expect(await groupsEmpty.textContent()).toContain("No errors from files in");
    await groupsEmpty.getByRole("button", { name: "Show every server" }).click();
    await page.getByTestId("error-group").first().waitFor({ state: "visible", timeout: 10_000 });
    // Every level and the lines again, for the test after.
    await page.getByTestId("events-tab-events").click();
    await page.getByTestId("nav-logs").click();
    await page.getByTestId("logs-level").selectOption("");
    await page.getByTestId("logs-tab-lines").click();

    expect(problems).toEqual([]);
  }, 60_000);

  it("log lines and events hidden by a filter say so, and Clear filters brings them back", async () => {
    const { page, problems } = await sharedPage();

    /** Rows of `row` in view, then a filter that hides them all: the list says so, and clears it. */
    const emptiedAndCleared = async (
      nav: string,
      row: string,
      filter: string,
      value: string,
      empty: string,
    ) => {
      await page.getByTestId(nav).click();
      await page.getByTestId(row).first().waitFor({ state: "visible", timeout: 10_000 });
      await page.getByTestId(filter).selectOption(value);
      const emptied = page.getByTestId(empty);
      await emptied.waitFor({ state: "visible", timeout: 10_000 });
      const text = await emptied.textContent();
      await emptied.getByRole("button", { name: "Clear filters" }).click();
      await page.getByTestId(row).first().waitFor({ state: "visible", timeout: 10_000 });
      return text;
    };
    expect(await emptiedAndCleared("nav-logs", "log-row", "logs-level", "emergency", "logs-empty")).toContain(
      "No lines match.",
    );
    // A fresh data dir has no security events.
    expect(
      await emptiedAndCleared("nav-events", "event-row", "events-category", "security", "events-empty"),
    ).toContain("No events match.");

    expect(problems).toEqual([]);
  }, 60_000);
});
