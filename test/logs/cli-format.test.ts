/** Terminal output of log records: untrusted text never reaches the terminal as control characters. */
import { describe, expect, it } from "vitest";
import { formatPatterns, formatRecord } from "../../electron/cli/commands/logs-format.js";
import { terminalSafe } from "../../electron/cli/terminal-text.js";
import type { LogRecord } from "../../shared/logs.js";

const record: LogRecord = {
  id: 1,
  time: "2026-11-25T13:59:58.120Z",
  level: "error",
  server: "files",
  session: "s",
  source: "stderr",
  logger: "db",
  message: "boom \u001b]0;pwned\u0007\u001b[2J\nTraceback\n  File x",
  fields: null,
  requestId: null,
};

describe("log text output", () => {
  it("shows control characters as \\xNN and indents continuation lines", () => {
    expect(formatRecord(record, 6)).toBe(
      "2026-11-25 13:59:58.120Z  ERROR     files  db: boom \\x1b]0;pwned\\x07\\x1b[2J\n    Traceback\n      File x\n",
    );
    expect(terminalSafe("tab\tstays, \u009b C1 goes")).toBe("tab\tstays, \\x9b C1 goes");
  });

  it("never lets a server-chosen logger or server name start a line of its own", () => {
    const forged = formatRecord(
      {
        ...record,
        server: "lg\nfake",
        logger: "db\n2026-12-06 22:00:00.000  ERROR     payments  FORGED\t",
        message: "connected",
      },
      6,
    );
    expect(forged).toBe(
      "2026-11-25 13:59:58.120Z  ERROR     lg\\x0afake db\\x0a2026-12-06 22:00:00.000  ERROR     payments  FORGED\\x09: connected\n",
    );
    expect(forged.split("\n")).toHaveLength(2);
  });
});

describe("logs patterns output", () => {
  it("says the count is all time when the window is narrower", () => {
    const text = formatPatterns({
      since: "2026-12-07T03:20:00.000Z",
      until: "2026-12-07T04:20:00.000Z",
      patterns: [
        {
          id: 1,
          server: "ls",
          template: "fetched <*> in <*> ms",
          level: "info",
          count: 6,
          firstSeen: "2026-12-07T03:14:00.000Z",
          lastSeen: "2026-12-07T03:25:00.000Z",
          example: "fetched 3 in 4 ms",
        },
      ],
      levels: { debug: 0, info: 3, notice: 0, warning: 0, error: 0, critical: 0, alert: 0, emergency: 0 },
      bucketMinutes: 1,
      storedTemplates: 1,
      timeline: [],
    });
    expect(text.split("\n")[2]).toMatch(/^COUNT \(ALL TIME\)\s+LEVEL/);
  });
});
