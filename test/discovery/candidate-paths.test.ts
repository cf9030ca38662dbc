/** Where each client's files are looked for on macOS, Windows and Linux: a pure function of the context. */
import { describe, expect, it } from "vitest";
import { candidateDirs, candidateFiles } from "../../electron/monitor/discovery/discover.js";
import type { DiscoveryContext } from "../../electron/monitor/discovery/types.js";

function filesByClient(ctx: DiscoveryContext): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (client: string, path: string) => {
    out[client] = [...(out[client] ?? []), path];
  };
  for (const { reader, file } of candidateFiles(ctx)) add(reader.id, file);
  const sep = ctx.platform === "win32" ? "\\" : "/";
  for (const { reader, dir } of candidateDirs(ctx)) add(reader.id, `${dir}${sep}*`);
  return out;
}

describe("candidate config paths", () => {
  it("macOS", () => {
    const ctx: DiscoveryContext = {
      home: "/Users/me",
      platform: "darwin",
      env: {},
      projectDirs: ["/Users/me/app"],
    };
    const support = "/Users/me/Library/Application Support";
    expect(filesByClient(ctx)).toEqual({
      "claude-desktop": [`${support}/Claude/claude_desktop_config.json`],
      "claude-code": ["/Users/me/.claude.json", "/Users/me/app/.mcp.json"],
      cursor: ["/Users/me/.cursor/mcp.json", "/Users/me/app/.cursor/mcp.json"],
      vscode: [
        `${support}/Code/User/mcp.json`,
        `${support}/Code/User/settings.json`,
        `${support}/Code - Insiders/User/mcp.json`,
        `${support}/Code - Insiders/User/settings.json`,
        "/Users/me/app/.vscode/mcp.json",
        "/Users/me/app/.vscode/settings.json",
      ],
      windsurf: ["/Users/me/.codeium/windsurf/mcp_config.json"],
      cline: [
        `${support}/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json`,
        `${support}/Code - Insiders/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json`,
        `${support}/VSCodium/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json`,
        `${support}/Cursor/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json`,
        `${support}/Windsurf/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json`,
        "/Users/me/.cline/data/settings/cline_mcp_settings.json",
      ],
      zed: ["/Users/me/.config/zed/settings.json"],
      gemini: ["/Users/me/.gemini/settings.json", "/Users/me/app/.gemini/settings.json"],
      codex: ["/Users/me/.codex/config.toml", "/Users/me/app/.codex/config.toml"],
      continue: ["/Users/me/.continue/config.yaml", "/Users/me/app/.continue/mcpServers/*"],
      lmstudio: ["/Users/me/.lmstudio/mcp.json"],
      goose: ["/Users/me/.config/goose/config.yaml"],
    });
  });

  it("Windows", () => {
    const ctx: DiscoveryContext = {
      home: "C:\\Users\\me",
      platform: "win32",
      env: { APPDATA: "C:\\Users\\me\\AppData\\Roaming", LOCALAPPDATA: "C:\\Users\\me\\AppData\\Local" },
      projectDirs: ["D:\\src\\app"],
    };
    const roaming = "C:\\Users\\me\\AppData\\Roaming";
    const msix = "C:\\Users\\me\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming";
    expect(filesByClient(ctx)).toEqual({
      "claude-desktop": [
        `${roaming}\\Claude\\claude_desktop_config.json`,
        `${msix}\\Claude\\claude_desktop_config.json`,
      ],
      "claude-code": ["C:\\Users\\me\\.claude.json", "D:\\src\\app\\.mcp.json"],
      cursor: ["C:\\Users\\me\\.cursor\\mcp.json", "D:\\src\\app\\.cursor\\mcp.json"],
      vscode: [
        `${roaming}\\Code\\User\\mcp.json`,
        `${roaming}\\Code\\User\\settings.json`,
        `${roaming}\\Code - Insiders\\User\\mcp.json`,
        `${roaming}\\Code - Insiders\\User\\settings.json`,
        "D:\\src\\app\\.vscode\\mcp.json",
        "D:\\src\\app\\.vscode\\settings.json",
      ],
      windsurf: ["C:\\Users\\me\\.codeium\\windsurf\\mcp_config.json"],
      cline: [
        `${roaming}\\Code\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json`,
        `${roaming}\\Code - Insiders\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json`,
        `${roaming}\\VSCodium\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json`,
        `${roaming}\\Cursor\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json`,
        `${roaming}\\Windsurf\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json`,
        "C:\\Users\\me\\.cline\\data\\settings\\cline_mcp_settings.json",
      ],
      zed: [`${roaming}\\Zed\\settings.json`],
      gemini: ["C:\\Users\\me\\.gemini\\settings.json", "D:\\src\\app\\.gemini\\settings.json"],
      codex: ["C:\\Users\\me\\.codex\\config.toml", "D:\\src\\app\\.codex\\config.toml"],
      continue: ["C:\\Users\\me\\.continue\\config.yaml", "D:\\src\\app\\.continue\\mcpServers\\*"],
      lmstudio: ["C:\\Users\\me\\.lmstudio\\mcp.json"],
      goose: [`${roaming}\\Block\\goose\\config\\config.yaml`],
    });
  });

  it("Linux, with the environment variables that move configs", () => {
    const plain: DiscoveryContext = { home: "/home/me", platform: "linux", env: {}, projectDirs: [] };
    expect(filesByClient(plain)["claude-desktop"]).toEqual([
      "/home/me/.config/Claude/claude_desktop_config.json",
    ]);
    expect(filesByClient(plain).zed).toEqual(["/home/me/.config/zed/settings.json"]);
    const moved: DiscoveryContext = {
      ...plain,
      env: {
        XDG_CONFIG_HOME: "/xdg",
        CODEX_HOME: "/codex",
        CLAUDE_CONFIG_DIR: "/claude",
        CONTINUE_GLOBAL_DIR: "/continue",
      },
    };
    const files = filesByClient(moved);
    expect(files["claude-desktop"]).toEqual(["/xdg/Claude/claude_desktop_config.json"]);
    expect(files.vscode?.[0]).toBe("/xdg/Code/User/mcp.json");
    expect(files.zed).toEqual(["/xdg/zed/settings.json"]);
    expect(files.goose).toEqual(["/xdg/goose/config.yaml"]);
    expect(files.codex).toEqual(["/codex/config.toml"]);
    expect(files["claude-code"]).toEqual(["/claude/.claude.json"]);
    expect(files.continue).toEqual(["/continue/config.yaml"]);
  });
});
