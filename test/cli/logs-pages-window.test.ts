/**
 * `mcpscope logs --since 1h --until 30m --json` over more lines than one page: every page asks the same
 * window, read once when the command starts, however the clock moves on while it pages (here a clock
 * that moves a second at every read). So the lines written are every line of that half hour.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

const T0 = Date.parse("2026-12-07T10:00:00Z");
const HOUR = 3_600_000;

let dir: Awaited<ReturnType<typeof tempDir>>;
let data: string;
beforeAll(async () => {
  dir = await tempDir("mcpscope-logs-window-");
  data = join(dir.path, "data");
  const db = openDb(databasePath(data));
  const insert = db.prepare(
    "INSERT INTO logs (time, level, server, source, message) VALUES (?, 'info', 'files', 'stderr', ?)",
  );
  // A line a second, from three hours before T0 to three hours after.
  db.transaction(() => {
    for (let t = T0 - 3 * HOUR; t <= T0 + 3 * HOUR; t += 1000) insert.run(t, `line at ${t}`);
  });
  db.close();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await dir.cleanup();
});

it("pages through one half hour fixed at the start, not one that moves on with each page", async () => {
  let now = T0;
  vi.spyOn(Date, "now").mockImplementation(() => (now += 1000));
  const { status, stdout, stderr } = await cliInProcess([
    "logs",
    "--data-dir",
    data,
    "--since",
    "1h",
    "--until",
    "30m",
    "--limit",
    "100000",
    "--json",
  ]);
  vi.restoreAllMocks();
  expect(stderr).toBe("");
  expect(status).toBe(0);
  const times = (JSON.parse(stdout) as { logs: { time: string }[] }).logs.map((r) => Date.parse(r.time));
  // Both ends included: 30 minutes of one line a second.
  expect(times).toHaveLength(30 * 60 + 1);
  expect(times.at(-1)! - times[0]!).toBe(30 * 60_000);
});
