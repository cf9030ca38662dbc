/**
 * `<dataDir>/settings.json` as every section (logs, metrics, storage, events, reports) reads it, with two
 * rules they all share. A file that does not parse (half-saved by an editor) is not "no settings": the
 * last document that parsed in this process stands in for it, and until one has, `document` is null so
 * that retention waits instead of deleting with values the user did not choose. And an invalid value
 * costs only itself: `keepValid` drops each invalid key, so its default applies, and keeps the rest.
 * No schema library here: the wrapper's observer thread loads this file.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MonitoringError } from "./errors.js";

export function settingsPath(dataDir: string): string {
  return join(dataDir, "settings.json");
}

export interface SettingsDocument {
  /** The file's object; `{}` when there is no file; null when it has not parsed in this process yet. */
  document: Record<string, unknown> | null;
  /** Why the file as it is now was not used (unreadable, not JSON, not an object). */
  problem: string | null;
  /** The file or the data dir could not be read at all. */
  unreadable?: boolean;
}

const lastGood = new Map<string, Record<string, unknown>>();

function standIn(path: string, reason: string, unreadable = false): SettingsDocument {
  const last = lastGood.get(path) ?? null;
  const then = last ? "keeping the settings read before" : "not used until it can be read";
  return { document: last, problem: `${reason}; ${then}`, unreadable };
}

export function readSettingsDocument(dataDir: string): SettingsDocument {
  const path = settingsPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      lastGood.set(path, {});
      return { document: {}, problem: null };
    }
    return standIn(path, `cannot read ${path}: ${(error as Error).message}`, true);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return standIn(path, `${path} is not valid JSON (${(error as Error).message})`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    return standIn(path, `${path} does not hold a JSON object`);
  lastGood.set(path, value as Record<string, unknown>);
  return { document: value as Record<string, unknown>, problem: null };
}

/**
 * The file's object for a writer that changes one key and keeps every other as it is: `{}` only when
 * there is no file. A file that cannot be read, does not parse or is not an object is refused (`doing`
 * says what was asked: "changing schedules here"), since writing over it would lose what it holds.
 */
export function readSettingsForUpdate(dataDir: string, doing: string): Record<string, unknown> {
  const path = settingsPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw MonitoringError.input(`cannot read ${path} (${(error as Error).message}); fix it before ${doing}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw MonitoringError.input(`${path} is not valid JSON; fix it by hand before ${doing}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw MonitoringError.input(`${path} does not hold a JSON object; fix it by hand before ${doing}`);
  return value as Record<string, unknown>;
}

export interface SettingsProblem {
  path: (string | number)[];
  /** Says what is wrong; starting with "is", it follows the value (`"warn" is not a level: …`). */
  message: string;
}

type Container = Record<string | number, unknown>;

function removeAt(root: unknown, path: (string | number)[]): boolean {
  let at = root as Container;
  for (const key of path.slice(0, -1)) {
    const next = at?.[key];
    if (!next || typeof next !== "object") return false;
    at = next as Container;
  }
  const last = path[path.length - 1] as string | number;
  if (Array.isArray(at)) {
    const index = Number(last);
    if (!(index >= 0 && index < at.length)) return false;
    at.splice(index, 1);
    return true;
  }
  if (!Object.hasOwn(at, last)) return false;
  delete at[last];
  return true;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let at = root;
  for (const key of path) at = at && typeof at === "object" ? (at as Container)[key] : undefined;
  return at;
}

/**
 * Checks `value` and removes what is invalid, one problem at a time, until the rest passes. Returns the
 * valid part (undefined when nothing of it is usable) and every problem, worded for `section`
 * (`logs.minLevel: "warn" is not a level: …`). `check` may name only its first problem.
 */
export function keepValid<T>(
  section: string,
  value: unknown,
  check: (value: unknown) => SettingsProblem[],
): { value: T | undefined; problems: string[] } {
  if (value === undefined) return { value: undefined, problems: [] };
  const current = structuredClone(value);
  const problems: string[] = [];
  let unlisted = 0;
  const listed = () => (unlisted > 0 ? [...problems, `and ${unlisted} more`] : problems);
  for (let round = 0; round < 1000; round++) {
    const found = check(current)[0];
    if (!found) return { value: current as T, problems: listed() };
    const where = [section, ...found.path].join(".");
    const message = /^is\b/.test(found.message)
      ? `${shownValue(valueAt(current, found.path))} ${found.message}`
      : found.message;
    if (problems.length < LISTED_PROBLEMS) problems.push(`${where}: ${message}`);
    else unlisted++;
    const path = [...found.path];
    while (path.length > 0 && !removeAt(current, path)) path.pop();
    if (path.length === 0) return { value: undefined, problems: listed() };
  }
  return { value: undefined, problems: listed() };
}

/** A problem line names this many keys at most, then says how many more there are. */
const LISTED_PROBLEMS = 10;
/** How much of an invalid value a problem line echoes: enough to recognise it, never a whole document. */
const SHOWN_VALUE_CHARS = 60;

function shownValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= SHOWN_VALUE_CHARS ? text : `${text.slice(0, SHOWN_VALUE_CHARS - 1)}…`;
}

/** The problems of a zod `safeParse` in keepValid's terms (an unknown key is a problem of its own). */
export function schemaCheck(schema: {
  safeParse(value: unknown): {
    success: boolean;
    error?: { issues: { code: string; path: PropertyKey[]; message: string; keys?: string[] }[] };
  };
}): (value: unknown) => SettingsProblem[] {
  return (value) => {
    const result = schema.safeParse(value);
    if (result.success) return [];
    return (result.error?.issues ?? []).flatMap((issue) => {
      const path = issue.path.filter((key): key is string | number => typeof key !== "symbol");
      if (issue.code === "unrecognized_keys")
        return (issue.keys ?? []).map((key) => ({ path: [...path, key], message: "unknown key, ignored" }));
      return [{ path, message: issue.message }];
    });
  };
}

/** One line for a section's problems, saying that the rest of the section still applies. */
export function problemLine(problems: string[]): string | null {
  if (problems.length === 0) return null;
  return `settings.json: ${problems.join("; ")}; ${problems.length > 1 ? "each uses its" : "it uses its"} default, the other settings apply`;
}
