/** The `mcpscope` command that writes what a view shows as JSON: its filters as the command's flags. */
import { rangeQuery, type TimeRange } from "./time-range.js";

/** A value as a shell reads it: quoted (single quotes) unless it is plain. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `mcpscope logs --json --since 1h --server files --limit 100000 > logs.json`: `flags` in order, the empty
 * ones left out, the view's range as --since/--until.
 */
export function terminalCommand(
  command: string,
  range: TimeRange,
  flags: Record<string, string | number | undefined>,
): string {
  const { since, until } = rangeQuery(range);
  const words = ["mcpscope", command, "--json"];
  for (const [name, value] of Object.entries({ since, until, ...flags }))
    if (value !== undefined && value !== "") words.push(`--${name}`, shellWord(String(value)));
  return `${words.join(" ")} > ${command}.json`;
}
