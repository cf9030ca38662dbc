/**
 * `mcpscope report schedule` through the built CLI: add, list and remove schedules in settings.json with
 * `--json` listings; a refused schedule exits 1 and bad usage exits 2, each with one line; a run the
 * engine made shows in `runs --json` with where it went.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReportScheduler } from "../../electron/monitor/reports/scheduler.js";
import type { ReportRun, ReportSchedules } from "../../shared/report-schedules.js";
import { openStore } from "../alerts/alert-fixtures.js";
import { cliInProcess, cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

// In process: what this file is about is the command's words, files and exit codes, not its process.
const cli = (...args: string[]) => cliOkInProcess(["report", "schedule", ...args, "--data-dir", dir.path]);

async function failure(...args: string[]): Promise<{ code: number; stderr: string }> {
  const { status, stderr } = await cliInProcess(["report", "schedule", ...args, "--data-dir", dir.path]);
  if (status === 0) throw new Error(`expected ${args.join(" ")} to fail`);
  return { code: status, stderr };
}

describe("mcpscope report schedule", () => {
  it("adds, lists and removes schedules, keeping the rest of settings.json", async () => {
    const folder = join(dir.path, "out");
    const added = await cli(
      "add",
      "weekly",
      "--period",
      "week",
      "--weekday",
      "tue",
      "--at",
      "08:00",
      "--format",
      "md",
      "--folder",
      folder,
    );
    expect(added.stdout).toMatch(/^schedule weekly saved; next run \d{4}-/);
    const listed = await cliJsonInProcess<ReportSchedules>([
      "report",
      "schedule",
      "list",
      "--data-dir",
      dir.path,
    ]);
    expect(listed.schedules).toEqual([
      {
        schedule: expect.objectContaining({
          name: "weekly",
          period: "week",
          weekday: "tue",
          formats: ["md"],
          folder,
        }),
        nextRunAt: expect.any(String),
      },
    ]);
    expect(new Date(listed.schedules[0]?.nextRunAt ?? "").getDay()).toBe(2);
    expect((await cli("list")).stdout).toContain("weekly tue 08:00");
    expect((await cli("--help")).stdout).toContain("usage: mcpscope report schedule");

    // The same name again replaces nothing unless asked to.
    const again = ["add", "weekly", "--period", "day", "--at", "09:00", "--folder", folder];
    expect(await failure(...again)).toEqual({
      code: 1,
      stderr:
        "mcpscope report: a schedule named weekly exists; pass --replace to replace it, or pick another name\n",
    });
    expect((await cli("list")).stdout).toContain("weekly tue 08:00");
    expect((await cli(...again, "--replace")).stdout).toMatch(/^schedule weekly saved/);
    expect((await cli("list")).stdout).toContain("daily 09:00");

    expect((await cli("remove", "weekly")).stdout).toBe("schedule weekly removed\n");
    expect(JSON.parse(readFileSync(join(dir.path, "settings.json"), "utf8")).reports.schedules).toEqual([]);
  });

  it("refuses bad input in one line naming the flag, exit 2, and saves nothing", async () => {
    const add = ["add", "x", "--period", "day", "--at", "08:00"];
    const folder = ["--folder", "/tmp"];
    for (const [args, line] of [
      [["add", "x", "--period", "year", "--at", "08:00", ...folder], /^mcpscope report: --period: /],
      [["add", "x", "--period", "day", "--at", "25:00", ...folder], /^mcpscope report: --at: .*HH:MM/],
      [[...add, "--period", "month", "--day", "31", ...folder], /^mcpscope report: --day: .*1 to 28.*"31"/],
      [
        [...add, "--period", "week", "--weekday", "funday", ...folder],
        /^mcpscope report: --weekday: .*"funday"/,
      ],
      [
        [...add, "--channel", "nochan"],
        /^mcpscope report: --channel: no channel named "nochan"; known: desktop /,
      ],
      [add, /^mcpscope report: add needs somewhere to deliver: --folder DIR, or --channel NAME/],
      [["add", "x", "--period", "day"], /^mcpscope report: add needs --period/],
      [
        ["add", "x", "--period", "week", "--day", "3", "--at", "08:00", ...folder],
        /^mcpscope report: --day is for --period month/,
      ],
      [
        ["add", "x", "--period", "day", "--weekday", "tue", "--at", "08:00", ...folder],
        /^mcpscope report: --weekday is for --period week/,
      ],
      [["frob"], /^mcpscope report: unknown report schedule command "frob"; use list, add, remove, runs/],
    ] as const) {
      const refused = await failure(...args);
      expect(refused.stderr).toMatch(line);
      expect(refused.stderr.trim().split("\n")).toHaveLength(1);
      expect(refused.code).toBe(2);
    }
    const listed = await cliJsonInProcess<ReportSchedules>([
      "report",
      "schedule",
      "list",
      "--data-dir",
      dir.path,
    ]);
    expect(listed.schedules.map((s) => s.schedule.name)).not.toContain("x");
    expect(await failure("remove", "nope")).toEqual({
      code: 1,
      stderr: "mcpscope report: no schedule named nope\n",
    });
  });

  it("refuses, exit 1 in one line, a schedule for a server nothing knows (an all-zero report each period)", async () => {
    const refused = await failure(
      "add",
      "typo",
      "--period",
      "day",
      "--at",
      "08:00",
      "--format",
      "md",
      "--folder",
      join(dir.path, "out"),
      "--server",
      "nope",
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^mcpscope report: no server named "nope"/),
    ]);
    const listed = await cliJsonInProcess<ReportSchedules>([
      "report",
      "schedule",
      "list",
      "--json",
      "--data-dir",
      dir.path,
    ]);
    expect(listed.schedules.map((s) => s.schedule.name)).not.toContain("typo");
  });

  it("shows the engine's runs with where each copy went", async () => {
    const db = openStore(dir.path);
    let t = new Date(2026, 11, 7, 7).getTime();
    const scheduler = new ReportScheduler({
      dataDir: dir.path,
      db,
      now: () => t,
      build: {},
      channelType: () => undefined,
      warn: () => {},
    });
    await scheduler.put({
      name: "daily",
      period: "day",
      at: "08:00",
      formats: ["json"],
      folder: join(dir.path, "out"),
    });
    t = new Date(2026, 11, 7, 8).getTime();
    await scheduler.tick();
    db.close();
    const { runs } = await cliJsonInProcess<{ runs: ReportRun[] }>([
      "report",
      "schedule",
      "runs",
      "--data-dir",
      dir.path,
    ]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ schedule: "daily", outcome: "delivered", formats: ["json"] });
    expect(runs[0]?.destinations[0]?.target).toMatch(/out\/daily-mcpscope-report-.*\.json$/);
    expect((await cli("runs")).stdout).toContain("delivered");
  });
});
