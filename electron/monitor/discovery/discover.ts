/**
 * Reads every client's config files and lists their MCP servers. A missing file is silent; an
 * unreadable or malformed one becomes a one-line warning naming the file, and the rest is still listed.
 */

import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { resolve } from "node:path";
import type { ClientId, DiscoveryWarning, Scope } from "../../../shared/discovery.js";
import { goneLauncherPath } from "../instrument/launcher-check.js";
import { installHere, otherInstall, type ThisInstall } from "../instrument/other-install.js";
import { maskedUrlUsesProxy } from "../proxy-http/proxied-entry.js";
import { proxiesFor } from "../proxy-http/proxy-identity.js";
import { sameProxyEntry } from "../proxy-http/remote-proxies.js";
import { VERSION } from "../version.js";
import { CLIENT_READERS } from "./clients/index.js";
import { readManualServers } from "./manual-servers.js";
import { maskText } from "./mask-config.js";
import { joinPath } from "./platform-paths.js";
import type { ClientReader, DiscoveredServer, DiscoveryContext } from "./types.js";

export interface DiscoverOptions {
  /** Only these clients (and `manual` for hand-added servers); default all. */
  clients?: ReadonlyArray<ClientId | "manual">;
  /** The data dir holding hand-added servers (`servers.json`); without it none are listed. */
  dataDir?: string;
  readers?: readonly ClientReader[];
}

export interface DiscoveryOutcome {
  servers: DiscoveredServer[];
  warnings: DiscoveryWarning[];
  /** Files that could not be read or parsed as a whole, so what their entries run is not known. */
  unreadable?: string[];
}

export interface CandidateFile {
  reader: ClientReader;
  file: string;
  scope: Scope;
}

export interface CandidateDir {
  reader: ClientReader;
  dir: string;
  scope: Scope;
  extensions: string[];
}

function selectedReaders(options: DiscoverOptions): readonly ClientReader[] {
  const readers = options.readers ?? CLIENT_READERS;
  return options.clients ? readers.filter((r) => options.clients?.includes(r.id)) : readers;
}

/** Every file the readers would read for this context, existing or not, without duplicates. */
export function candidateFiles(ctx: DiscoveryContext, options: DiscoverOptions = {}): CandidateFile[] {
  const seen = new Set<string>();
  const out: CandidateFile[] = [];
  for (const reader of selectedReaders(options)) {
    for (const { file, scope } of reader.configFiles(ctx)) {
      if (seen.has(`${reader.id}\u0000${file}`)) continue;
      seen.add(`${reader.id}\u0000${file}`);
      out.push({ reader, file, scope });
    }
  }
  return out;
}

export function candidateDirs(ctx: DiscoveryContext, options: DiscoverOptions = {}): CandidateDir[] {
  const seen = new Set<string>();
  const out: CandidateDir[] = [];
  for (const reader of selectedReaders(options)) {
    for (const candidate of reader.configDirs?.(ctx) ?? []) {
      if (seen.has(candidate.dir)) continue;
      seen.add(candidate.dir);
      out.push({ reader, ...candidate });
    }
  }
  return out;
}

/** Folders whose subfolders may come to hold config files (a new VS Code profile or Gemini extension). */
export function containerDirs(
  ctx: DiscoveryContext,
  options: DiscoverOptions = {},
): Array<{ reader: ClientReader; dir: string; names: string[] }> {
  return selectedReaders(options).flatMap((reader) =>
    (reader.containerDirs?.(ctx) ?? []).map((container) => ({ reader, ...container })),
  );
}

/** Every file and folder discovery reads, client by client, for "looked at" messages. */
export function lookedAt(ctx: DiscoveryContext, options: DiscoverOptions = {}): string[] {
  const files = candidateFiles(ctx, options);
  const dirs = candidateDirs(ctx, options);
  const containers = containerDirs(ctx, options);
  return selectedReaders(options).flatMap((reader) => [
    ...files.filter((f) => f.reader === reader).map((f) => f.file),
    ...dirs.filter((d) => d.reader === reader).map((d) => joinPath(ctx, d.dir, "*")),
    ...containers
      .filter((c) => c.reader === reader)
      .flatMap((c) => c.names.map((name) => joinPath(ctx, c.dir, "*", name))),
  ]);
}

function readProblem(error: NodeJS.ErrnoException): string | null {
  switch (error.code) {
    case "ENOENT":
    case "ENOTDIR":
      return null;
    case "EISDIR":
      return "is a folder, expected a file";
    case "EACCES":
    case "EPERM":
      return "cannot be read (permission denied)";
    default:
      return `cannot be read (${error.code ?? error.message})`;
  }
}

/** A missing file is no config; a symlink to a missing file is one the user meant to have. */
async function danglingLink(file: string): Promise<string | null> {
  try {
    if (!(await lstat(file)).isSymbolicLink()) return null;
    return `is a symbolic link to ${await readlink(file)}, which does not exist; skipped`;
  } catch {
    return null;
  }
}

/** Identifies a config file's text (without a BOM), as read by discovery and later under the edit lock. */
export function textDigest(text: string): string {
  return createHash("sha256")
    .update(text.replace(/^\uFEFF/, ""))
    .digest("hex");
}

async function filesInDir(candidate: CandidateDir, ctx: DiscoveryContext): Promise<CandidateFile[]> {
  let names: string[];
  try {
    names = await readdir(candidate.dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => candidate.extensions.some((ext) => name.toLowerCase().endsWith(ext)))
    .sort()
    .map((name) => ({
      reader: candidate.reader,
      file: joinPath(ctx, candidate.dir, name),
      scope: candidate.scope,
    }));
}

function noteUnreadable(outcome: DiscoveryOutcome, file: string): void {
  outcome.unreadable = [...(outcome.unreadable ?? []), file];
}

async function readCandidate(candidate: CandidateFile, ctx: DiscoveryContext, outcome: DiscoveryOutcome) {
  const { reader, file, scope } = candidate;
  let text: string;
  try {
    text = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    const problem = missing ? await danglingLink(file) : readProblem(error as NodeJS.ErrnoException);
    if (problem) outcome.warnings.push({ file, message: problem });
    // A link to nothing holds no entries; a file there that cannot be read may.
    if (problem && !missing) noteUnreadable(outcome, file);
    return;
  }
  const warn = (message: string) => outcome.warnings.push({ file, message });
  try {
    const digest = textDigest(text);
    const servers = reader.parse(text, file, scope, ctx, warn);
    for (const server of servers) if (server.location) server.location.digest = digest;
    outcome.servers.push(...servers);
  } catch (error) {
    outcome.warnings.push({ file, message: (error as Error).message.split("\n")[0] ?? String(error) });
    noteUnreadable(outcome, file);
  }
}

/** Reads these config files alone, as discovery reads each (without its checks of launchers and proxies). */
export async function readConfigFiles(
  files: readonly CandidateFile[],
  ctx: DiscoveryContext,
): Promise<DiscoveryOutcome> {
  const outcome: DiscoveryOutcome = { servers: [], warnings: [] };
  for (const candidate of files) await readCandidate(candidate, ctx, outcome);
  return outcome;
}

/**
 * A remote entry instrumented by mcpscope points at the engine's proxy: it is shown (and probed) as the
 * server it relays to, marked instrumented, so that probes are not recorded as the client's traffic.
 */
async function withRemoteProxies(servers: DiscoveredServer[], dataDir: string): Promise<DiscoveredServer[]> {
  const proxies = await proxiesFor(servers, dataDir);
  if (proxies.length === 0) return servers;
  return servers.map((server) => {
    const location = server.location;
    // Still pointed at its proxy: a client that rewrote the URL has dropped it.
    const proxy =
      location &&
      proxies.find((p) => sameProxyEntry(p, location) && maskedUrlUsesProxy(server.definition.url, p));
    if (!proxy || server.definition.transport === "stdio") return server;
    return {
      ...server,
      definition: { ...server.definition, url: maskText(proxy.upstream), instrumented: true },
      rawUrl: proxy.upstream,
    };
  });
}

export async function discoverServers(
  ctx: DiscoveryContext,
  options: DiscoverOptions = {},
): Promise<DiscoveryOutcome> {
  const outcome: DiscoveryOutcome = { servers: [], warnings: [] };
  const fromDirs = (await Promise.all(candidateDirs(ctx, options).map((dir) => filesInDir(dir, ctx)))).flat();
  const candidates = [...candidateFiles(ctx, options), ...fromDirs];
  // One file at a time, client by client, so servers and warnings come out in a stable order.
  for (const reader of selectedReaders(options)) {
    for (const candidate of candidates.filter((c) => c.reader === reader))
      await readCandidate(candidate, ctx, outcome);
  }
  if (options.dataDir && (!options.clients || options.clients.includes("manual"))) {
    const manual = await readManualServers(options.dataDir);
    outcome.servers.push(...manual.servers);
    outcome.warnings.push(...manual.warnings);
    for (const warning of manual.warnings) noteUnreadable(outcome, warning.file);
  }
  const mine = installHere(options.dataDir);
  outcome.servers = outcome.servers.map((server) => withLauncherCheck(server, mine));
  if (options.dataDir) {
    outcome.servers = await withRemoteProxies(outcome.servers, options.dataDir);
    outcome.servers = outcome.servers.map((server) => instrumentedHere(server, options.dataDir!));
  }
  return outcome;
}

/**
 * A wrapped entry whose mcpscope is gone cannot be started by its client: the path that is gone. One that
 * runs another install, still there, may not record here: which one.
 */
function withLauncherCheck(server: DiscoveredServer, mine: ThisInstall | null): DiscoveredServer {
  if (!server.wrapped || server.rawCommand === null) return server;
  const gone = goneLauncherPath(server.rawCommand, server.rawArgs);
  const other = mine && !gone ? otherInstall(server.rawCommand, server.rawArgs, mine, VERSION) : null;
  const { launcherGone: was, launcherOther: wasOther, ...definition } = server.definition;
  if (gone) return { ...server, definition: { ...definition, launcherGone: maskText(gone) } };
  if (other)
    return {
      ...server,
      definition: { ...definition, launcherOther: { ...other, path: maskText(other.path) } },
    };
  return was === undefined && wasOther === undefined ? server : { ...server, definition };
}

/**
 * The servers with each wrapped entry's mcpscope looked for again (an install can go, or come, while no
 * config changes: an npx cache cleaned); null when none changed.
 */
export function recheckLaunchers(
  servers: readonly DiscoveredServer[],
  dataDir?: string,
): DiscoveredServer[] | null {
  const mine = installHere(dataDir);
  const next = servers.map((server) => withLauncherCheck(server, mine));
  const key = (s: DiscoveredServer | undefined) =>
    `${s?.definition.launcherGone}|${JSON.stringify(s?.definition.launcherOther ?? null)}`;
  return next.some((s, i) => key(s) !== key(servers[i])) ? next : null;
}

/** A wrapper that records into another data dir sends this one nothing: here it is not instrumented. */
function instrumentedHere(server: DiscoveredServer, dataDir: string): DiscoveredServer {
  const into = server.wrapped?.recordsInto;
  if (!into || !server.wrapped || into === resolve(dataDir)) return server;
  return {
    ...server,
    definition: { ...server.definition, instrumented: false },
    wrapped: { ...server.wrapped, recordsElsewhere: true },
  };
}
