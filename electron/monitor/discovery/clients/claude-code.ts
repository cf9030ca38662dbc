// Paths and scopes: code.claude.com/docs/en/mcp ("local" servers live in ~/.claude.json under
// projects[<path>].mcpServers, "user" ones in its top-level mcpServers, "project" ones in <dir>/.mcp.json);
// CLAUDE_CONFIG_DIR moves ~/.claude.json (anthropics/claude-code issues). Entries: type stdio|http|sse.
import { parseJsonc } from "../config-text.js";
import { asObject } from "../fields.js";
import { inHome, joinPath } from "../platform-paths.js";
import { readServerMap, rootObject } from "../server-map.js";
import type { ClientReader, DiscoveredServer } from "../types.js";

export const claudeCodeReader: ClientReader = {
  id: "claude-code",
  displayName: "Claude Code",
  configFiles(ctx) {
    const user = ctx.env.CLAUDE_CONFIG_DIR
      ? joinPath(ctx, ctx.env.CLAUDE_CONFIG_DIR, ".claude.json")
      : inHome(ctx, ".claude.json");
    return [
      { file: user, scope: "user" },
      ...ctx.projectDirs.map((dir) => ({ file: joinPath(ctx, dir, ".mcp.json"), scope: "project" as const })),
    ];
  },
  parse(text, file, scope, _ctx, warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const source = { client: "claude-code" as const, scope, file, format: "jsonc" as const };
    const servers: DiscoveredServer[] = readServerMap(root.mcpServers, ["mcpServers"], source, warn);
    if (scope !== "user") return servers;
    for (const [projectPath, project] of Object.entries(asObject(root.projects) ?? {})) {
      const path = ["projects", projectPath, "mcpServers"];
      const local = { ...source, scope: "local" as const };
      servers.push(...readServerMap(asObject(project)?.mcpServers, path, local, warn));
    }
    return servers;
  },
};
