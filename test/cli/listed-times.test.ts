/**
 * Every time the CLI prints for people reads as the listings print it (`2026-11-25 13:59:58Z`), never as
 * raw ISO 8601: the session timeline, `db info`, `report schedule list` and the `alerts pause` line. Their
 * --json keeps ISO.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliInProcess, cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls } from "../metrics/workload.js";

const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;
const LISTED = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{3})?Z/;
const STARTED = Date.UTC(2026, 11, 6, 9, 30, 15, 250);

let dir: Awaited<ReturnType<typeof tempDir>>;
let session: string;
const data = () => ["--data-dir", dir.path];

beforeAll(async () => {
  dir = await tempDir();
  const ids = recordCalls(dir.path, [
    {
      server: "files",
      method: "tools/call",
      target: "read",
      outcome: "ok",
      startedAt: STARTED,
      durationMs: 4,
    },
  ]);
  session = ids.get("files") ?? "";
});
afterAll(() => dir.cleanup());

describe("times printed for people", () => {
  it("the session timeline", async () => {
    const { stdout } = await cliOkInProcess(["session", session, ...data()]);
    expect(stdout).toContain("started 2026-12-06 09:30:15.250Z");
    expect(stdout).toMatch(/^2026-12-06 09:30:15\.250Z {2}CALL/m);
    expect(stdout).not.toMatch(ISO);
    const json = await cliJsonInProcess<{ items: { time: string }[] }>(["session", session, ...data()]);
    expect(json.items[0]?.time).toBe("2026-12-06T09:30:15.250Z");
  });

  it("db info", async () => {
    const { stdout } = await cliOkInProcess(["db", "info", ...data()]);
    expect(stdout).toContain("data from 2026-12-06 09:30:15Z to ");
    expect(stdout).not.toMatch(ISO);
  });

  it("report schedule list", async () => {
    await cliOkInProcess([
      "report",
      "schedule",
      "add",
      "daily",
      "--period",
      "day",
      "--at",
      "08:00",
      "--folder",
      `${dir.path}/reports`,
      ...data(),
    ]);
    const { stdout } = await cliOkInProcess(["report", "schedule", "list", ...data()]);
    expect(stdout.split("\n")[1]).toMatch(LISTED);
    expect(stdout).not.toMatch(ISO);
    const json = await cliJsonInProcess<{ schedules: { nextRunAt: string }[] }>([
      "report",
      "schedule",
      "list",
      ...data(),
    ]);
    expect(json.schedules[0]?.nextRunAt).toMatch(ISO);
  });

  it("the alerts pause line", async () => {
    const run = await cliInProcess(["alerts", "pause", "--for", "1h", ...data()]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^notifications paused until \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(/);
    expect(run.stdout).not.toMatch(ISO);
  });
});
