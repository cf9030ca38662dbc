/**
 * A time the CLI prints can be pasted back into `--since`/`--until` and names the same instant, in any
 * zone: narrowing down an incident by copying times out of `logs` (or `calls`, `events`) must not shift
 * the window by the UTC offset. Run as a user would, with TZ set, through the real CLI.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MCPSCOPE, ROOT } from "../helpers/mcp.js";
import { insertLogs, tempStore } from "../logs/store.js";

let store: Awaited<ReturnType<typeof tempStore>>;
const at = Date.now() - 10 * 60_000;

beforeAll(async () => {
  store = await tempStore();
  insertLogs(store.db, [
    { message: "before the incident", time: at - 60_000 },
    { message: "the incident", time: at },
    { message: "after the incident", time: at + 60_000 },
  ]);
  store.db
    .prepare("INSERT INTO events (time, category, type, severity, server, message) VALUES (?, ?, ?, ?, ?, ?)")
    .run(at, "system", "process.start_failed", "medium", "files", "cannot start files");
});
afterAll(() => store.cleanup());

function cli(zone: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, [MCPSCOPE, ...args, "--data-dir", store.dataDir], {
    cwd: ROOT,
    env: { ...process.env, TZ: zone },
    encoding: "utf8",
  });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return result.stdout;
}

describe.each(["America/New_York", "Asia/Kolkata", "UTC"])("times printed in %s", (zone) => {
  it("logs: the printed time of a line, pasted into --since and --until, selects that line", () => {
    const line = cli(zone, "logs", "--since", "1h")
      .split("\n")
      .find((l) => l.includes("the incident") && !l.includes("before") && !l.includes("after"));
    const time = /^(\S+ \S+)\s/.exec(line ?? "")?.[1];
    expect(time, line).toBeDefined();
    const from = cli(zone, "logs", "--since", time as string);
    expect(from).toContain("the incident");
    expect(from).not.toContain("before the incident");
    const upTo = cli(zone, "logs", "--since", "1h", "--until", time as string);
    expect(upTo).toContain("before the incident");
    expect(upTo).not.toContain("after the incident");
  });

  it("events: the printed time, pasted into --since, still lists the event", () => {
    const out = cli(zone, "events", "--since", "1h");
    const time = /(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)/.exec(out)?.[1];
    expect(time, out).toBeDefined();
    expect(cli(zone, "events", "--since", time as string)).toContain("cannot start files");
  });
});
