/**
 * Editing one entry of a client config, whatever the format. Each format's editor changes only the entry's
 * command, args and env; this module checks that promise on every edit (every byte before and after the
 * entry's range is unchanged, and the parsed document equals the old one with just those fields replaced)
 * and refuses the edit otherwise, so a bug in an editor can never reach a user's file.
 */
import type { ConfigFormat } from "../discovery/types.js";
import { MonitoringError } from "../errors.js";
import { isConfinedEdit } from "./edit-check.js";
import { editJsonc } from "./edit-jsonc.js";
import { editToml } from "./edit-toml.js";
import { editYaml } from "./edit-yaml.js";
import type { EntryShape, KeyPath } from "./entry-shape.js";

/** What instrumenting changes in an entry: the command line, plus env variables the launcher needs. */
export interface FieldChanges {
  command: string;
  args: string[];
  envAdd: Record<string, string>;
}

/** An entry's place in the text: `text.slice(start, end)` is the entry's value as written. */
export interface EntryRange {
  start: number;
  end: number;
}

export interface EntryEditor {
  /** The whole document as plain values; throws an Error with a one-line message if it is malformed. */
  parse(text: string): unknown;
  /** Where the entry at `path` is written, or null if there is none. */
  locate(text: string, path: KeyPath): EntryRange | null;
  /** The text with the entry's fields changed; may change only bytes inside the entry's range. */
  setFields(text: string, path: KeyPath, shape: EntryShape, changes: FieldChanges): string;
}

export const EDITORS: Record<ConfigFormat, EntryEditor> = {
  jsonc: editJsonc,
  toml: editToml,
  yaml: editYaml,
};

export interface EntryEdit {
  text: string;
  /** Where the entry starts (unchanged by the edit). */
  start: number;
  /** The entry's text before and after the edit. */
  before: string;
  after: string;
}

export function editEntry(
  format: ConfigFormat,
  text: string,
  path: KeyPath,
  shape: EntryShape,
  changes: FieldChanges,
): EntryEdit {
  const editor = EDITORS[format];
  const range = editor.locate(text, path);
  if (!range) throw MonitoringError.input(`no entry at ${formatPath(path)} in the file any more`);
  const next = editor.setFields(text, path, shape, changes);
  if (!isConfinedEdit(text, next, range, (t) => editor.parse(t), path, shape, changes)) {
    throw MonitoringError.input(
      `could not edit ${formatPath(path)} without touching the rest of the file; nothing was changed (edit it by hand)`,
    );
  }
  const tail = text.length - range.end;
  return {
    text: next,
    start: range.start,
    before: text.slice(range.start, range.end),
    after: next.slice(range.start, next.length - tail),
  };
}

/** Puts `replacement` where `current` is written at `start`; null when the text there is not `current`. */
export function replaceAt(text: string, start: number, current: string, replacement: string): string | null {
  if (!text.startsWith(current, start)) return null;
  return text.slice(0, start) + replacement + text.slice(start + current.length);
}

export function formatPath(path: KeyPath): string {
  return path.map((k) => (typeof k === "number" ? `[${k}]` : JSON.stringify(k))).join(" › ");
}
