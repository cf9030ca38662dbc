/**
 * Config files that are not where or as discovery left them: a client that rewrites its config between
 * discovery and the edit gets "changed, try again" (not a wrong reason), and a config that is a symlink to
 * nothing is reported, not silently skipped.
 */
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultDiscoveryContext } from "../../electron/monitor/discovery/context.js";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import { instrument } from "../../electron/monitor/instrument/instrument.js";
import { tempDir } from "../helpers/mcp.js";
import { NODE_LAUNCHER } from "./helpers.js";

let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir("mcpscope-rewritten-");
});
afterAll(() => tmp.cleanup());

const CONFIG = `{
  "mcpServers": {
    "files": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me"] },
    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] }
  }
}
`;

async function cursorHome(name: string): Promise<{ home: string; config: string }> {
  const home = join(tmp.path, name);
  await mkdir(join(home, ".cursor"), { recursive: true });
  const config = join(home, ".cursor", "mcp.json");
  await writeFile(config, CONFIG);
  return { home, config };
}

async function discovered(home: string, name: string) {
  const { servers } = await discoverServers(await defaultDiscoveryContext({ home }), { clients: ["cursor"] });
  const server = servers.find((s) => s.definition.name === name);
  if (!server) throw new Error(`${name} not discovered`);
  return server;
}

describe("a client rewriting its config while mcpscope edits it", () => {
  const rewrites: Record<string, string> = {
    "half-written (truncated)": "",
    "the entry gone":
      '{ "mcpServers": { "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] } } }\n',
    "another server in its place": '{ "mcpServers": { "files": { "url": "https://example.com/mcp" } } }\n',
  };
  for (const [how, text] of Object.entries(rewrites)) {
    it(`${how}: "changed since mcpscope read it — try again", and the file is left as the client wrote it`, async () => {
      const { home, config } = await cursorHome(how.replace(/\W+/g, "-"));
      const server = await discovered(home, "files");
      await writeFile(config, text); // the client, between discovery and the edit
      await expect(
        instrument(server, { dataDir: join(home, "data"), launcher: NODE_LAUNCHER }),
      ).rejects.toThrow(
        `${config} changed since mcpscope read it (cursor may have rewritten it just now); nothing was changed — try again`,
      );
      expect(await readFile(config, "utf8")).toBe(text);
    });
  }

  it("a change elsewhere in the file does not stop the edit", async () => {
    const { home, config } = await cursorHome("elsewhere");
    const server = await discovered(home, "files");
    await writeFile(config, CONFIG.replace("server-memory", "server-memory@1.2.0"));
    const result = await instrument(server, { dataDir: join(home, "data"), launcher: NODE_LAUNCHER });
    expect(result.status).toBe("instrumented");
    expect(await readFile(config, "utf8")).toContain("server-memory@1.2.0");
  });
});

describe("a config that is a symlink to a missing file", () => {
  it("is skipped with a warning naming where it points", async () => {
    const home = join(tmp.path, "dangling");
    await mkdir(join(home, ".cursor"), { recursive: true });
    const target = join(tmp.path, "dotfiles", "cursor-mcp.json");
    await symlink(target, join(home, ".cursor", "mcp.json"));
    const { servers, warnings } = await discoverServers(await defaultDiscoveryContext({ home }), {
      clients: ["cursor"],
    });
    expect(servers).toEqual([]);
    expect(warnings).toEqual([
      {
        file: join(home, ".cursor", "mcp.json"),
        message: `is a symbolic link to ${target}, which does not exist; skipped`,
      },
    ]);
  });
});
