/**
 * The Storage view and the recovery banner in real Chromium, in browser mode: `mcpscope serve` on a data
 * dir whose database is random bytes must start with a fresh database and a banner naming where the
 * damaged one went; the Storage view shows the tables and every retention setting, and Back up now
 * writes a backup into the data dir's backups/ folder and shows it as the last backup.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../electron/monitor/store/db.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { HAS_CHROMIUM, openPage, type Serve, until, warnIfNoChromium } from "./browser.js";

warnIfNoChromium("test/ui/storage-view.test.ts");

describe.skipIf(!HAS_CHROMIUM)("Storage view and recovery banner (browser mode, real Chromium)", () => {
  const ui = uiFixture();
  let serve: Serve;
  let page: Page;
  let problems: string[];
  let dataDir: string;

  beforeAll(async () => {
    const dir = await ui.dir();
    dataDir = join(dir, "data");
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, "mcpscope.db"), randomBytes(32 * 1024));
    serve = await ui.serve(dataDir, dir);
    ({ page, problems } = await openPage(ui.browser, serve.url));
  });

  it("names the moved-aside database in a banner that can be dismissed", async () => {
    const aside = readdirSync(dataDir).find((f) => f.startsWith("mcpscope.db.corrupt-"));
    expect(aside).toBeDefined();
    const banner = page.getByTestId("recovery-banner");
    await banner.waitFor({ timeout: 15_000 });
    const text = (await banner.textContent()) ?? "";
    expect(text).toContain(join(dataDir, aside ?? ""));
    // `mcpscope restore` refuses while this engine runs: the banner sends the user to the Storage view's
    // Restore…, and names the command only for when the app is stopped.
    expect(text).toMatch(/use Restore… in the\s+Storage view/);
    expect(text).toMatch(/with the app and mcpscope serve stopped, mcpscope restore FILE/);
    await page.getByTestId("recovery-storage").click();
    await page.getByTestId("backup-now").waitFor({ timeout: 15_000 });
    await page.getByTestId("recovery-dismiss").click();
    await banner.waitFor({ state: "detached" });
    await page.reload();
    await page.getByTestId("connection-status").waitFor();
    await until("the app to settle", async () => (await page.getByTestId("nav-storage").count()) > 0, 15_000);
    expect(await page.getByTestId("recovery-banner").count()).toBe(0);
  });

  it("shows sizes and retention, and Back up now writes a backup it then lists", async () => {
    await page.getByTestId("nav-storage").click();
    const tables = page.getByTestId("tables-table");
    await tables.waitFor({ timeout: 15_000 });
    expect(await tables.textContent()).toContain("calls");
    // The fresh database after a recovery has no recorded check yet.
    expect(await page.getByTestId("integrity-check").textContent()).toMatch(/Integrity not checked yet/);
    const retention = await page.getByTestId("retention-table").textContent();
    expect(retention).toContain("storage.retention.healthChecks");
    expect(retention).toContain("metrics.retention.calls");
    expect(await page.getByTestId("last-backup").textContent()).toMatch(/No backup/);

    await page.getByTestId("backup-now").click();
    await until(
      "a backup to be listed",
      async () => /Last backup/.test((await page.getByTestId("last-backup").textContent()) ?? ""),
      30_000,
    );
    const files = readdirSync(join(dataDir, "backups"));
    expect(files).toHaveLength(1);
    expect(await page.getByTestId("last-backup").textContent()).toContain(files[0]);
    expect(existsSync(join(dataDir, "backups", files[0] ?? ""))).toBe(true);

    await page.getByTestId("backup-every").selectOption("Every day");
    // An empty count is held back by the form itself, not sent to be refused.
    await page.getByTestId("backup-keep").fill("");
    await page.getByTestId("backup-schedule-save").click();
    expect(
      await page
        .getByTestId("backup-keep")
        .evaluate((el) => (el as unknown as { validity: { valid: boolean } }).validity.valid),
    ).toBe(false);
    await page.getByTestId("backup-keep").fill("3");
    await page.getByTestId("backup-schedule-save").click();
    const settings = join(dataDir, "settings.json");
    const saved = await until(
      "the schedule to be saved",
      async () => existsSync(settings) && JSON.parse(readFileSync(settings, "utf8")),
      15_000,
    );
    expect(saved).toEqual({ storage: { backup: { every: "1d", keep: 3 } } });

    // One retention setting from the view: refused when it is not a duration, saved when it is.
    await page.getByTestId("setting-key").selectOption("healthChecks");
    await page.getByTestId("setting-value").fill("soon");
    await page.getByTestId("setting-save").click();
    await page.getByText(/"soon" is not a duration; use a number and a unit/).waitFor({ timeout: 15_000 });
    await page.getByTestId("setting-value").fill("30d");
    await page.getByTestId("setting-save").click();
    await until(
      "the retention table to show the new setting",
      async () =>
        /health checks\s*30 d\s*storage\.retention\.healthChecks/.test(
          (await page.getByTestId("retention-table").textContent()) ?? "",
        ),
      15_000,
    );
    expect(JSON.parse(readFileSync(settings, "utf8"))).toEqual({
      storage: { backup: { every: "1d", keep: 3 }, retention: { healthChecks: "30d" } },
    });

    // A schedule the choices lack (settings.json takes any duration) is shown as it is, and saving
    // another "keep the newest" keeps it rather than switching scheduled backups off.
    writeFileSync(
      settings,
      JSON.stringify({ storage: { backup: { every: "2d", keep: 3 }, retention: { healthChecks: "30d" } } }),
    );
    await page.reload();
    await page.getByTestId("nav-storage").click();
    const everySelect = page.getByTestId("backup-every");
    await until("the custom schedule to show", async () => (await everySelect.inputValue()) === "2d", 15_000);
    expect(await everySelect.locator("option:checked").textContent()).toBe("Every 2 d (custom)");
    await page.getByTestId("backup-keep").fill("5");
    // A refresh that brings the same schedule (here: leaving the view and coming back) keeps the edit.
    await page.getByTestId("nav-overview").click();
    const refreshed = ["storage.info", "storage.backups.list"].map((method) =>
      page.waitForResponse((r) => r.url().endsWith(`/api/${method}`)).then((r) => r.finished()),
    );
    await page.getByTestId("nav-storage").click();
    await Promise.all(refreshed);
    // The answers are read and shown (the page's tasks, then its next frame, twice over).
    for (let i = 0; i < 2; i++)
      await page.evaluate("new Promise((resolve) => setTimeout(() => requestAnimationFrame(resolve)))");
    expect(await page.getByTestId("backup-keep").inputValue()).toBe("5");
    await page.getByTestId("backup-schedule-save").click();
    await until(
      "the schedule to be saved with its interval",
      async () => JSON.parse(readFileSync(settings, "utf8")).storage.backup.keep === 5,
      15_000,
    );
    expect(JSON.parse(readFileSync(settings, "utf8"))).toEqual({
      storage: { backup: { every: "2d", keep: 5 }, retention: { healthChecks: "30d" } },
    });

    // Damage a background check recorded is shown with what to do, and a backup dated after this
    // machine's clock (taken while it was ahead) is flagged, not taken as fresh: both read at one load.
    const check = join(dataDir, "db-check.json");
    writeFileSync(
      check,
      JSON.stringify({
        time: Date.now(),
        when: "background",
        ok: false,
        problems: ["row 7 missing from index calls_time"],
      }),
    );
    const ahead = join(dataDir, "backups", "mcpscope-2099-01-01T00-00-00-000Z.mcpscope-backup");
    writeFileSync(ahead, "copied from a machine whose clock was ahead");
    try {
      await page.reload();
      await page.getByTestId("nav-storage").click();
      const notice = page.getByTestId("integrity-check");
      await until(
        "the damage notice",
        async () =>
          /found damage \(row 7 missing from index calls_time\)/.test((await notice.textContent()) ?? ""),
        15_000,
      );
      expect(await notice.getAttribute("role")).toBe("alert");
      expect(await notice.textContent()).toMatch(/Restart the app to move the damaged file aside/);
      const flagged = page.getByTestId("backup-notice");
      await flagged.waitFor({ timeout: 15_000 });
      expect(await flagged.textContent()).toContain(
        `the newest backup, ${ahead}, is dated 2099-01-01T00:00:00.000Z, after this machine's clock`,
      );
    } finally {
      rmSync(check, { force: true });
      rmSync(ahead, { force: true });
    }
    await page.reload();
    await page.getByTestId("nav-storage").click();
    const listed = page.getByTestId("backup-list").locator("tbody tr");
    await until("the one real backup to be listed", async () => (await listed.count()) === 1, 15_000);
    expect(problems).toEqual([]);
  });

  it("lists the backups and Restore… brings one back after a confirmation", async () => {
    const db = openDb(join(dataDir, "mcpscope.db"));
    const insert = db.prepare(
      `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome, bytes_in, bytes_out)
       VALUES ('ui', 'everything', 'client', ?, 'tools/call', ?, 5, 'ok', 10, 20)`,
    );
    const calls = () => Number(db.prepare("SELECT count(*) AS n FROM calls").get()?.n);
    try {
      insert.run("1", Date.now());
      insert.run("2", Date.now());
      await page.getByTestId("backup-now").click();
      const rows = page.getByTestId("backup-list").locator("tbody tr");
      await until("two backups to be listed", async () => (await rows.count()) === 2, 30_000);
      expect(await rows.first().textContent()).toContain("2 calls");
      insert.run("3", Date.now());
      expect(calls()).toBe(3);

      await rows.first().getByTestId("backup-restore").click();
      const dialog = page.getByTestId("confirm-dialog");
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(
        `${join(dataDir, "backups")}/mcpscope-before-restore-<time>.mcpscope-backup`,
      );
      await page.getByTestId("confirm-ok").click();
      await page
        .getByText(/^Restored$/)
        .first()
        .waitFor({ timeout: 30_000 });
      // The connection opened before the restore reads the restored database.
      expect(calls()).toBe(2);
      // The replaced database is listed as a backup by its name: restoring it undoes the restore.
      const aside = readdirSync(join(dataDir, "backups")).filter((f) =>
        f.startsWith("mcpscope-before-restore-"),
      );
      expect(aside).toHaveLength(1);
      const undo = page.getByTestId(`backup-${aside[0]}`);
      await undo.waitFor({ timeout: 15_000 });
      expect(await undo.textContent()).toContain(aside[0]);
      expect(await undo.textContent()).toContain("3 calls");
      await undo.getByTestId("backup-restore").click();
      await page.getByTestId("confirm-ok").click();
      await until("the restore to be undone", async () => calls() === 3, 30_000);
    } finally {
      db.close();
    }
    expect(problems).toEqual([]);
    if (process.env.MCPSCOPE_SCREENSHOTS)
      await page.screenshot({
        path: join(process.env.MCPSCOPE_SCREENSHOTS, "storage-view.png"),
        fullPage: true,
      });
  });
});
