/**
 * What a user typed into a search box, as a safe FTS5 query: every word must match; `"a phrase"` keeps
 * its words together; a trailing `*` makes a word a prefix. Every term is quoted, so FTS5 syntax in the
 * input (`-`, `:`, `(`, `NOT`, `NEAR`, stray quotes) is only ever text, never an error.
 */

const INDEXABLE = /[\p{L}\p{N}]/u;

/** The FTS5 MATCH expression, or null when nothing in the input is indexable (e.g. `-->`). */
export function ftsQuery(input: string): string | null {
  const terms: string[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    let text: string;
    if (ch === '"') {
      const close = input.indexOf('"', i + 1);
      text = input.slice(i + 1, close === -1 ? input.length : close);
      i = close === -1 ? input.length : close + 1;
    } else {
      let end = i;
      while (end < input.length && !/\s/.test(input[end] ?? "")) end++;
      text = input.slice(i, end);
      i = end;
    }
    const prefix = text.endsWith("*") && input[i - 1] !== '"';
    if (prefix) text = text.replace(/\*+$/, "");
    if (!INDEXABLE.test(text)) continue;
    terms.push(`"${text.replaceAll('"', '""')}"${prefix ? "*" : ""}`);
  }
  return terms.length ? terms.join(" ") : null;
}

/** For input with nothing indexable: a LIKE pattern matching it literally anywhere in the message. */
export function likePattern(input: string): string {
  return `%${input.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
