/** A burst of calls through the real wrapper raises one `call_rate.anomaly`, not one per call. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/mcp.js";
import { readEvents, runFixture } from "./helpers.js";

describe("call rate anomaly", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it("fires once for 150 calls in a few seconds on a server with no baseline", async () => {
    await runFixture(dir.path, "busy", {}, async (client) => {
      for (let i = 0; i < 150; i++) await client.callTool({ name: "echo", arguments: { message: `m${i}` } });
    });
    // A second session of the same server within 10 minutes stays quiet.
    await runFixture(dir.path, "busy", {}, async (client) => {
      for (let i = 0; i < 80; i++) await client.callTool({ name: "echo", arguments: { message: `n${i}` } });
    });
    const events = readEvents(dir.path, "type = 'call_rate.anomaly'");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ category: "security", severity: "medium", server: "busy" });
    expect(events[0]?.details?.perMinute).toBe(61);
  }, 60_000);
});
