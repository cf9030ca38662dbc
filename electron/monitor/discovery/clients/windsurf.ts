// Path and format: docs.windsurf.com/windsurf/cascade/mcp — ~/.codeium/windsurf/mcp_config.json
// (%USERPROFILE%\.codeium\windsurf on Windows), {"mcpServers": {…}}, remote servers under "serverUrl".
import { parseJsonc } from "../config-text.js";
import { inHome } from "../platform-paths.js";
import { readServerMap, rootObject } from "../server-map.js";
import type { ClientReader } from "../types.js";

export const windsurfReader: ClientReader = {
  id: "windsurf",
  displayName: "Windsurf",
  configFiles(ctx) {
    return [{ file: inHome(ctx, ".codeium", "windsurf", "mcp_config.json"), scope: "user" }];
  },
  parse(text, file, scope, _ctx, warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const source = { client: "windsurf" as const, scope, file, format: "jsonc" as const };
    return readServerMap(root.mcpServers, ["mcpServers"], source, warn, { urlKeys: ["serverUrl", "url"] });
  },
};
