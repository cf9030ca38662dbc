/** Terminal output of log records: untrusted text never reaches the terminal as control characters. */
import { describe, expect, it } from "vitest";
import { formatRecord } from "../../electron/cli/commands/logs-format.js";
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
