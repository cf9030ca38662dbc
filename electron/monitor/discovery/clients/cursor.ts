// Paths: cursor.com/docs/mcp — global ~/.cursor/mcp.json (%USERPROFILE%\.cursor\mcp.json on Windows) and
// <project>/.cursor/mcp.json. Format: {"mcpServers": {name: {command, args, env} | {url, headers}}}.
import { parseJsonc } from "../config-text.js";
import { inHome, joinPath } from "../platform-paths.js";
import { readServerMap, rootObject } from "../server-map.js";
import type { ClientReader } from "../types.js";

export const cursorReader: ClientReader = {
  id: "cursor",
  displayName: "Cursor",
  configFiles(ctx) {
    return [
      { file: inHome(ctx, ".cursor", "mcp.json"), scope: "user" },
      ...ctx.projectDirs.map((dir) => ({
        file: joinPath(ctx, dir, ".cursor", "mcp.json"),
        scope: "project" as const,
      })),
    ];
  },
  parse(text, file, scope, _ctx, warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const source = { client: "cursor" as const, scope, file, format: "jsonc" as const };
    return readServerMap(root.mcpServers, ["mcpServers"], source, warn);
  },
};
