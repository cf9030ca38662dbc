/**
 * The proxies the engine runs for instrumented remote entries. `<dataDir>/remote-proxies.json` names each
 * entry's upstream and its local port, kept stable so that the rewritten URL in the client's config keeps
 * working across restarts; the engine starts a proxy for each at start-up and follows the file as
 * `mcpscope instrument` / `uninstrument` change it.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { z } from "zod";
import { MonitoringError } from "../errors.js";
import { writeFileAtomic } from "../instrument/atomic-file.js";
import { acquireLock } from "../instrument/lock-file.js";
import { DEFAULT_CAPTURE_LIMIT } from "../pipeline/capture.js";
import { MAX_MESSAGE_BYTES } from "../protocol/line-splitter.js";
import { ensurePrivateDir } from "../store/private-files.js";
import type { RunningProxy } from "./http-proxy.js";

const RemoteProxySchema = z.object({
  client: z.string(),
  /** The entry's id (discovery/entry.ts), stored with the proxy's sessions; absent in older registries. */
  entry: z.string().optional(),
  server: z.string(),
  /** The config file and the entry's place in it, as the instrument records name them. */
  file: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  upstream: z.string(),
  port: z.number().int().min(1).max(65535),
});
export type RemoteProxy = z.infer<typeof RemoteProxySchema>;

const FileSchema = z.object({ version: z.literal(1), entries: z.array(RemoteProxySchema) });

export const PROXY_HOST = "127.0.0.1";

export function remoteProxiesPath(dataDir: string): string {
  return join(dataDir, "remote-proxies.json");
}

export async function readRemoteProxies(dataDir: string): Promise<RemoteProxy[]> {
  const text = await readRegistryText(dataDir);
  return text === null ? [] : parseRemoteProxies(text, remoteProxiesPath(dataDir));
}

/** The registry's text; null when there is none yet. */
async function readRegistryText(dataDir: string): Promise<string | null> {
  return readFile(remoteProxiesPath(dataDir), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
}

/** A registry's text, read from `path`: its entries, or a storage error naming the file. */
export function parseRemoteProxies(text: string, path: string): RemoteProxy[] {
  let parsed: ReturnType<typeof FileSchema.safeParse>;
  try {
    parsed = FileSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = FileSchema.safeParse(null);
  }
  if (!parsed.success) throw MonitoringError.storage(`${path} is damaged; repair or remove it`);
  return parsed.data.entries;
}

export async function updateRemoteProxies(
  dataDir: string,
  change: (entries: RemoteProxy[]) => RemoteProxy[],
): Promise<void> {
  ensurePrivateDir(dataDir);
  const path = remoteProxiesPath(dataDir);
  const release = await acquireLock(path);
  try {
    const entries = change(await readRemoteProxies(dataDir));
    await writeFileAtomic(path, Buffer.from(`${JSON.stringify({ version: 1, entries }, null, 2)}\n`), {
      mode: 0o600,
    });
  } finally {
    await release();
  }
}

export function sameProxyEntry(a: { file: string; path: RemoteProxy["path"] }, b: typeof a): boolean {
  return a.file === b.file && JSON.stringify(a.path) === JSON.stringify(b.path);
}

/** A free local port now; it is then kept for the entry. */
export async function freeLocalPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, PROXY_HOST, resolve);
  });
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The URL a client uses instead of `upstream`: the proxy's port, the upstream's path and query. */
export function proxiedUrl(upstream: string, port: number): string {
  const url = new URL(upstream);
  return `http://${PROXY_HOST}:${port}${url.pathname}${url.search}`;
}

export type RemoteProxyState =
  | { entry: RemoteProxy; state: "running"; url: string }
  | { entry: RemoteProxy; state: "failed"; error: string };

export interface RemoteProxyRunnerOptions {
  dataDir: string;
  /** Where each proxy's observer worker is (the bundle's http-observer-worker.mjs). */
  workerUrl: URL;
  report: (line: string) => void;
  /** How often the registry file is checked for changes. */
  checkMs?: number;
}

/** Runs one proxy per registry entry, following the file; each proxy records into the data dir. */
export class RemoteProxyRunner {
  private readonly running = new Map<
    string,
    { entry: RemoteProxy; proxy: RunningProxy | null; error?: string }
  >();
  private timer: NodeJS.Timeout | null = null;
  /** The registry text last followed (undefined: never read). */
  private lastText: string | null | undefined;
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly options: RemoteProxyRunnerOptions) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.checkMs ?? 2000);
    this.timer.unref();
  }

  /** Follows the registry now (after this engine changed it), one sync at a time. */
  refresh(): Promise<void> {
    this.syncing = this.syncing.then(() => this.sync());
    return this.syncing;
  }

  states(): RemoteProxyState[] {
    return [...this.running.values()].map(({ entry, proxy, error }) =>
      proxy
        ? { entry, state: "running", url: proxiedUrl(entry.upstream, entry.port) }
        : { entry, state: "failed", error: error ?? "not started" },
    );
  }

  /**
   * Re-reads the registry (if it changed) and starts and stops proxies to match it. Changed means other
   * text, not another mtime: two writes within the file system's mtime granularity look the same.
   */
  private async sync(): Promise<void> {
    const text = await readRegistryText(this.options.dataDir).catch((error: Error) => error);
    // An unreadable registry is reported once, not at every check.
    const seen = text instanceof Error ? `\u0000${text.message}` : text;
    if (seen === this.lastText) return;
    this.lastText = seen;
    let entries: RemoteProxy[];
    try {
      if (text instanceof Error) throw text;
      entries = text === null ? [] : parseRemoteProxies(text, remoteProxiesPath(this.options.dataDir));
    } catch (error) {
      this.options.report(`mcpscope: remote proxies: ${(error as Error).message}`);
      return;
    }
    const wanted = new Map(entries.map((e) => [keyOf(e), e]));
    for (const [key, current] of this.running) {
      const next = wanted.get(key);
      const same =
        next?.port === current.entry.port &&
        next.upstream === current.entry.upstream &&
        next.entry === current.entry.entry;
      if (same) continue;
      this.running.delete(key);
      await current.proxy?.close();
    }
    for (const [key, entry] of wanted) {
      if (this.running.has(key)) continue;
      this.running.set(key, await this.launch(entry));
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => r.proxy?.close()));
  }

  private async launch(entry: RemoteProxy) {
    try {
      // Loaded with the first proxy: reading the registry (discovery, `mcpscope instrumented`) needs no HTTP.
      const { startHttpProxy } = await import("./http-proxy.js");
      const proxy = await startHttpProxy({
        upstream: new URL(entry.upstream),
        host: PROXY_HOST,
        port: entry.port,
        name: entry.server,
        dataDir: this.options.dataDir,
        timeoutMs: 60_000,
        captureLimit: DEFAULT_CAPTURE_LIMIT,
        maxLineBytes: MAX_MESSAGE_BYTES,
        workerUrl: this.options.workerUrl,
        report: this.options.report,
        identity: { mcpscope: "remote-proxy", dataDir: this.options.dataDir },
        client: entry.client,
        entry: entry.entry,
      });
      return { entry, proxy };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message =
        code === "EADDRINUSE"
          ? `port ${entry.port} is in use by another program; ${entry.server} (${entry.client}) is not proxied`
          : (error as Error).message;
      this.options.report(`mcpscope: remote proxy for ${entry.server}: ${message}`);
      return { entry, proxy: null, error: message };
    }
  }
}

function keyOf(entry: { file: string; path: RemoteProxy["path"] }): string {
  return `${entry.file}\n${JSON.stringify(entry.path)}`;
}
