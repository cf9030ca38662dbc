// Paths: modelcontextprotocol.io "connect local servers" and Anthropic's help (macOS, %APPDATA%), the
// MSIX package folder (Microsoft Store install), and ~/.config/Claude used by the Linux community build
// (aaddrick/claude-desktop-debian, issue #400). Format: {"mcpServers": {name: {command, args, env}}}.
import { parseJsonc } from "../config-text.js";
import { electronAppData, joinPath, localAppData } from "../platform-paths.js";
import { readServerMap, rootObject } from "../server-map.js";
import type { ClientReader } from "../types.js";

const FILE = "claude_desktop_config.json";
/** The Microsoft Store package's redirected %APPDATA%. */
const MSIX_PACKAGE = "Claude_pzs8sxrjxfjjc";

export const claudeDesktopReader: ClientReader = {
  id: "claude-desktop",
  displayName: "Claude Desktop",
  configFiles(ctx) {
    const files = [{ file: joinPath(ctx, electronAppData(ctx), "Claude", FILE), scope: "user" as const }];
    if (ctx.platform === "win32") {
      const roaming = joinPath(ctx, localAppData(ctx), "Packages", MSIX_PACKAGE, "LocalCache", "Roaming");
      files.push({ file: joinPath(ctx, roaming, "Claude", FILE), scope: "user" });
    }
    return files;
  },
  parse(text, file, scope, _ctx, warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const source = { client: "claude-desktop" as const, scope, file, format: "jsonc" as const };
    return readServerMap(root.mcpServers, ["mcpServers"], source, warn);
  },
};
