/**
 * A client that gives up waiting: the MCP SDK cancels a request with `notifications/cancelled` when its own
 * timeout fires, before the wrapper's `--timeout` would. The server did not answer in time: that is a
 * `timeout` (an error), not a user pressing Stop. A cancel for any other reason stays `cancelled`.
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

interface StoredCall {
  outcome: string;
  errorMessage: string | null;
}

describe("a request the client cancels", () => {
  it("is a timeout when the client's own timeout fired, cancelled when the user stopped it", async () => {
    const client = await connect(SERVERS.everything(), { dataDir: dir.path, name: "hung" });
    const slow = (duration: number) => ({
      name: "trigger-long-running-operation",
      arguments: { duration, steps: 1 },
    });
    // The SDK's timeout, shortened: the server answers after 30 s, the client gives up after 300 ms.
    await expect(client.callTool(slow(30), undefined, { timeout: 300 })).rejects.toThrow(/timed out/);
    const stop = new AbortController();
    const stopped = client.callTool(slow(31), undefined, { signal: stop.signal });
    stop.abort("the user pressed Stop");
    await expect(stopped).rejects.toThrow();
    await client.close();

    const calls = await waitFor(async () => {
      const { calls } = await mcpscopeJson<{ calls: StoredCall[] }>([
        "calls",
        "--server",
        "hung",
        "--method",
        "tools/call",
        "--data-dir",
        dir.path,
      ]);
      return calls.length === 2 ? calls : undefined;
    });
    expect(calls.map((c) => c.outcome).sort()).toEqual(["cancelled", "timeout"]);
    const timedOut = calls.find((c) => c.outcome === "timeout");
    expect(timedOut?.errorMessage).toMatch(/^the client gave up waiting: .*Request timed out/);
    expect(calls.find((c) => c.outcome === "cancelled")?.errorMessage).toBe("the user pressed Stop");

    const { events } = await mcpscopeJson<{ events: { type: string; category: string }[] }>([
      "events",
      "--server",
      "hung",
      "--data-dir",
      dir.path,
    ]);
    // The Events view's errors show the hung server; the user's Stop is a user event.
    expect(events.filter((e) => e.category === "error").map((e) => e.type)).toEqual(["timeout"]);
    expect(events.filter((e) => e.type === "request.cancelled")).toHaveLength(1);
  });
});
