/**
 * A long call that keeps reporting progress is told from one that hung: the count of its progress
 * notifications is shown with the call (`calls --json`, the call's detail).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, mcpscopeJson, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

describe("a call that reports progress", () => {
  it("shows how many progress notifications it got", async () => {
    const client = await connect(SERVERS.everything(), { dataDir: dir.path, name: "progress" });
    await client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 0.4, steps: 4 } },
      undefined,
      // A progress token: the server reports each of its 4 steps.
      { onprogress: () => {} },
    );
    await client.callTool({ name: "echo", arguments: { message: "quick" } });
    await client.close();

    const calls = await waitFor(async () => {
      const { calls } = await mcpscopeJson<{
        calls: { id: number; target: string; progressCount: number }[];
      }>(["calls", "--server", "progress", "--method", "tools/call", "--data-dir", dir.path]);
      return calls.length === 2 ? calls : undefined;
    });
    const long = calls.find((c) => c.target === "trigger-long-running-operation");
    expect(long?.progressCount).toBe(4);
    expect(calls.find((c) => c.target === "echo")?.progressCount).toBe(0);
  });
});
