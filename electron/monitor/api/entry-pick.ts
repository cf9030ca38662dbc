/**
 * Picking one config entry by name when the name is in several: by file, by scope and by project. One file
 * can hold several entries of one name (Claude Code keeps user-scope servers and every project's
 * local-scope servers in ~/.claude.json), so the file alone does not always pick one; when the pick is
 * still ambiguous, the error gives each entry's place and the exact flags that select it.
 */
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { ClientId, Scope } from "../../../shared/discovery.js";
import { serverId } from "../discovery/entry.js";
import { fileScope } from "../discovery/file-scope.js";
import { quoteArg, visibleText } from "../discovery/shown-command.js";
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

/**
 * The inventory id of a recorded entry (discovery/entry.ts `serverId`, what the Servers view and
 * `servers.*` name an entry by); null when its scope cannot be told (a file discovery does not read).
 */
export function recordId(
  record: Pick<InstrumentRecord, "client" | "server" | "file" | "scope" | "path" | "format">,
  ctx: DiscoveryContext,
): string | null {
  const scope = record.scope ?? recordPlace(record, ctx).scope;
  if (!scope) return null;
  const location = { file: record.file, format: record.format, path: record.path };
  return serverId({ client: record.client as ClientId, scope, location }, record.server);
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
    .map(([flag, value]) => `--${flag} ${quoteArg(visibleText(String(value)))}`)
    .join(" ");
}

/** A recorded entry as the pick flags see it: its client and name, and its place. */
export interface RecordedPlace extends EntryPlace {
  client: string;
  server: string;
}

/** A record's place without a discovery context: its stored scope, else only what its key path tells. */
export function storedPlace(
  record: Pick<InstrumentRecord, "client" | "server" | "file" | "scope" | "path">,
): RecordedPlace {
  const place = entryPlace(record.file, record.scope ?? null, record.path);
  return { client: record.client, server: record.server, ...place };
}

/** An entry as `instrument.records` lists it (its scope a string there), as the pick flags see it. */
export function listedPlace(entry: {
  client: string;
  server: string;
  file: string;
  scope: string | null;
  project: string | null;
}): RecordedPlace {
  const { client, server, file, scope, project } = entry;
  return { client, server, file, scope: scope as Scope | null, project };
}

/**
 * The flags that pick `entry` alone among `recorded` (every entry mcpscope instrumented), for a command
 * that acts on that one entry (`mcpscope instrument --repair …`): its client and name, and when the name
 * is in several of that client's entries, the fewest flags that tell it apart (as a refusal gives them).
 */
export function entryPickFlags(entry: RecordedPlace, recorded: readonly RecordedPlace[]): string {
  const named = `--client ${entry.client} --server ${quoteArg(visibleText(entry.server))}`;
  const same = recorded.filter((r) => r.client === entry.client && r.server === entry.server);
  const apart = same.length > 1 ? pickFlagsFor(entry, same) : null;
  return apart ? `${named} ${apart}` : named;
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
