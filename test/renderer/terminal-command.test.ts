/**
 * The command a view offers when its rows are too many to save from the app: the view's range and
 * filters as the CLI's flags, quoted for a shell, the empty ones left out.
 */
import { describe, expect, it } from "vitest";
import { terminalCommand } from "../../renderer/src/terminal-command.js";
import { presetRange } from "../../renderer/src/time-range.js";

describe("the terminal command for a view's rows", () => {
  it("gives the range and the filters as flags, quoting what a shell would split or expand", () => {
    expect(
      terminalCommand("logs", presetRange("1h"), {
        server: "files",
        level: "",
        grep: "it's $HOME",
        session: undefined,
        limit: 100_000,
      }),
    ).toBe(
      `mcpscope logs --json --since 1h --server files --grep 'it'\\''s $HOME' --limit 100000 > logs.json`,
    );
  });
});
