/**
 * A session whose wrapper died, in real Chromium (browser mode): `mcpscope serve` starts on a data dir
 * holding an open session of a wrapper process that no longer exists; the engine closes it, the Events
 * view lists its `session.lost` event, and the session's timeline says how it ended instead of "still open".
 * A session through `mcpscope proxy` says why the proxy closed it, not "no exit status".
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { insertEvent } from "../../electron/monitor/events/tracker.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { HAS_CHROMIUM, type Serve, until, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/session-end.test.ts");

/** The pid of a process that has exited: a wrapper killed with -9 leaves nothing else behind. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  return child.pid ?? 0;
}

describe.skipIf(!HAS_CHROMIUM)("a session whose wrapper died (browser mode, real Chromium)", () => {
  let serve: Serve;
  const ui = uiFixture();

  beforeAll(async () => {
    const dir = await ui.dir("mcpscope-ui-lost-");
    const dataDir = join(dir, "data");
    const home = join(dir, "home");
    await mkdir(home, { recursive: true });
    const started = Date.now() - 60_000;
    const db = openDb(databasePath(dataDir));
    try {
      db.prepare(
        "INSERT INTO sessions (id, server, command, started_at, wrapper_pid) VALUES ('s-lost', 'everything', 'x', ?, ?)",
      ).run(started, await deadPid());
      db.prepare(
        `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms,
           outcome, bytes_in, bytes_out) VALUES ('s-lost', 'everything', 'c2s', '1', 'tools/call', 'echo', ?, 4, 'ok', 10, 10)`,
      ).run(started + 10_000);
      db.prepare(
        `INSERT INTO sessions (id, server, command, started_at, ended_at, end_reason, wrapper_pid)
         VALUES ('s-proxy', 'remote', 'http://up.example/mcp (session a)', ?, ?, 'client_closed', ?)`,
      ).run(started, started + 20_000, process.pid);
      insertEvent(db, {
        category: "system",
        type: "proxy.session_close",
        severity: "info",
        server: "remote",
        session: "s-proxy",
        time: started + 20_000,
        message: "mcpscope proxy closed a session to remote after 20 s (the client deleted it)",
      });
    } finally {
      db.close();
    }
    serve = await ui.serve(dataDir, home);
  }, 60_000);

  // One page for the file, as a user keeps one tab open; each test starts from the sidebar.
  const sharedPage = ui.sharedPage(() => serve.url);

  it("lists the session.lost event, and the timeline says the session was lost", async () => {
    const { page, problems } = await sharedPage();
    await page.getByTestId("nav-events").click();
    await page.getByTestId("events-view").waitFor({ state: "visible", timeout: 10_000 });
    const row = page.locator('[data-testid="event-row"][data-type="session.lost"]');
    await row.first().waitFor({ state: "visible", timeout: 15_000 });
    expect(await row.count()).toBe(1);
    await row.first().locator(".event-line").click();
    await page.getByTestId("event-open-session").first().click();
    const facts = page.getByTestId("session-facts");
    const text = await until(
      "the session's facts",
      async () => {
        const t = (await facts.textContent().catch(() => null)) ?? "";
        return t.includes("Ended") ? t : undefined;
      },
      10_000,
    );
    expect(text).toContain("lost: its wrapper ended without closing it");
    expect(text).not.toContain("still open");
    await page.getByTestId("session-back").click();
    expect(problems).toEqual([]);
  });

  it("says why the proxy closed a proxy session", async () => {
    const { page, problems } = await sharedPage();
    await page.getByTestId("nav-events").click();
    await page.getByTestId("events-view").waitFor({ state: "visible", timeout: 10_000 });
    const row = page.locator('[data-testid="event-row"][data-type="proxy.session_close"]');
    await row.first().waitFor({ state: "visible", timeout: 15_000 });
    await row.first().locator(".event-line").click();
    await page.getByTestId("event-open-session").first().click();
    const facts = page.getByTestId("session-facts");
    const text = await until(
      "the proxy session's facts",
      async () => {
        const t = (await facts.textContent().catch(() => null)) ?? "";
        return t.includes("Ended") ? t : undefined;
      },
      10_000,
    );
    expect(text).toContain("(the client deleted it)");
    expect(text).not.toContain("no exit status");
    expect(problems).toEqual([]);
  });
});
