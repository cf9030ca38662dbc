/**
 * The promise every entry editor keeps, checked after each edit: nothing outside the entry's range changed,
 * and the parsed document equals the old one with only the entry's command, args and env changed.
 */
import type { EntryRange, FieldChanges } from "./entry-edit.js";
import { type EntryShape, isRecord, type KeyPath, setAt } from "./entry-shape.js";

export function isConfinedEdit(
  text: string,
  next: string,
  range: EntryRange,
  parse: (text: string) => unknown,
  path: KeyPath,
  shape: EntryShape,
  changes: FieldChanges,
): boolean {
  const tail = text.length - range.end;
  if (next.length - tail < range.start) return false;
  if (!next.startsWith(text.slice(0, range.start)) || !next.endsWith(text.slice(range.end))) return false;
  const expected = cloneTree(parse(text));
  setAt(expected, [...path, ...shape.command], changes.command);
  setAt(expected, [...path, ...shape.args], changes.args);
  for (const [key, value] of Object.entries(changes.envAdd))
    setAt(expected, [...path, ...shape.env, key], value);
  try {
    return deepEqual(parse(next), expected);
  } catch {
    return false;
  }
}

function cloneTree(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneTree);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneTree(v)]));
  return value;
}

/** Structural equality; object key order does not matter (an inserted key may land anywhere). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date || b instanceof Date) {
    return (
      a instanceof Date && b instanceof Date && String(a) === String(b) && Object.is(a.getTime(), b.getTime())
    );
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]))
    );
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}
