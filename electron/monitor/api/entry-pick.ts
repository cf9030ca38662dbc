/**
 * Picking one config entry by name when the name is in several: by file, by scope and by project. One file
 * can hold several entries of one name (Claude Code keeps user-scope servers and every project's
 * local-scope servers in ~/.claude.json), so the file alone does not always pick one; when the pick is
 * still ambiguous, the error gives each entry's place and the exact flags that select it.
 */
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { Scope } from "../../../shared/discovery.js";
import { fileScope } from "../discovery/file-scope.js";
import type { DiscoveryContext } from "../discovery/types.js";
import type { InstrumentRecord } from "../instrument/records.js";

/** Where an entry is: its file, its scope, and the project it belongs to (local and project scopes). */
export interface EntryPlace {
  file: string;
  scope: Scope | null;
  project: string | null;
}

export interface PickFlags {
  file?: string;
  scope?: string;
  project?: string;
}

/** Is `file` inside `dir`? */
export function underHome(file: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/** An entry's place from its file, scope and key path (a Claude Code local entry sits under projects[DIR]). */
export function entryPlace(
  file: string,
  scope: Scope | null,
  path: ReadonlyArray<string | number>,
): EntryPlace {
  const local = path[0] === "projects" && typeof path[1] === "string" ? path[1] : null;
  return { file, scope: local ? "local" : scope, project: local };
}

/**
 * Where a recorded entry is. Records written before scopes were kept have none: the file tells it when it
 * is one discovery reads for that client in `ctx` (discovery/file-scope.ts), else it stays unknown.
 */
export function recordPlace(
  record: Pick<InstrumentRecord, "client" | "file" | "scope" | "path">,
  ctx: DiscoveryContext,
): EntryPlace {
  return entryPlace(record.file, record.scope ?? fileScope(ctx, record.client, record.file), record.path);
}

/** The path as the file system resolves it (relative to the working folder, `..` and symlinks followed). */
export function realFile(file: string): string {
  const absolute = resolve(file);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

/**
 * Does the entry at `place` match the flags? `--project DIR` keeps user-scope entries (they belong to no
 * project) and drops other projects' entries. An entry of unknown scope matches no `--scope`.
 */
export function matchesPick(place: EntryPlace, flags: PickFlags): boolean {
  if (flags.file && realFile(place.file) !== realFile(flags.file)) return false;
  if (flags.scope && place.scope !== flags.scope) return false;
  if (flags.project) {
    if (place.project !== null) return realFile(place.project) === realFile(flags.project);
    if (place.scope === "project" || place.scope === "workspace")
      return (
        realFile(place.file) === realFile(flags.project) ||
        underHome(realFile(place.file), realFile(flags.project))
      );
  }
  return true;
}

function quoted(value: string): string {
  return /[\s"'$]/.test(value) ? JSON.stringify(value) : value;
}

/** The fewest flags that select `place` alone among `places`; null when no flags do. */
export function pickFlagsFor(place: EntryPlace, places: readonly EntryPlace[]): string | null {
  const scope = place.scope ? { scope: place.scope } : {};
  const project = place.project ? { project: place.project } : {};
  const candidates: PickFlags[] = [
    scope,
    { ...scope, ...project },
    { file: place.file },
    { file: place.file, ...scope },
    { file: place.file, ...scope, ...project },
  ];
  const unique = candidates.find(
    (flags) => Object.keys(flags).length && places.filter((p) => matchesPick(p, flags)).length === 1,
  );
  if (!unique) return null;
  return Object.entries(unique)
    .map(([flag, value]) => `--${flag} ${quoted(String(value))}`)
    .join(" ");
}

/** One entry's place in words: "local scope of /a/proj in ~/.claude.json". */
export function describePlace(place: EntryPlace): string {
  const scope = place.project
    ? `${place.scope} scope of ${place.project}`
    : place.scope
      ? `${place.scope} scope`
      : "";
  return scope ? `${scope} in ${place.file}` : place.file;
}

/** Each place in words with the flags that pick it, for a refusal. */
export function placeChoices(places: readonly EntryPlace[]): string {
  return places
    .map((p) => `${describePlace(p)} (${pickFlagsFor(p, places) ?? "no flags select it alone"})`)
    .join("; ");
}

/** The one-line refusal when several entries match: each place with the flags that pick it. */
export function ambiguousMessage(what: string, places: readonly EntryPlace[]): string {
  return `${what} ${places.length} entries: ${placeChoices(places)}; add the flags of the one you mean`;
}
