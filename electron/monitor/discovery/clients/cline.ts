// Paths: the VS Code extension (saoudrizwan.claude-dev) keeps cline_mcp_settings.json in its globalStorage
// folder (settings/, docs.cline.bot "MCP" and its McpHub source), in whichever VS Code build it is installed
// in (VS Code, Insiders, VSCodium, Cursor, Windsurf). The Cline CLI keeps it under ~/.cline/data/settings/
// (docs.cline.bot "Configuration"; CLINE_DIR moves ~/.cline). Format: {"mcpServers": …} with type
// stdio|sse|streamableHttp (legacy "transportType"); a URL without a type is SSE in its schema.
import { parseJsonc } from "../config-text.js";
import { remoteTransport } from "../entry.js";
import { inHome, joinPath, vscodeFamilyUserDirs } from "../platform-paths.js";
import { readServerMap, rootObject } from "../server-map.js";
import type { ClientReader, DiscoveryContext } from "../types.js";

const FILE = "cline_mcp_settings.json";
const EXTENSION_SETTINGS = ["globalStorage", "saoudrizwan.claude-dev", "settings", FILE];

function cliSettings(ctx: DiscoveryContext): string {
  const root = ctx.env.CLINE_DIR || inHome(ctx, ".cline");
  return joinPath(ctx, root, "data", "settings", FILE);
}

export const clineReader: ClientReader = {
  id: "cline",
  displayName: "Cline",
  configFiles(ctx) {
    const extension = vscodeFamilyUserDirs(ctx).map((dir) => joinPath(ctx, dir, ...EXTENSION_SETTINGS));
    return [...extension, cliSettings(ctx)].map((file) => ({ file, scope: "user" as const }));
  },
  parse(text, file, scope, _ctx, warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const source = { client: "cline" as const, scope, file, format: "jsonc" as const };
    return readServerMap(root.mcpServers, ["mcpServers"], source, warn, {
      remoteTransport: (entry, _key, url) => remoteTransport(entry.type ?? entry.transportType ?? "sse", url),
    });
  },
};
