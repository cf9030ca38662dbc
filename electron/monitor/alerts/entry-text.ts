/**
 * One entry of a block list in alerts.yaml as text: what the app's editor shows (the entry as the user
 * wrote it, comments included) and how a saved entry goes back into the file (spliced in place, every
 * other byte as it was). The user's own text is written back only when it reads as exactly the entry that
 * was validated; otherwise the entry is printed.
 */
import { isDeepStrictEqual } from "node:util";
import { isMap, isSeq, parseDocument, stringify, type YAMLSeq } from "yaml";

/** How YAML mcpscope writes is printed: lines are never folded (an entry's long line stays one line). */
export const YAML_OUT = { lineWidth: 0 } as const;

type Key = "rules" | "channels";
type Ranged = { range?: [number, number, number]; flow?: boolean };

/** The column a position is in. */
function columnOf(text: string, at: number): number {
  return at - (text.lastIndexOf("\n", at - 1) + 1);
}

/**
 * Where an entry's own text starts: its first key, or a comment the user put right after its dash
 * (`- # why this rule` above `  name: …`), which the YAML parser keeps outside the entry's range.
 */
function ownStart(text: string, start: number): number {
  let lineStart = text.lastIndexOf("\n", start - 1) + 1;
  if (text.slice(lineStart, start).trim() !== "") return start;
  while (lineStart > 0) {
    const previous = text.lastIndexOf("\n", lineStart - 2) + 1;
    const line = text.slice(previous, lineStart - 1);
    const dash = /^(\s*-\s+)#/.exec(line);
    if (dash?.[1]) return previous + dash[1].length;
    if (line.trim() !== "" && !/^\s*#/.test(line)) return start;
    lineStart = previous;
  }
  return start;
}

/** Where an entry's own text ends: after its last value (and a comment on that line), spaces trimmed. */
function ownEnd(text: string, start: number, valueEnd: number): number {
  let end = valueEnd;
  while (end > start && /\s/.test(text[end - 1] ?? "")) end--;
  return end;
}

/** Each block entry of the list's own text, by name, unindented: what the editor starts from. */
export function entryTexts(text: string, key: Key): Map<string, string> {
  const texts = new Map<string, string>();
  const doc = parseDocument(text);
  const seq = doc.errors.length ? null : doc.get(key);
  if (!isSeq(seq) || seq.flow) return texts;
  for (const item of seq.items) {
    const range = (item as Ranged).range;
    if (!isMap(item) || item.flow || !range) continue;
    const [start, valueEnd] = range;
    const column = columnOf(text, start);
    const own = text
      .slice(ownStart(text, start), ownEnd(text, start, valueEnd))
      .split("\n")
      .map((line, i) => (i === 0 ? line : line.replace(new RegExp(`^ {0,${column}}`), "")))
      .join("\n");
    texts.set(String(item.get("name")), `${own}\n`);
  }
  return texts;
}

/** The text the editor shows for an entry: the file's own, when it reads as the entry, else printed. */
export function editorText(entry: unknown, own: string | undefined): string {
  if (own !== undefined && readsAs(own, entry)) return own;
  return stringify(entry, YAML_OUT);
}

function readsAs(text: string, entry: unknown): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length) return false;
  try {
    return isDeepStrictEqual(doc.toJS(), entry);
  } catch {
    // An alias to an anchor in another entry does not read alone.
    return false;
  }
}

/**
 * The file's text with one entry of a block list replaced (or, at `index` -1, added after the last),
 * every other byte as it was. The entry is written as `own` (the text the user saved, comments and all)
 * when the result reads back as `entry`, else printed. Null where the text cannot be edited that way (no
 * list yet, a flow list, an empty one): the caller then writes the document back whole.
 */
export function spliceEntry(
  text: string,
  key: Key,
  seq: YAMLSeq,
  index: number,
  entry: Record<string, unknown>,
  own?: string,
): string | null {
  if (seq.flow || seq.items.length === 0) return null;
  const bodies = [own?.replace(/^\s*\n/, "").trimEnd(), stringify(entry, YAML_OUT).trimEnd()];
  for (const body of bodies) {
    if (!body) continue;
    const spliced = spliceBody(text, seq, index, body);
    if (spliced !== null && entryAt(spliced, key, index, entry)) return spliced;
  }
  return null;
}

function spliceBody(text: string, seq: YAMLSeq, index: number, body: string): string | null {
  const item = (index === -1 ? seq.items.at(-1) : seq.items[index]) as Ranged | undefined;
  if (!item?.range) return null;
  const [start, valueEnd] = item.range;
  const indented = (at: number) => body.replaceAll("\n", `\n${" ".repeat(at)}`);
  if (index !== -1) {
    const from = isMap(item) && !item.flow ? ownStart(text, start) : start;
    return text.slice(0, from) + indented(columnOf(text, start)) + text.slice(ownEnd(text, start, valueEnd));
  }
  // After the last entry's last line (and a comment on it): `- ` in the column of the list's dashes.
  const from = isMap(item) && !item.flow ? ownStart(text, start) : start;
  const dash = text.lastIndexOf("-", from - 1);
  const dashColumn = columnOf(text, dash);
  if (dash === -1 || text.slice(dash + 1, from).trim() !== "") return null;
  let lineEnd = text.indexOf("\n", valueEnd > start && text[valueEnd - 1] === "\n" ? valueEnd - 1 : valueEnd);
  if (lineEnd === -1) lineEnd = text.length;
  const added = `\n${" ".repeat(dashColumn)}- ${indented(dashColumn + 2)}`;
  return text.slice(0, lineEnd) + added + text.slice(lineEnd);
}

/** Whether the spliced text holds exactly `entry` where it was put. */
function entryAt(text: string, key: Key, index: number, entry: Record<string, unknown>): boolean {
  const doc = parseDocument(text);
  const seq = doc.errors.length ? null : doc.get(key);
  if (!isSeq(seq)) return false;
  const item = index === -1 ? seq.items.at(-1) : seq.items[index];
  return isMap(item) && isDeepStrictEqual(item.toJSON(), entry);
}
