/**
 * A time the CLI prints can be pasted back into `--since`/`--until` and names the same instant, in any
 * zone: narrowing down an incident by copying times out of `logs` (or `calls`, `events`) must not shift
 * the window by the UTC offset. Run as a user would, with TZ set, through the real CLI, in process: Node
 * takes a TZ set at run time as it takes one set at start, and a CLI process per call cost seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { insertLogs, tempStore } from "../logs/store.js";
import { recordCalls } from "../metrics/workload.js";

let store: Awaited<ReturnType<typeof tempStore>>;
const at = Date.now() - 10 * 60_000;
/** A burst late in one second, stored with fractions of a millisecond as wrapped traffic is. */
const burst = Math.floor((at + 5 * 60_000) / 1000) * 1000 + 640.15;

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
  insertLogs(store.db, [
    { message: "the burst line", time: burst + 0.5 },
    { message: "after the burst line", time: burst + 2_000 },
  ]);
  const event = store.db.prepare(
    "INSERT INTO events (time, category, type, severity, server, message) VALUES (?, 'error', 'tool_error', 'medium', 'burst', ?)",
  );
  event.run(burst, "the burst event");
  event.run(burst + 2_000, "after the burst event");
  const call = { server: "burst", method: "tools/call", outcome: "ok" as const, durationMs: 1 };
  recordCalls(store.dataDir, [
    { ...call, target: "burst_call", startedAt: burst + 0.3 },
    { ...call, target: "after_burst_call", startedAt: burst + 2_000 },
  ]);
});
afterAll(() => store.cleanup());

/** `mcpscope <args>` with TZ=`zone`, put back after: this file's worker is its own (vitest.config.ts). */
async function cli(zone: string, ...args: string[]): Promise<string> {
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    const result = await cliInProcess([...args, "--data-dir", store.dataDir]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return result.stdout;
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

describe.each(["America/New_York", "Asia/Kolkata", "UTC"])("times printed in %s", (zone) => {
  it("logs: the printed time of a line, pasted into --since and --until, selects that line", async () => {
    const line = (await cli(zone, "logs", "--since", "1h"))
      .split("\n")
      .find((l) => l.includes("the incident") && !l.includes("before") && !l.includes("after"));
    const time = /^(\S+ \S+)\s/.exec(line ?? "")?.[1];
    expect(time, line).toBeDefined();
    const from = await cli(zone, "logs", "--since", time as string);
    expect(from).toContain("the incident");
    expect(from).not.toContain("before the incident");
    const upTo = await cli(zone, "logs", "--since", "1h", "--until", time as string);
    expect(upTo).toContain("before the incident");
    expect(upTo).not.toContain("after the incident");
  });

  it("events: the printed time, pasted into --since, still lists the event", async () => {
    const out = await cli(zone, "events", "--since", "1h");
    const line = out.split("\n").find((l) => l.includes("cannot start files"));
    const time = /(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z)/.exec(line ?? "")?.[1];
    expect(time, out).toBeDefined();
    expect(await cli(zone, "events", "--since", time as string)).toContain("cannot start files");
  });

  it.each([
    ["events", "the burst event", "after the burst event"],
    ["calls", "burst_call", "after_burst_call"],
    ["logs", "the burst line", "after the burst line"],
  ])(
    "%s: the printed time of a row, pasted into --until, still lists that row",
    async (command, row, after) => {
      const listed = (await cli(zone, command, "--since", "1h")).split("\n");
      const line = listed.find((l) => l.includes(row) && !l.includes(after));
      const time = /(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?Z)/.exec(line ?? "")?.[1];
      expect(time, listed.join("\n")).toBeDefined();
      const upTo = await cli(zone, command, "--since", "1h", "--until", time as string);
      expect(upTo).toContain(row);
      expect(upTo).not.toContain(after);
      // From and to the same listed time: the rows listed at it, not an empty range.
      expect(await cli(zone, command, "--since", time as string, "--until", time as string)).toContain(row);
    },
  );
});
