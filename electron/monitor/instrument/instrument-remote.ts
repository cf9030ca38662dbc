/**
 * Instrumenting a remote entry: its URL is pointed at a proxy the engine runs on a local port kept for
 * that entry, and nothing else in the file changes. The entry's exact text before and after goes into
 * the same records as a wrapped stdio entry, so `uninstrument` puts it back byte for byte; the registry
 * of remote proxies says which upstream each port relays to.
 */
import { findNodeAtLocation, parseTree } from "jsonc-parser";
import { parseDocument } from "yaml";
import type { ConfigFormat, DiscoveredServer } from "../discovery/types.js";
import { MonitoringError } from "../errors.js";
import { urlKey } from "../proxy-http/proxied-entry.js";
import {
  freeLocalPort,
  proxiedUrl,
  readRemoteProxies,
  sameProxyEntry,
  updateRemoteProxies,
} from "../proxy-http/remote-proxies.js";
import { recordConfigChange } from "./change-record.js";
import { withConfigFile } from "./config-transaction.js";
import { deepEqual } from "./edit-check.js";
import { EDITORS, formatPath } from "./entry-edit.js";
import { getAt, isRecord, type KeyPath, setAt } from "./entry-shape.js";
import type { InstrumentOptions } from "./instrument.js";
import { plain } from "./locate-record.js";
import { type InstrumentRecord, onlyEntryOfFile, sameEntry, updateRecords } from "./records.js";
import { scanToml } from "./toml-scan.js";

export interface RemoteInstrumentResult {
  /** marked: proxied by an earlier mcpscope, its proxy now stores the entry's id (nothing in the file changed). */
  status: "instrumented" | "already-instrumented" | "marked";
  client: string;
  server: string;
  file: string;
  /** The URL before and after (the proxy's). */
  upstream: string;
  url: string;
  backup: string | null;
  /** The change is made but its backup is not listed in the manifest: one line to tell the user, or null. */
  warning: string | null;
}

export async function instrumentRemote(
  server: DiscoveredServer,
  opts: InstrumentOptions,
): Promise<RemoteInstrumentResult> {
  const { definition, location } = server;
  if (definition.notEditable) throw MonitoringError.input(definition.notEditable);
  if (!location || definition.client === "manual") {
    throw MonitoringError.input(
      `${definition.name} was added in mcpscope, not in a client's config; nothing to instrument`,
    );
  }
  const client = definition.client;
  const now = opts.now ?? (() => new Date());
  const editor = EDITORS[location.format];
  return withConfigFile(location.file, { ...opts, client }, async (tx) => {
    let document: unknown;
    try {
      document = editor.parse(tx.text);
    } catch (error) {
      throw MonitoringError.input(`${tx.file} does not parse (${(error as Error).message}); fix it first`);
    }
    const entry = getAt(document, location.path);
    const key = urlKey(entry);
    if (!isRecord(entry) || !key) {
      throw MonitoringError.input(`${definition.name} in ${tx.file} has no URL to point at a proxy`);
    }
    const current = entry[key] as string;
    const base = { client, server: definition.name, file: location.file, backup: null, warning: null };
    const known = (await readRemoteProxies(opts.dataDir)).find((p) => sameProxyEntry(p, location));
    if (known && current === proxiedUrl(known.upstream, known.port)) {
      // A proxy an earlier mcpscope set up stores no entry id with its sessions: the registry takes it,
      // and the engine's proxy restarts with it (remote-proxies.ts), the client's config untouched.
      const status = known.entry === undefined ? "marked" : "already-instrumented";
      if (status === "marked")
        await updateRemoteProxies(opts.dataDir, (entries) =>
          entries.map((p) => (sameProxyEntry(p, known) ? { ...p, entry: definition.id } : p)),
        );
      return { ...base, status, upstream: known.upstream, url: current };
    }
    // A proxied URL is no longer one the client substitutes in, and resolving it here would store the
    // value (often a secret) in mcpscope's proxy list.
    const variable = current.match(/\$\{[^}]*\}/)?.[0];
    if (variable) {
      throw MonitoringError.input(
        `${definition.name} (${client}) uses ${variable} in its URL; mcpscope cannot proxy it without storing the value — write the URL without it, or instrument it by hand; nothing was changed`,
      );
    }
    let upstream: URL;
    try {
      upstream = new URL(current);
    } catch {
      throw MonitoringError.input(`${definition.name}'s URL in ${tx.file} is not a URL; nothing was changed`);
    }
    if (upstream.protocol !== "http:" && upstream.protocol !== "https:") {
      throw MonitoringError.input(
        `${definition.name}'s URL is ${upstream.protocol}, not http(s); nothing was changed`,
      );
    }
    const port = known?.port ?? (await freeLocalPort());
    const url = proxiedUrl(current, port);

    const urlPath = [...location.path, key];
    const range = editor.locate(tx.text, location.path);
    const scalar = locateScalar(location.format, tx.text, urlPath);
    if (!range || !scalar || scalar.start < range.start || scalar.end > range.end) {
      throw MonitoringError.input(
        `could not find where ${formatPath(urlPath)} is written in ${tx.file}; nothing was changed (edit it by hand)`,
      );
    }
    // A double-quoted string means the same in JSON, TOML and YAML.
    const next = tx.text.slice(0, scalar.start) + JSON.stringify(url) + tx.text.slice(scalar.end);
    const expected = structuredClone(document);
    setAt(expected, urlPath, url);
    const after = next.slice(range.start, next.length - (tx.text.length - range.end));
    if (
      !confined(next, editor.parse, expected) ||
      editor.locate(next, location.path)?.start !== range.start
    ) {
      throw MonitoringError.input(
        `could not point ${definition.name} at the proxy in a way mcpscope can undo exactly; nothing was changed`,
      );
    }
    const record: InstrumentRecord = {
      client,
      server: definition.name,
      file: location.file,
      scope: definition.scope,
      format: location.format,
      path: location.path,
      original: tx.text.slice(range.start, range.end),
      wrapped: after,
      wrappedValue: plain(getAt(editor.parse(next), location.path)),
      instrumentedAt: now().toISOString(),
    };
    const proxy = {
      client,
      entry: definition.id,
      server: definition.name,
      file: location.file,
      path: location.path,
      upstream: current,
      port,
    };
    // Records and the proxy first: an entry pointed at a proxy nobody knows of could not be undone.
    let untouched = false;
    await updateRecords(opts.dataDir, (records) => {
      untouched = onlyEntryOfFile(records, record);
      return [...records.filter((r) => !sameEntry(r, record)), record];
    });
    await updateRemoteProxies(opts.dataDir, (entries) => [
      ...entries.filter((p) => !sameProxyEntry(p, proxy)),
      proxy,
    ]);
    try {
      const backup = await tx.commit(next, "instrument", untouched);
      recordConfigChange(opts.dataDir, {
        action: "instrument",
        client,
        server: definition.name,
        file: location.file,
        message: `${definition.name} (${client}) in ${location.file} pointed at mcpscope's proxy ${url}`,
        details: { backup: backup.backup, proxy: url },
      });
      return {
        ...base,
        status: "instrumented",
        upstream: current,
        url,
        backup: backup.backup,
        warning: backup.unlisted,
      };
    } catch (error) {
      await forgetRemoteProxy(opts.dataDir, proxy);
      await updateRecords(opts.dataDir, (records) =>
        records.filter((r) => !(sameEntry(r, record) && r.instrumentedAt === record.instrumentedAt)),
      );
      throw error;
    }
  });
}

/** After an entry is restored (or forgotten), its proxy is no longer needed. */
export async function forgetRemoteProxy(
  dataDir: string,
  entry: { file: string; path: KeyPath },
): Promise<void> {
  const known = await readRemoteProxies(dataDir).catch(() => []);
  if (!known.some((p) => sameProxyEntry(p, entry))) return;
  await updateRemoteProxies(dataDir, (entries) => entries.filter((p) => !sameProxyEntry(p, entry)));
}

function confined(next: string, parse: (text: string) => unknown, expected: unknown): boolean {
  try {
    return deepEqual(parse(next), expected);
  } catch {
    return false;
  }
}

/** Where the string value at `path` is written, quotes included. */
function locateScalar(
  format: ConfigFormat,
  text: string,
  path: KeyPath,
): { start: number; end: number } | null {
  if (format === "jsonc") {
    const body = text.startsWith("\uFEFF") ? ` ${text.slice(1)}` : text;
    const node = findNodeAtLocation(
      parseTree(body, [], { allowTrailingComma: true, disallowComments: false }) ?? {
        type: "null",
        offset: 0,
        length: 0,
      },
      path,
    );
    return node?.type === "string" ? { start: node.offset, end: node.offset + node.length } : null;
  }
  if (format === "yaml") {
    const node = parseDocument(text).getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? { start: node.range[0], end: node.range[1] } : null;
  }
  // TOML: the key's line inside the entry's own [table].
  const table = path.slice(0, -1).map(String);
  const key = String(path.at(-1));
  let inTable = false;
  for (const statement of scanToml(text)) {
    if (statement.kind !== "keyval") inTable = sameKey(statement.key, table);
    else if (inTable && sameKey(statement.key, [key])) {
      return { start: statement.valueStart, end: statement.valueEnd };
    }
  }
  return null;
}

function sameKey(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}
