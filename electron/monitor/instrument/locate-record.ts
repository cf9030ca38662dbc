/**
 * Where a recorded entry is in the file now. Keyed entries stay at their path; entries in a list
 * (Continue's `mcpServers`) move when the user adds or removes others, so the list is searched for the
 * text mcpscope wrote (or the original text) before the recorded index is trusted.
 */

import type { ClientId } from "../../../shared/discovery.js";
import { deepEqual } from "./edit-check.js";
import { EDITORS, type EntryRange } from "./entry-edit.js";
import { getAt, isRecord, type KeyPath, readFields, shapeFor } from "./entry-shape.js";
import { unwrapEntry } from "./marker.js";
import type { InstrumentRecord } from "./records.js";

export interface RecordLocation {
  path: KeyPath;
  range: EntryRange;
  /** The entry's text now. */
  current: string;
  /** The entry there is the recorded server (by key, or by its name in a list), even if it changed. */
  sameServer: boolean;
  /** The entry holds exactly the values mcpscope wrote, though its text may be formatted differently. */
  sameValues: boolean;
}

export function locateRecord(text: string, record: InstrumentRecord): RecordLocation | null {
  const editor = EDITORS[record.format];
  const at = (path: KeyPath) => {
    const range = editor.locate(text, path);
    if (!range) return null;
    return { path, range, current: text.slice(range.start, range.end), sameServer: true, sameValues: false };
  };
  const known = (l: RecordLocation | null) =>
    l && (l.current === record.wrapped || l.current === record.original);
  const recorded = at(record.path);
  if (known(recorded)) return recorded;
  const last = record.path.at(-1);
  if (typeof last === "number") {
    const parent = record.path.slice(0, -1);
    for (let i = 0, l = at([...parent, 0]); l; i++, l = at([...parent, i])) if (known(l)) return l;
  }
  if (!recorded) return null;
  const entry = getAt(editor.parse(text), record.path);
  const fields = readFields(entry, shapeFor(record.client as ClientId, entry));
  const name = isRecord(entry) ? entry.name : undefined;
  const wrappedName = fields ? unwrapEntry(fields.command, fields.args)?.name : undefined;
  const sameValues = record.wrappedValue !== undefined && deepEqual(plain(entry), record.wrappedValue);
  const sameServer = typeof last === "string" || name === record.server || wrappedName === record.server;
  return { ...recorded, sameServer, sameValues };
}

/** A value as it reads back from JSON (how the record keeps it). */
export function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
