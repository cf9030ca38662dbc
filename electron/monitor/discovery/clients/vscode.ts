// Paths and format: code.visualstudio.com/docs/copilot/reference/mcp-configuration — user mcp.json in the
// profile's User folder (Code, and "Code - Insiders"), workspace .vscode/mcp.json, both {"servers": {…},
// "inputs": […]}, entries typed stdio|http|sse; older releases read the same under "mcp" in settings.json.
// A non-default profile (code.visualstudio.com/docs/configure/profiles) keeps its own mcp.json and
// settings.json in User/profiles/<id>/.
import { basename } from "node:path";
import { parseJsonc } from "../config-text.js";
import { asObject } from "../fields.js";
import { joinPath, vscodeProfileDirs, vscodeProfilesRoots, vscodeUserDirs } from "../platform-paths.js";
import { readServerMap, rootObject } from "../server-map.js";
import type { ClientReader } from "../types.js";

const FILES = ["mcp.json", "settings.json"];

export const vscodeReader: ClientReader = {
  id: "vscode",
  displayName: "VS Code",
  configFiles(ctx) {
    const user = [...vscodeUserDirs(ctx), ...vscodeProfileDirs(ctx)].flatMap((dir) =>
      FILES.map((name) => ({
        file: joinPath(ctx, dir, name),
        scope: "user" as const,
      })),
    );
    const workspace = ctx.projectDirs.flatMap((dir) =>
      ["mcp.json", "settings.json"].map((name) => ({
        file: joinPath(ctx, dir, ".vscode", name),
        scope: "workspace" as const,
      })),
    );
    return [...user, ...workspace];
  },
  containerDirs: (ctx) => vscodeProfilesRoots(ctx).map((dir) => ({ dir, names: [...FILES] })),
  parse(text, file, scope, _ctx, warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const source = { client: "vscode" as const, scope, file, format: "jsonc" as const };
    if (basename(file.replace(/\\/g, "/")) === "settings.json") {
      return readServerMap(asObject(root.mcp)?.servers, ["mcp", "servers"], source, warn);
    }
    return readServerMap(root.servers, ["servers"], source, warn);
  },
};
