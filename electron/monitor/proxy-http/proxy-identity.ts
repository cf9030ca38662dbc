/**
 * Which engine runs the proxy a remote entry points at. A proxy the engine runs for an instrumented entry
 * answers one reserved path itself (never relayed, never recorded) with its data dir; another engine on
 * another data dir (the app beside `mcpscope serve --data-dir …`, or `check --server` with another
 * `--data-dir`) reads that data dir's registry to learn the upstream, so that its probes go to the server
 * directly instead of being recorded as the client's traffic. The answer names no upstream: the registry,
 * readable only by its owner, does.
 */
import { constants } from "node:fs";
import { lstat, open } from "node:fs/promises";
import { resolve } from "node:path";
import type { DiscoveredServer } from "../discovery/types.js";
import { maskedUrlUsesProxy } from "./proxied-entry.js";
import {
  PROXY_HOST,
  parseRemoteProxies,
  type RemoteProxy,
  readRemoteProxies,
  remoteProxiesPath,
  sameProxyEntry,
} from "./remote-proxies.js";

export const PROXY_IDENTITY_PATH = "/.well-known/mcpscope-proxy";

export interface ProxyIdentity {
  mcpscope: "remote-proxy";
  dataDir: string;
}

/** Asks a local port whether an engine's proxy listens there; null for anything else. */
export async function askProxyIdentity(port: number, timeoutMs = 1000): Promise<ProxyIdentity | null> {
  try {
    const response = await fetch(`http://${PROXY_HOST}:${port}${PROXY_IDENTITY_PATH}`, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      return null;
    }
    const body = (await response.json()) as Partial<ProxyIdentity>;
    return body?.mcpscope === "remote-proxy" && typeof body.dataDir === "string"
      ? { mcpscope: "remote-proxy", dataDir: body.dataDir }
      : null;
  } catch {
    return null;
  }
}

/**
 * The proxies this data dir records, then those of other engines that the servers' URLs point at: a
 * remote entry on `http://127.0.0.1:PORT` that no entry of ours explains is asked who runs it.
 */
export async function proxiesFor(
  servers: readonly DiscoveredServer[],
  dataDir: string,
  ask: (port: number) => Promise<ProxyIdentity | null> = askProxyIdentity,
): Promise<RemoteProxy[]> {
  const own = await readRemoteProxies(dataDir).catch(() => []);
  const ports = new Set<number>();
  for (const server of servers) {
    const { location, definition } = server;
    if (!location || definition.transport === "stdio" || !definition.url) continue;
    const mine = own.find((p) => sameProxyEntry(p, location));
    if (mine && maskedUrlUsesProxy(definition.url, mine)) continue;
    const port = loopbackPort(definition.url);
    if (port !== null) ports.add(port);
  }
  if (ports.size === 0) return own;
  const others = new Set<string>();
  await Promise.all(
    [...ports].map(async (port) => {
      const identity = await ask(port);
      if (identity && resolve(identity.dataDir) !== resolve(dataDir)) others.add(resolve(identity.dataDir));
    }),
  );
  const foreign = await Promise.all([...others].map(readForeignProxies));
  return [...own, ...foreign.flat()];
}

/**
 * Only a registry this user owns (and only it can change) may name where probes, with the entry's
 * headers, are sent: a port any local user can listen on must not pick the upstream. The folder must be
 * ours so that no one can swap the file, and the file is checked and read through one handle, never
 * through a symlink, so that it cannot be changed between the check and the read. Without POSIX owners
 * (Windows) nothing here can tell who wrote it: no foreign registry is trusted.
 */
export async function readForeignProxies(dataDir: string): Promise<RemoteProxy[]> {
  const uid = process.getuid?.();
  if (uid === undefined) return [];
  const ours = (info: { uid: number; mode: number }) => info.uid === uid && (info.mode & 0o022) === 0;
  try {
    const dir = await lstat(dataDir);
    if (!dir.isDirectory() || !ours(dir)) return [];
    const path = remoteProxiesPath(dataDir);
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const info = await handle.stat();
      if (!info.isFile() || !ours(info)) return [];
      return parseRemoteProxies(await handle.readFile("utf8"), path);
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
}

/** The port of an `http://127.0.0.1:PORT/…` URL, the only form mcpscope writes into a config. */
function loopbackPort(url: string): number | null {
  try {
    const u = new URL(url);
    return u.protocol === "http:" && u.hostname === PROXY_HOST && u.port ? Number(u.port) : null;
  } catch {
    return null;
  }
}
