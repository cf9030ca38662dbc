/** `mcpscope events` with nothing to list says why: nothing yet, nothing recent, or nothing under the filters. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempStore } from "../logs/store.js";

let store: Awaited<ReturnType<typeof tempStore>>;
beforeAll(async () => {
  store = await tempStore();
});
afterAll(() => store.cleanup());

const events = (...args: string[]) => cliInProcess(["events", ...args, "--data-dir", store.dataDir]);

describe("events with nothing to list", () => {
  it("says there are none yet and where they come from, then that the newest is older", async () => {
    expect(await events()).toEqual({
      status: 0,
      stdout:
        "No events yet. Events appear when mcpscope runs or wraps a server (starts, exits, crashes, health changes), when a client's config changes, and when alerts fire.\n",
      stderr: "",
    });
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    store.db
      .prepare(
        "INSERT INTO events (time, category, type, severity, server, message) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(twoDaysAgo, "system", "wrapper.start", "info", "files", "mcpscope run started files");
    expect((await events()).stdout).toBe(
      `No events in the last 24h; the newest is from ${new Date(twoDaysAgo).toISOString()}. Try a longer --since.\n`,
    );
    expect((await events("--since", "3d")).stdout).toContain("wrapper.start");
    expect((await events("--server", "files")).stdout).toBe(
      "No events match --server files. Try a longer --since, or fewer filters.\n",
    );
  });
});
