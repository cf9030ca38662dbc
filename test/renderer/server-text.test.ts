/** The Servers view's words for traffic: the activity line, the detail's last call, the Overview's counts. */
import { describe, expect, it } from "vitest";
import { activityLine, forcingText, lastCallText, serverCounts } from "../../renderer/src/server-text.js";
import { RECENT_ANSWERED_CAP, type ServerEntry, type ServerStatus } from "../../shared/servers.js";

const NOW = Date.parse("2026-12-06T04:00:00.000Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function server(
  status: ServerStatus,
  lastCallAt: string | null = null,
  checkedAt: string | null = null,
): ServerEntry {
  return {
    status,
    traffic: { lastCallAt, recentAnswered: lastCallAt ? 3 : 0 },
    health: { checkedAt },
  } as unknown as ServerEntry;
}

describe("server activity text", () => {
  it("says when a client last called it, and whether a probe ever ran", () => {
    expect(activityLine(server("active", ago(120_000)), NOW)).toBe("last call 2 min ago · not probed yet");
    expect(activityLine(server("up", ago(120_000), ago(30_000)), NOW)).toBe(
      "last call 2 min ago · checked 30 s ago",
    );
    expect(activityLine(server("unknown"), NOW)).toBe("not probed yet");
    const stopped = { ...server("stopped"), process: { state: "stopped" } } as ServerEntry;
    expect(activityLine(stopped, NOW)).toBe("not checked while stopped");
    const disabled = { ...server("unknown"), client: "cline", disabled: true } as ServerEntry;
    expect(activityLine(disabled, NOW)).toBe("not checked while disabled in Cline");
  });

  it("gives the detail's last call with the answered count of the active window", () => {
    expect(lastCallText(server("active", ago(60_000)), NOW)).toBe("1 min ago — 3 answered in the last 5 min");
    expect(lastCallText(server("unknown"), NOW)).toMatch(/^none recorded/);
    // An entry that is not wrapped says why nothing of it can be recorded; a wrapped one where calls come from.
    expect(lastCallText({ ...server("unknown"), client: "cursor", recordsHere: false }, NOW)).toBe(
      "none recorded (this entry is not instrumented: its client's calls do not go through mcpscope)",
    );
    expect(lastCallText({ ...server("unknown"), client: "cursor", recordsHere: true }, NOW)).toBe(
      "none recorded (calls are recorded through mcpscope run or mcpscope proxy)",
    );
    // Counted up to a cap: past it, "more than".
    const busy = server("active", ago(60_000));
    busy.traffic.recentAnswered = RECENT_ANSWERED_CAP + 1;
    expect(lastCallText(busy, NOW)).toBe("1 min ago — more than 1,000 answered in the last 5 min");
  });

  it("counts active servers as up, and says how many are active", () => {
    const counts = serverCounts(
      [
        server("active", ago(1000)),
        server("active", ago(1000)),
        server("up"),
        server("down"),
        server("unknown"),
      ],
      [],
    );
    expect(counts).toEqual({ up: 3, active: 2, down: 1, configured: 5 });
  });

  it("counts a server seen in traffic only as active while it answers calls", () => {
    const seen = (name: string, recentAnswered: number) => ({
      name,
      firstSeen: ago(600_000),
      lastSeen: ago(1000),
      sessions: 1,
      activeSessions: 0,
      calls: 4,
      lastCommand: null,
      recentAnswered,
    });
    const configured = {
      ...server("up"),
      name: "configured",
      instrumented: true,
      recordsHere: true,
    } as ServerEntry;
    // Configured, but not wrapped: the traffic recorded under its name is no entry's.
    const unwrapped = { ...server("unknown"), name: "unwrapped", client: "cursor" } as ServerEntry;
    const counts = serverCounts(
      [configured, unwrapped],
      [seen("configured", 2), seen("only-in-traffic", 3), seen("quiet-in-traffic", 0), seen("unwrapped", 1)],
    );
    expect(counts).toEqual({ up: 3, active: 2, down: 0, configured: 2 });
  });
});

describe("the force dialog's note", () => {
  it("promises a backup only for a restore, which writes the file", () => {
    expect(forcingText("restore", "Restore anyway", "memory", "Cursor")).toMatch(
      /^Restore anyway: mcpscope puts back the entry memory .* a backup of the file as it is now is kept\.$/,
    );
    const forget = forcingText("forget", "Forget it", "memory", "Cursor");
    expect(forget).toBe(
      "Forget it: the entry memory is gone from the file, so mcpscope drops its record of it; the file is not changed.",
    );
    expect(forget).not.toMatch(/backup/);
  });
});
