/**
 * The shape most clients share: an object mapping server names to `{command, args, env, cwd}` or to
 * `{url, headers}` (Claude Desktop and Code, Cursor, VS Code, Windsurf, Cline, Gemini, LM Studio).
 */
import type { ClientId, Scope } from "../../../shared/discovery.js";
import { type EntryFields, remoteTransport, toDiscovered } from "./entry.js";
import { asObject, asString, asStringArray, asStringRecord, describePath, type Json } from "./fields.js";
import type { ConfigFormat, DiscoveredServer } from "./types.js";

export interface FileSource {
  client: ClientId;
  scope: Scope;
  file: string;
  format: ConfigFormat;
}

export interface MapOptions {
  /** Keys that may hold a remote server's URL, in order (`url`; Windsurf's `serverUrl`). */
  urlKeys?: string[];
  /** How this client tells SSE from streamable HTTP; default: `type`, then the URL's shape. */
  remoteTransport?: (entry: Json, urlKey: string, url: string) => "http" | "sse";
}

export type Warn = (message: string) => void;

/** Reads one entry object; null (with a warning) when it has neither a command nor a URL. */
export function readEntry(
  name: string,
  entry: Json,
  path: Array<string | number>,
  warn: Warn,
  options: MapOptions = {},
): EntryFields | null {
  const base = {
    name,
    env: asStringRecord(entry.env),
    headers: asStringRecord(entry.headers),
    disabled: entry.disabled === true || entry.enabled === false,
  };
  const command = asString(entry.command);
  if (command) {
    const cwd = asString(entry.cwd);
    return { ...base, transport: "stdio", command, args: asStringArray(entry.args), cwd, url: null };
  }
  for (const key of options.urlKeys ?? ["url"]) {
    const url = asString(entry[key]);
    if (!url) continue;
    const transport = options.remoteTransport?.(entry, key, url) ?? remoteTransport(entry.type, url);
    return { ...base, transport, command: null, args: [], cwd: null, url };
  }
  warn(`${describePath(path)}: no "command" or "url"; skipped`);
  return null;
}

export function readServerMap(
  map: unknown,
  mapPath: Array<string | number>,
  source: FileSource,
  warn: Warn,
  options: MapOptions = {},
): DiscoveredServer[] {
  if (map === undefined || map === null) return [];
  const object = asObject(map);
  if (!object) {
    warn(`${describePath(mapPath)}: expected an object of servers; ignored`);
    return [];
  }
  const servers: DiscoveredServer[] = [];
  for (const [name, value] of Object.entries(object)) {
    const path = [...mapPath, name];
    const entry = asObject(value);
    const fields = entry ? readEntry(name, entry, path, warn, options) : null;
    if (!entry) warn(`${describePath(path)}: expected an object; skipped`);
    if (fields) {
      const location = { file: source.file, format: source.format, path };
      servers.push(toDiscovered(fields, { client: source.client, scope: source.scope, location }));
    }
  }
  return servers;
}

/** The top-level object of a JSON config; an empty file has no servers. */
export function rootObject(value: unknown): Json {
  if (value === undefined) return {};
  const object = asObject(value);
  if (!object) throw new Error("expected an object at the top level");
  return object;
}
