/**
 * The transport to a server, from its definition: a child process over stdio (launched with the login
 * shell's environment under the server's own env), Streamable HTTP, or the older HTTP+SSE. Remote
 * servers get their configured headers on every request; in the stateless era also the standard
 * `Mcp-Method` / `Mcp-Name` headers of the 2026-07-28 revision.
 */
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike, Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { resolveLaunchVariables, resolveRemoteVariables } from "../discovery/launch-variables.js";
import type { DiscoveredServer } from "../discovery/types.js";
import { MonitoringError } from "../errors.js";
import { type Env, mergeLaunchEnv } from "../shell-env.js";
import { splitUrlCredentials } from "../url-credentials.js";
import { ChildProcessTransport, type SpawnFn } from "./child-transport.js";
import type { Clock } from "./clock.js";
import type { ProtocolEra } from "./era-transport.js";

/**
 * What launching or connecting needs from a discovered server: the definition names it in messages and
 * records (masked); the raw command, args, URL, env and headers, never stored, are what is launched.
 */
export type ServerTarget = Pick<
  DiscoveredServer,
  "definition" | "rawCommand" | "rawArgs" | "rawUrl" | "rawEnv" | "rawHeaders"
>;

export interface TransportDeps {
  /** The environment servers are launched in (the login shell's); the server's env goes over it. */
  env: Env;
  spawn?: SpawnFn;
  clock?: Clock;
  graceMs?: number;
  fetch?: FetchLike;
}

export function createTransport(
  target: ServerTarget,
  deps: TransportDeps,
  era: () => ProtocolEra,
): Transport {
  const def = target.definition;
  if (def.transport === "stdio") {
    if (!target.rawCommand) throw MonitoringError.input(`server "${def.name}" has no command to run`);
    const raw = { command: target.rawCommand, args: target.rawArgs, env: target.rawEnv, cwd: def.cwd };
    const launch = resolveLaunchVariables(def, raw, deps.env);
    return new ChildProcessTransport({
      command: launch.command,
      args: launch.args,
      env: mergeLaunchEnv(deps.env, launch.env),
      cwd: launch.cwd,
      spawn: deps.spawn,
      clock: deps.clock,
      graceMs: deps.graceMs,
    });
  }
  const { url, headers } = remoteRequest(target, deps.env);
  const fetch = headerFetch(headers, era, deps.fetch);
  return def.transport === "sse"
    ? new SSEClientTransport(url, { fetch })
    : new StreamableHTTPClientTransport(url, { fetch });
}

/** What a remote target's requests go with, so that a failure is diagnosed against exactly that. */
export interface RemoteRequest {
  url: URL;
  headers: Record<string, string>;
  /** The URL's `user:password@` became the Authorization header. */
  urlCredentials: boolean;
}

/** The entry's URL and headers with the client's variables filled in, a URL's credentials as a header. */
export function remoteRequest(target: ServerTarget, env: Env): RemoteRequest {
  const def = target.definition;
  if (!target.rawUrl) throw MonitoringError.input(`server "${def.name}" has no URL to connect to`);
  const remote = resolveRemoteVariables(def, { url: target.rawUrl, headers: target.rawHeaders }, env);
  let configured: URL;
  try {
    configured = new URL(remote.url);
  } catch {
    throw MonitoringError.input(`server "${def.name}" has an invalid URL; expected http(s)://host/path`);
  }
  const split = splitUrlCredentials(configured, remote.headers);
  return { ...split, urlCredentials: split.headers !== remote.headers };
}

/** Adds the configured headers, and in the stateless era the request-metadata headers, to each request. */
export function headerFetch(
  headers: Record<string, string>,
  era: () => ProtocolEra,
  base: FetchLike = fetch,
): FetchLike {
  return (url, init) => {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) if (!merged.has(name)) merged.set(name, value);
    if (era() === "stateless" && typeof init?.body === "string") {
      const standard = requestHeaders(init.body);
      for (const [name, value] of Object.entries(standard)) merged.set(name, value);
    }
    return base(url, { ...init, headers: merged });
  };
}

/** `Mcp-Method`, and `Mcp-Name` for requests about a named tool, prompt or resource. */
function requestHeaders(body: string): Record<string, string> {
  let message: { method?: unknown; params?: { name?: unknown; uri?: unknown } };
  try {
    message = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof message?.method !== "string") return {};
  const out: Record<string, string> = { "Mcp-Method": message.method };
  const name = message.params?.name ?? message.params?.uri;
  // Plain printable ASCII only; anything else would need the revision's Base64 form, which no probe sends.
  if (typeof name === "string" && /^[\x20-\x7e]*$/.test(name)) out["Mcp-Name"] = name;
  return out;
}
