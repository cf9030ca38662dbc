// Paths and format: google-gemini/gemini-cli docs/tools/mcp-server.md and docs/cli/configuration.md —
// ~/.gemini/settings.json and <project>/.gemini/settings.json, "mcpServers" with command (stdio),
// "httpUrl" (streamable HTTP) or "url" (SSE, unless "type": "http").
import { parseJsonc } from "../config-text.js";
import { inHome, joinPath } from "../platform-paths.js";
import { readServerMap, rootObject } from "../server-map.js";
import type { ClientReader } from "../types.js";

export const geminiReader: ClientReader = {
  id: "gemini",
  displayName: "Gemini CLI",
  configFiles(ctx) {
    return [
      { file: inHome(ctx, ".gemini", "settings.json"), scope: "user" },
      ...ctx.projectDirs.map((dir) => ({
        file: joinPath(ctx, dir, ".gemini", "settings.json"),
        scope: "project" as const,
      })),
    ];
  },
  parse(text, file, scope, _ctx, warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const source = { client: "gemini" as const, scope, file, format: "jsonc" as const };
    return readServerMap(root.mcpServers, ["mcpServers"], source, warn, {
      urlKeys: ["httpUrl", "url"],
      remoteTransport: (entry, key) => (key === "httpUrl" || entry.type === "http" ? "http" : "sse"),
    });
  },
};
