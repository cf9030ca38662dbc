/**
 * Text the terminal shows but mcpscope did not write — server logs, tool names, error messages, client
 * names — is attacker-controlled: control characters (ANSI escapes above all, which could retitle the
 * window or recolour what follows) are shown as `\xNN`, never emitted.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it makes visible.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the same, tab and newline included.
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f]/g;

const visible = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;

/** Control characters as `\xNN`; tabs and newlines kept (multi-line text laid out by its caller). */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * One table cell: every control character, tab and newline included, as `\xNN` (a raw one would split
 * the row), then cut to `max` characters with `…`. Cut after, so no cut lands inside an escape sequence.
 */
export function cellText(text: string, max = Number.POSITIVE_INFINITY): string {
  const safe = text.replace(CONTROL_OR_BREAK, visible);
  if (safe.length <= max) return safe;
  let end = max - 1;
  // Never half a surrogate pair.
  const code = safe.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${safe.slice(0, end)}…`;
}
