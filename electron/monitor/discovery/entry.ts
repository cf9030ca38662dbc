/**
 * Turns one client entry, read into plain fields, into a DiscoveredServer: masked public definition,
 * raw values for launching, a stable id, and mcpscope's own wrapping recognised.
 */
import { createHash } from "node:crypto";
import type { ClientId, Scope, ServerDefinition, TransportKind } from "../../../shared/discovery.js";
import { recordsInto, unwrapEntry } from "../instrument/marker.js";
import { maskArgs, maskRecord, maskText } from "./mask-config.js";
import type { DiscoveredServer, EntryLocation } from "./types.js";

export interface EntryFields {
  name: string;
  transport: TransportKind;
  command: string | null;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  url: string | null;
  headers: Record<string, string>;
  disabled?: boolean;
}

export interface EntrySource {
  client: ClientId | "manual";
  scope: Scope;
  location: EntryLocation | null;
}

/**
 * Stable across reads while the entry keeps its name: client, scope, file, the keys above the entry
 * (a Claude Code project path) and the name — not a list index, which moves when entries are reordered.
 * Hashed, so no path shows. It is also the entry marker `mcpscope instrument` writes into the entry
 * (`run --entry`, stored with each session): changing how it is made would orphan those sessions.
 */
export function serverId(source: EntrySource, name: string): string {
  const parents = (source.location?.path.slice(0, -1) ?? []).filter((p) => typeof p === "string");
  const key = [source.client, source.scope, source.location?.file ?? "", ...parents, name].join("\u0000");
  return `${source.client}-${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
}

export function toDiscovered(fields: EntryFields, source: EntrySource): DiscoveredServer {
  const unwrapped = fields.command ? unwrapEntry(fields.command, fields.args) : null;
  const definition: ServerDefinition = {
    id: serverId(source, fields.name),
    name: fields.name,
    client: source.client,
    scope: source.scope,
    file: source.location?.file ?? null,
    transport: fields.transport,
    command: fields.command === null ? null : maskText(fields.command),
    args: maskArgs(fields.args, fields.command ?? ""),
    env: maskRecord(fields.env),
    cwd: fields.cwd,
    url: fields.url === null ? null : maskText(fields.url),
    headers: maskRecord(fields.headers),
    instrumented: unwrapped !== null,
    disabled: fields.disabled === true,
  };
  return {
    definition,
    rawCommand: fields.command,
    rawArgs: fields.args,
    rawUrl: fields.url,
    rawEnv: fields.env,
    rawHeaders: fields.headers,
    location: source.location,
    wrapped: unwrapped
      ? {
          command: unwrapped.command,
          args: unwrapped.args,
          byHand: unwrapped.client === null,
          client: unwrapped.client,
          entry: unwrapped.entry,
          recordsInto: recordsInto(fields.command ?? "", fields.args, fields.env),
        }
      : null,
  };
}

/**
 * SSE or streamable HTTP for a remote entry: an explicit type wins (`sse`; `http`, `streamable-http`,
 * `streamableHttp`, `streamable_http`); otherwise a URL ending in `/sse` is SSE and anything else HTTP.
 */
export function remoteTransport(type: unknown, url: string): "http" | "sse" {
  const kind = typeof type === "string" ? type.toLowerCase().replace(/[-_]/g, "") : "";
  if (kind === "sse") return "sse";
  if (kind === "http" || kind === "streamablehttp") return "http";
  const path = url.split(/[?#]/)[0] ?? "";
  return /\/sse\/?$/i.test(path) ? "sse" : "http";
}
