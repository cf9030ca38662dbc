/**
 * Discovery against a fixture home laid out like a real Linux home: real-format configs for every
 * client (comments, trailing commas, secrets, remote entries, `${input:…}`, an instrumented entry) and
 * one malformed file. The exact list, secrets masked, the malformed file reported with its line.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import { CLIENT_IDS } from "../../shared/discovery.js";
import { EXPECTED_LINUX, FIXTURE_SECRETS } from "./expected-linux.js";
import { asExpected, copyHome, LINUX_HOME, linuxContext } from "./helpers.js";

describe("discovery in a fixture home", () => {
  it("lists every entry of every client, exactly, with secrets masked", async () => {
    const { servers } = await discoverServers(linuxContext());
    expect(servers.map((s) => asExpected(s, LINUX_HOME))).toEqual(EXPECTED_LINUX);
    expect(new Set(servers.map((s) => s.definition.client))).toEqual(new Set(CLIENT_IDS));
    const shown = JSON.stringify(servers.map((s) => s.definition));
    for (const secret of FIXTURE_SECRETS) expect(shown, secret).not.toContain(secret);
  });

  it("reports the malformed file with its path and line, and still lists the rest", async () => {
    const { warnings } = await discoverServers(linuxContext());
    expect(warnings).toEqual([
      {
        file: join(LINUX_HOME, "projects/app/.cursor/mcp.json"),
        message: "line 6: unexpected ',' (expected a property name)",
      },
    ]);
  });

  it("keeps raw values for launching, formats and key paths for editing, and mcpscope's wrapping", async () => {
    const { servers } = await discoverServers(linuxContext());
    const find = (client: string, name: string) =>
      servers.find((s) => s.definition.client === client && s.definition.name === name);
    expect(find("claude-desktop", "github")?.rawEnv).toEqual({
      GITHUB_PERSONAL_ACCESS_TOKEN: "ghp_FixtureFixtureFixtureFixture0123456789",
    });
    expect(find("lmstudio", "hf-mcp-server")?.rawHeaders.Authorization).toBe(
      "Bearer hf_FixtureFixtureFixtureFixture0123",
    );
    expect(find("cursor", "files")?.wrapped).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
      byHand: false,
      client: "cursor",
      entry: null,
      recordsInto: null,
    });
    expect(find("cursor", "openai-tools")?.wrapped).toBeNull();
    expect(find("codex", "figma")?.location?.format).toBe("toml");
    expect(find("goose", "github")?.location?.format).toBe("yaml");
    expect(find("zed", "sqlite")?.location?.format).toBe("jsonc");
    expect(find("cline", "weather")?.definition.disabled).toBe(true);
    expect(find("codex", "parked")?.definition.disabled).toBe(true);
    expect(find("goose", "remote-tools")?.definition.disabled).toBe(true);
    expect(find("cline", "brave-search")?.definition.disabled).toBe(false);
  });

  it("gives stable, distinct ids", async () => {
    const first = (await discoverServers(linuxContext())).servers.map((s) => s.definition.id);
    const second = (await discoverServers(linuxContext())).servers.map((s) => s.definition.id);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    expect(first[0]).toMatch(/^claude-desktop-[0-9a-f]{12}$/);
  });

  it("reads only the clients asked for", async () => {
    const { servers, warnings } = await discoverServers(linuxContext(), { clients: ["codex", "goose"] });
    expect(new Set(servers.map((s) => s.definition.client))).toEqual(new Set(["codex", "goose"]));
    expect(warnings).toEqual([]);
  });

  it("is silent about missing files and lists nothing in an empty home", async () => {
    const { home, cleanup } = await copyHome();
    try {
      await rm(home, { recursive: true });
      await mkdir(home);
      expect(await discoverServers(linuxContext(home))).toEqual({ servers: [], warnings: [] });
    } finally {
      await cleanup();
    }
  });
});

describe("unreadable and malformed files", () => {
  it("gives one warning per bad file, naming it and the problem, and lists the others", async () => {
    const { home, cleanup } = await copyHome();
    try {
      await writeFile(join(home, ".codex/config.toml"), '[mcp_servers.x]\ncommand = "npx"\nargs = [\n');
      await writeFile(join(home, ".config/goose/config.yaml"), "extensions:\n  github:\n    cmd: [npx\n");
      await writeFile(join(home, ".gemini/settings.json"), "[1, 2]");
      await writeFile(
        join(home, ".config/zed/settings.json"),
        '{ "context_servers": { "a": { "command": "x" } ',
      );
      await rm(join(home, ".lmstudio/mcp.json"));
      await mkdir(join(home, ".lmstudio/mcp.json"));
      await writeFile(
        join(home, ".cursor/mcp.json"),
        '{"mcpServers": {"nothing": {"args": []}, "list": [1]}}',
      );
      const { servers, warnings } = await discoverServers(linuxContext(home));
      const byFile = Object.fromEntries(warnings.map((w) => [w.file.slice(home.length + 1), w.message]));
      expect(byFile).toEqual({
        ".cursor/mcp.json": expect.stringMatching(/^mcpServers\.list: expected an object; skipped$/),
        ".config/zed/settings.json": "line 1: unexpected end of file (expected '}')",
        ".gemini/settings.json": "expected an object at the top level",
        ".codex/config.toml": expect.stringMatching(/^line 4: /),
        "projects/app/.cursor/mcp.json": "line 6: unexpected ',' (expected a property name)",
        ".lmstudio/mcp.json": "is a folder, expected a file",
        ".config/goose/config.yaml": expect.stringMatching(/^line \d+: /),
      });
      const cursorWarnings = warnings.filter(
        (w) => w.file.endsWith(".cursor/mcp.json") && w.file.startsWith(join(home, ".cursor")),
      );
      expect(cursorWarnings.map((w) => w.message)).toEqual([
        'mcpServers.nothing: no "command" or "url"; skipped',
        "mcpServers.list: expected an object; skipped",
      ]);
      expect(servers.some((s) => s.definition.client === "claude-desktop")).toBe(true);
      expect(servers.some((s) => s.definition.client === "codex" && s.definition.scope === "project")).toBe(
        true,
      );
    } finally {
      await cleanup();
    }
  });
});
