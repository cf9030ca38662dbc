/**
 * Chasing an error group or a log pattern: the FIRST/LAST SEEN that `events groups` and `logs patterns`
 * print, pasted into `--since`/`--until` of `events` and `logs` (and of `logs patterns`), keep the rows
 * the group or the template was seen for, down to the one it was last seen for, stored late in its second
 * with a fraction of a millisecond as recorded traffic is.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { insertLogs, tempStore } from "../logs/store.js";

let store: Awaited<ReturnType<typeof tempStore>>;
const last = Math.floor((Date.now() - 10 * 60_000) / 1000) * 1000 + 286.4;

beforeAll(async () => {
  store = await tempStore();
  const event = store.db.prepare(
    "INSERT INTO events (time, category, type, severity, server, message, fingerprint) VALUES (?, 'error', 'tool_error', 'medium', 'files', ?, 'fp1')",
  );
  event.run(last - 5_000, "the first error");
  event.run(last, "the last error");
  insertLogs(store.db, [
    { message: "Connected to database at 10.0.0.1", time: last - 5_000 },
    { message: "Connected to database at 10.0.0.2", time: last },
  ]);
});
afterAll(() => store.cleanup());

async function cli(...args: string[]): Promise<string> {
  const { status, stdout, stderr } = await cliInProcess([...args, "--data-dir", store.dataDir]);
  expect(stderr).toBe("");
  expect(status).toBe(0);
  return stdout;
}

/** The listed times of the row that mentions `text`, in the order the columns print them. */
function listedTimes(out: string, text: string): string[] {
  const row = out.split("\n").find((l) => l.includes(text)) ?? "";
  const times = [...row.matchAll(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?Z/g)].map((m) => m[0]);
  expect(times.length, out).toBeGreaterThan(0);
  return times;
}

it("events groups: FIRST SEEN to LAST SEEN, pasted into events, lists every event of the group", async () => {
  const groups = await cli("events", "groups");
  const [lastSeen, firstSeen] = listedTimes(groups, "the last error") as [string, string];
  const out = await cli("events", "--since", firstSeen, "--until", lastSeen);
  expect(out).toContain("the first error");
  expect(out).toContain("the last error");
});

it("logs patterns: LAST SEEN, pasted into logs and logs patterns, keeps the line it was last seen for", async () => {
  const [lastSeen] = listedTimes(await cli("logs", "patterns"), "Connected to database at <*>") as [string];
  expect(await cli("logs", "--since", "1h", "--until", lastSeen)).toContain("10.0.0.2");
  const window = await cli("logs", "patterns", "--since", lastSeen, "--until", lastSeen);
  expect(window).toContain("Connected to database at <*>");
  expect(window).toContain("lines info 1");
});
