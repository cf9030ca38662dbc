/**
 * The engine follows its registry of remote proxies by content: a rewrite that keeps the file's mtime (two
 * writes within a coarse file system's mtime granularity) still moves the proxy to the entry's new port.
 */
import { stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askProxyIdentity } from "../../electron/monitor/proxy-http/proxy-identity.js";
import {
  freeLocalPort,
  type RemoteProxy,
  RemoteProxyRunner,
  remoteProxiesPath,
  updateRemoteProxies,
} from "../../electron/monitor/proxy-http/remote-proxies.js";
import { ROOT, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let runner: RemoteProxyRunner | undefined;
const reports: string[] = [];

beforeAll(async () => {
  dir = await tempDir("mcpscope-registry-follow-");
});
afterAll(async () => {
  await runner?.close();
  await dir.cleanup();
});

describe("following the remote proxies' registry", () => {
  it("picks up a rewrite that leaves the file's mtime as it was", async () => {
    const entry = (port: number): RemoteProxy => ({
      client: "cursor",
      server: "remote",
      file: join(dir.path, "mcp.json"),
      path: ["mcpServers", "remote"],
      upstream: "http://127.0.0.1:9/mcp",
      port,
    });
    // One whole-second stamp for both writes, as a file system with coarse mtimes would give them.
    const path = remoteProxiesPath(dir.path);
    const stamp = new Date("2026-01-01T00:00:00Z");
    const first = await freeLocalPort();
    await updateRemoteProxies(dir.path, () => [entry(first)]);
    await utimes(path, stamp, stamp);
    runner = new RemoteProxyRunner({
      dataDir: dir.path,
      workerUrl: pathToFileURL(join(ROOT, "dist", "http-observer-worker.mjs")),
      report: (line) => reports.push(line),
      checkMs: 600_000,
    });
    await runner.start();
    expect(runner.states().map((s) => [s.state, s.entry.port])).toEqual([["running", first]]);

    const second = await freeLocalPort();
    await updateRemoteProxies(dir.path, () => [entry(second)]);
    await utimes(path, stamp, stamp);
    expect((await stat(path)).mtimeMs).toBe(stamp.getTime());
    await runner.refresh();

    expect(runner.states().map((s) => [s.state, s.entry.port])).toEqual([["running", second]]);
    expect(await askProxyIdentity(second)).toEqual({ mcpscope: "remote-proxy", dataDir: dir.path });
    expect(await askProxyIdentity(first)).toBeNull();
    expect(reports).toEqual([]);
  });
});
