// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the literal ${…} variables clients write
/**
 * Config locations beyond each client's main file, in a real temp home: the Cline CLI, Cline installed in
 * other VS Code builds, VS Code profiles and Gemini CLI extensions. Each is discovered; the editable ones
 * are instrumented and restored byte for byte; an extension's manifest is refused, untouched.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultDiscoveryContext } from "../../electron/monitor/discovery/context.js";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import type { DiscoveredServer } from "../../electron/monitor/discovery/types.js";
import { instrument, uninstrument } from "../../electron/monitor/instrument/instrument.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { NODE_LAUNCHER } from "../instrument/helpers.js";

const CLINE_FILE = "globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json";

/** Each location's file (relative to the home) and its text, written as a user of that setup has it. */
const FILES: Record<string, string> = {
  ".cline/data/settings/cline_mcp_settings.json": `{\n  "mcpServers": {\n    "cli-mem": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "disabled": false, "autoApprove": [] }\n  }\n}\n`,
  [`.config/Cursor/User/${CLINE_FILE}`]: `{\r\n\t"mcpServers": {\r\n\t\t"cursor-cline": {"command": "uvx", "args": ["mcp-server-time"]}\r\n\t}\r\n}\r\n`,
  [`.config/Windsurf/User/${CLINE_FILE}`]: `{"mcpServers":{"windsurf-cline":{"command":"uvx","args":["mcp-server-git"]}}}`,
  [`.config/VSCodium/User/${CLINE_FILE}`]: `{\n  // added by hand\n  "mcpServers": {\n    "codium-cline": { "command": "node", "args": ["server.js"], },\n  },\n}\n`,
  [`.config/Code - Insiders/User/${CLINE_FILE}`]: `{"mcpServers": {"insiders-cline": {"command": "deno", "args": ["run", "srv.ts"]}}}\n`,
  ".config/Code/User/profiles/5e1f0a/mcp.json": `{\n  "servers": {\n    "profile-fetch": { "type": "stdio", "command": "uvx", "args": ["mcp-server-fetch"] }\n  },\n  "inputs": []\n}\n`,
  ".config/Code/User/profiles/5e1f0a/settings.json": `{\n  "editor.fontSize": 14,\n  "mcp": { "servers": { "profile-old": { "command": "uvx", "args": ["mcp-server-time"] } } }\n}\n`,
  ".gemini/extensions/db-tools/gemini-extension.json": `{\n  "name": "db-tools",\n  "version": "1.0.0",\n  "mcpServers": {\n    "ext-db": { "command": "node", "args": ["\${extensionPath}\${/}server.js"] }\n  }\n}\n`,
};

let scratch: { path: string; cleanup: () => Promise<void> };
let home: string;
let servers: DiscoveredServer[];

beforeAll(async () => {
  scratch = await tempDir("mcpscope-locations-");
  home = join(scratch.path, "home");
  for (const [file, text] of Object.entries(FILES)) {
    await mkdir(dirname(join(home, file)), { recursive: true });
    await writeFile(join(home, file), text);
  }
  ({ servers } = await discoverServers(await defaultDiscoveryContext({ home, cwd: scratch.path })));
});
afterAll(() => scratch.cleanup());

const named = (name: string) => {
  const found = servers.find((s) => s.definition.name === name);
  if (!found) throw new Error(`${name} not discovered`);
  return found;
};

describe("more config locations", () => {
  it("discovers each location under its client, with the file it came from", () => {
    const seen = servers.map((s) => [s.definition.name, s.definition.client, s.definition.file]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ["cli-mem", "cline", join(home, ".cline/data/settings/cline_mcp_settings.json")],
        ["cursor-cline", "cline", join(home, `.config/Cursor/User/${CLINE_FILE}`)],
        ["windsurf-cline", "cline", join(home, `.config/Windsurf/User/${CLINE_FILE}`)],
        ["codium-cline", "cline", join(home, `.config/VSCodium/User/${CLINE_FILE}`)],
        ["insiders-cline", "cline", join(home, `.config/Code - Insiders/User/${CLINE_FILE}`)],
        ["profile-fetch", "vscode", join(home, ".config/Code/User/profiles/5e1f0a/mcp.json")],
        ["profile-old", "vscode", join(home, ".config/Code/User/profiles/5e1f0a/settings.json")],
        ["ext-db", "gemini", join(home, ".gemini/extensions/db-tools/gemini-extension.json")],
      ]),
    );
    expect(servers).toHaveLength(Object.keys(FILES).length);
    expect(named("ext-db").definition.notEditable).toMatch(
      /Gemini CLI extension .*db-tools.*does not edit it/,
    );
    expect(named("profile-fetch").definition.notEditable).toBeUndefined();
  });

  it("CLINE_DIR moves the Cline CLI's folder", async () => {
    const moved = join(scratch.path, "cline-elsewhere");
    await mkdir(join(moved, "data/settings"), { recursive: true });
    await writeFile(
      join(moved, "data/settings/cline_mcp_settings.json"),
      '{"mcpServers":{"moved":{"command":"x"}}}',
    );
    const ctx = { home: join(scratch.path, "empty-home"), platform: "linux" as const, projectDirs: [] };
    const found = await discoverServers({ ...ctx, env: { CLINE_DIR: moved } }, { clients: ["cline"] });
    expect(found.servers.map((s) => s.definition.name)).toEqual(["moved"]);
    expect((await discoverServers({ ...ctx, env: {} }, { clients: ["cline"] })).servers).toEqual([]);
  });

  it("instruments each editable location where the client reads it, and restores it byte for byte", async () => {
    const dataDir = join(scratch.path, "data");
    const editable = servers.filter((s) => !s.definition.notEditable);
    expect(editable).toHaveLength(Object.keys(FILES).length - 1);
    for (const server of editable) {
      const file = server.definition.file as string;
      const before = await readFile(file, "utf8");
      expect((await instrument(server, { dataDir, launcher: NODE_LAUNCHER })).status).toBe("instrumented");
      const wrapped = await readFile(file, "utf8");
      expect(wrapped).toContain("mcpscope.js");
      const again = (await discoverServers(await defaultDiscoveryContext({ home, cwd: scratch.path })))
        .servers;
      expect(again.find((s) => s.definition.id === server.definition.id)?.definition.instrumented).toBe(true);
      expect((await uninstrument(server, { dataDir })).status).toBe("restored");
      expect(await readFile(file, "utf8")).toBe(before);
    }
  });

  it("refuses to edit a Gemini CLI extension's manifest, in one line, and leaves it untouched", async () => {
    const file = join(home, ".gemini/extensions/db-tools/gemini-extension.json");
    const dataDir = join(scratch.path, "data-ext");
    await expect(instrument(named("ext-db"), { dataDir, launcher: NODE_LAUNCHER })).rejects.toThrow(
      /^ext-db comes from the Gemini CLI extension .* add an entry named ext-db to .*settings\.json/,
    );
    const cli = await cliInProcess([
      "instrument",
      "--client",
      "gemini",
      "--server",
      "ext-db",
      "--home",
      home,
      "--data-dir",
      dataDir,
    ]);
    expect(cli.status).toBe(1);
    const listed = await cliInProcess([
      "discover",
      "--client",
      "gemini",
      "--home",
      home,
      "--data-dir",
      dataDir,
    ]);
    expect(listed.stdout).toMatch(/ext-db +gemini +user +stdio +node .*server\.js +no \(not editable\)/);
    expect(cli.stderr.trim().split("\n")).toHaveLength(1);
    expect(cli.stderr).toMatch(/does not edit it; nothing was changed/);
    expect(await readFile(file, "utf8")).toBe(FILES[".gemini/extensions/db-tools/gemini-extension.json"]);
  });
});
