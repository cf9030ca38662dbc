/**
 * Each command's --help: its usage lines name every flag its options list, and a value shown for --since
 * there is the range the command reads without one (not an example a reader would take for the default).
 */
import { expect, it } from "vitest";
import { COMMAND_SUMMARIES } from "../../electron/cli/command-summaries.js";
import { cliOkInProcess } from "../helpers/cli-in-process.js";

const SUBCOMMANDS = [
  "logs patterns",
  "events groups",
  "alerts history",
  "alerts silence",
  "alerts silences",
  "alerts pause",
  "alerts rules",
  "alerts test",
  "audit verify",
  "audit export",
  "audit digest",
  "tools approve",
  "db info",
  "db check",
  "report schedule",
  "rules check",
  "rules test",
];

/** The text between a heading line (`usage:`, `options:`) and the next blank line. */
function block(help: string, heading: string): string {
  const start = help.indexOf(heading);
  if (start < 0) return "";
  const end = help.indexOf("\n\n", start);
  return help.slice(start, end < 0 ? undefined : end);
}

it("lists every flag of a command in its usage, and a --since value only where it is the default", async () => {
  const wrong: string[] = [];
  for (const command of [...Object.keys(COMMAND_SUMMARIES), ...SUBCOMMANDS]) {
    const { stdout } = await cliOkInProcess([...command.split(" "), "--help"]);
    const usage = block(stdout, "usage:");
    const options = block(stdout, "options:");
    expect(usage, command).not.toBe("");
    for (const [, flag] of options.matchAll(/^ {2}(--[a-z-]+)/gm)) {
      if (flag === "--data-dir" || flag === "--help") continue;
      if (!new RegExp(`${flag}(?![a-z-])`).test(usage)) wrong.push(`${command}: usage lacks ${flag}`);
    }
    // The first usage line is the command's own; the others are its subcommands', with their own help.
    const own = usage.split("\n")[0] ?? "";
    for (const [, value] of own.matchAll(/\[--since ([a-z0-9]+)[\] ]/g)) {
      const since = /^ {2}--since .*$/m.exec(options)?.[0] ?? "";
      if (!since.includes(`(default ${value}`))
        wrong.push(`${command}: usage shows --since ${value}, which is not its default`);
    }
  }
  expect(wrong).toEqual([]);
});
