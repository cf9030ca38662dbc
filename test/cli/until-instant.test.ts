/**
 * A `--until` not written to the millisecond names its instant in `logs` as in `calls` and `events`: with
 * the same flag, the three list the same moment's rows. A record stored a fraction of a millisecond after
 * a whole second is after `--until` that second, in each.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { insertLogs, tempStore } from "../logs/store.js";
import { recordCalls } from "../metrics/workload.js";

let store: Awaited<ReturnType<typeof tempStore>>;
/** A whole second ten minutes ago, and how `--until` writes it. */
const second = Math.floor((Date.now() - 10 * 60_000) / 1000) * 1000;
const until = new Date(second).toISOString().replace(".000Z", "Z");

beforeAll(async () => {
  store = await tempStore();
  insertLogs(store.db, [
    { message: "the line before", time: second - 1_000 },
    { message: "the line just after", time: second + 0.0004 },
  ]);
  const event = store.db.prepare(
    "INSERT INTO events (time, category, type, severity, server, message) VALUES (?, 'system', 'probe', 'info', 'files', ?)",
  );
  event.run(second - 1_000, "the event before");
  event.run(second + 0.0004, "the event just after");
  const call = { server: "files", method: "tools/call", outcome: "ok" as const, durationMs: 1 };
  recordCalls(store.dataDir, [
    { ...call, target: "the_call_before", startedAt: second - 1_000 },
    { ...call, target: "the_call_just_after", startedAt: second + 0.0004 },
  ]);
});
afterAll(() => store.cleanup());

it.each([
  ["logs", "the line"],
  ["events", "the event"],
  ["calls", "the_call"],
])("%s --until a whole second leaves out what was stored after it", async (command, row) => {
  const { status, stdout, stderr } = await cliInProcess([
    command,
    "--since",
    "1h",
    "--until",
    until,
    "--data-dir",
    store.dataDir,
  ]);
  expect(stderr).toBe("");
  expect(status).toBe(0);
  expect(stdout).toContain(`${row}${row.includes("_") ? "_" : " "}before`);
  expect(stdout).not.toContain("just");
});
