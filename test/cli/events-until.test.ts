/**
 * `mcpscope events --until`: an empty range counting the default --since (24h) is a usage error, as in every
 * listing; `--session ID` lists the whole session, and `--until` still ends the list where it says.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { cliInProcess, cliJsonInProcess } from "../helpers/cli-in-process.js";
import { tempStore } from "../logs/store.js";

let store: Awaited<ReturnType<typeof tempStore>>;
beforeAll(async () => {
  store = await tempStore();
});
afterAll(() => store.cleanup());

it("keeps a session's events up to --until, from the session's start (no --since)", async () => {
  const DAY = 86_400_000;
  const start = Date.now() - 3 * DAY;
  const insert = store.db.prepare(
    "INSERT INTO events (time, category, type, severity, server, session_id, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  insert.run(start, "system", "wrapper.start", "info", "files", "s1", "mcpscope run started files");
  insert.run(start + DAY, "error", "timeout", "low", "files", "s1", "tools/call read_file: no answer");
  insert.run(start + 2 * DAY, "system", "wrapper.stop", "info", "files", "s1", "mcpscope run stopped files");
  const types = async (...args: string[]) =>
    (
      await cliJsonInProcess<{ events: { type: string }[] }>([
        "events",
        "--session",
        "s1",
        ...args,
        "--data-dir",
        store.dataDir,
      ])
    ).events.map((e) => e.type);

  expect(await types()).toEqual(["wrapper.stop", "timeout", "wrapper.start"]);
  const untilNoon = new Date(start + DAY + DAY / 2).toISOString();
  expect(await types("--until", untilNoon)).toEqual(["timeout", "wrapper.start"]);
  expect(await types("--until", "60h")).toEqual(["wrapper.start"]);
});

it("refuses an --until before the default --since in one line (exit 2), unless --session is given", async () => {
  const result = await cliInProcess(["events", "--until", "48h", "--data-dir", store.dataDir]);
  expect(result.status).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(
    /^mcpscope events: the range is empty: --since 24h \(the default, .+Z\) is not before --until 48h \(.+Z\)\n$/,
  );
  const session = await cliInProcess([
    "events",
    "--session",
    "s1",
    "--until",
    "48h",
    "--data-dir",
    store.dataDir,
  ]);
  expect(session.status).toBe(0);
});
