/** Servers added by hand: kept in <dataDir>/servers.json, listed by discovery as client and scope "manual". */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import {
  addManualServer,
  manualServersPath,
  removeManualServer,
} from "../../electron/monitor/discovery/manual-servers.js";
import type { DiscoveryContext } from "../../electron/monitor/discovery/types.js";

let dir = "";
let ctx: DiscoveryContext;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-manual-"));
  ctx = { home: join(dir, "empty-home"), platform: "linux", env: {}, projectDirs: [] };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const list = async () => (await discoverServers(ctx, { dataDir: dir })).servers;

describe("hand-added servers", () => {
  it("adds stdio and remote servers, lists them masked with raw values kept, and removes them", async () => {
    const added = await addManualServer(dir, {
      name: "local-tools",
      command: "node",
      args: ["tools.js", "--token", "abc-secret-987"],
      env: { API_TOKEN: "abc-secret-987", NODE_ENV: "production" },
    });
    expect(added.definition).toMatchObject({
      client: "manual",
      scope: "manual",
      file: null,
      transport: "stdio",
    });
    await addManualServer(dir, {
      name: "remote",
      url: "https://example.com/mcp/sse",
      headers: { Authorization: "Bearer xyz-secret-654" },
    });
    await addManualServer(dir, { name: "forced", url: "https://example.com/mcp", transport: "sse" });

    const servers = await list();
    expect(servers.map((s) => [s.definition.name, s.definition.transport])).toEqual([
      ["local-tools", "stdio"],
      ["remote", "sse"],
      ["forced", "sse"],
    ]);
    const [local, remote] = servers;
    expect(local?.definition.args).toEqual(["tools.js", "--token", "[masked:named-secret]"]);
    expect(local?.definition.env).toEqual({ API_TOKEN: "[masked:named-secret]", NODE_ENV: "production" });
    expect(local?.rawEnv.API_TOKEN).toBe("abc-secret-987");
    expect(local?.location).toBeNull();
    expect(remote?.definition.headers).toEqual({ Authorization: "[masked:named-secret…-654]" });
    expect(remote?.rawHeaders.Authorization).toBe("Bearer xyz-secret-654");
    expect(local?.definition.id).toBe(added.definition.id);

    expect((await stat(manualServersPath(dir))).mode & 0o777).toBe(0o600);
    expect(await removeManualServer(dir, "remote")).toBe(true);
    expect(await removeManualServer(dir, local?.definition.id ?? "")).toBe(true);
    expect(await removeManualServer(dir, "remote")).toBe(false);
    expect((await list()).map((s) => s.definition.name)).toEqual(["forced"]);
  });

  it("refuses a duplicate name and an entry that is neither a command nor a URL", async () => {
    await addManualServer(dir, { name: "one", command: "node" });
    await expect(addManualServer(dir, { name: "one", command: "python" })).rejects.toThrow(
      'a server named "one" was already added; remove it first',
    );
    await expect(
      addManualServer(dir, { name: "both", command: "x", url: "https://a.example" }),
    ).rejects.toThrow(/give either a command or a url/);
    await expect(addManualServer(dir, { name: "none" })).rejects.toThrow(/give either a command or a url/);
    expect((await list()).map((s) => s.definition.name)).toEqual(["one"]);
  });

  it("writes atomically, leaving no temp files, and reports a damaged file as a warning", async () => {
    await addManualServer(dir, { name: "one", command: "node" });
    const text = await readFile(manualServersPath(dir), "utf8");
    expect(JSON.parse(text)).toMatchObject({ version: 1, servers: [{ name: "one", command: "node" }] });
    const { readdir } = await import("node:fs/promises");
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    await writeFile(manualServersPath(dir), '{\n  "version": 1,\n  "servers": [,]\n}\n');
    const outcome = await discoverServers(ctx, { dataDir: dir });
    expect(outcome.servers).toEqual([]);
    expect(outcome.warnings).toEqual([
      { file: manualServersPath(dir), message: "line 3: unexpected ',' (expected a value)" },
    ]);
  });
});
