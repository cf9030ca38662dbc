// Path: Cline keeps cline_mcp_settings.json in its VS Code globalStorage folder
// (saoudrizwan.claude-dev/settings/, docs.cline.bot "MCP" and its McpHub source). Format: {"mcpServers": …}
// with type stdio|sse|streamableHttp (legacy "transportType"); a URL without a type is SSE in its schema.
import { parseJsonc } from "../config-text.js";
import { remoteTransport } from "../entry.js";
import { joinPath, vscodeUserDirs } from "../platform-paths.js";
import { readServerMap, rootObject } from "../server-map.js";
import type { ClientReader } from "../types.js";

const SETTINGS = ["globalStorage", "saoudrizwan.claude-dev", "settings", "cline_mcp_settings.json"];

export const clineReader: ClientReader = {
  id: "cline",
  displayName: "Cline",
  configFiles(ctx) {
    return vscodeUserDirs(ctx).map((dir) => ({
      file: joinPath(ctx, dir, ...SETTINGS),
      scope: "user" as const,
    }));
  },
  parse(text, file, scope, _ctx, warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const source = { client: "cline" as const, scope, file, format: "jsonc" as const };
    return readServerMap(root.mcpServers, ["mcpServers"], source, warn, {
      remoteTransport: (entry, _key, url) => remoteTransport(entry.type ?? entry.transportType ?? "sse", url),
    });
  },
};
