// Path and format: lmstudio.ai/docs/app/mcp — ~/.lmstudio/mcp.json (%USERPROFILE%\.lmstudio\mcp.json on
// Windows), "following Cursor's mcp.json notation": {"mcpServers": {…}} with command or url + headers.
import { parseJsonc } from "../config-text.js";
import { inHome } from "../platform-paths.js";
import { readServerMap, rootObject } from "../server-map.js";
import type { ClientReader } from "../types.js";

export const lmstudioReader: ClientReader = {
  id: "lmstudio",
  displayName: "LM Studio",
  configFiles(ctx) {
    return [{ file: inHome(ctx, ".lmstudio", "mcp.json"), scope: "user" }];
  },
  parse(text, file, scope, _ctx, warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const source = { client: "lmstudio" as const, scope, file, format: "jsonc" as const };
    return readServerMap(root.mcpServers, ["mcpServers"], source, warn);
  },
};
