/** The ports mcpscope says fetch refuses are the ones Node's own fetch refuses, and only those. */
import { describe, expect, it } from "vitest";
import { blockedPortText, fetchBlocksPort } from "../../electron/monitor/supervisor/blocked-ports.js";

/** What fetch says about a port before any connection: "bad port", or nothing (it tries to connect). */
async function fetchSays(port: number): Promise<string | null> {
  try {
    // An aborted signal would stop it before the port check; a refused connection answers at once.
    await fetch(`http://127.0.0.1:${port}/`);
    return null;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? null;
    return cause === "bad port" ? cause : null;
  }
}

describe("the ports fetch refuses", () => {
  it("are each refused by fetch", async () => {
    const listed = Array.from({ length: 11_000 }, (_, i) => i + 1).filter(fetchBlocksPort);
    expect(listed).toContain(6000);
    const said = await Promise.all(listed.map(fetchSays));
    expect(said.every((s) => s === "bad port")).toBe(true);
  });

  it("leave out ports fetch allows", async () => {
    for (const port of [5999, 6001, 10081]) {
      expect(fetchBlocksPort(port)).toBe(false);
      expect(await fetchSays(port)).toBeNull();
    }
    expect(blockedPortText(6000)).toBe("fetch refuses port 6000 for safety (browsers block it too)");
  });
});
