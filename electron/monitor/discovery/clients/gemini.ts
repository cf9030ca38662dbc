// Paths and format: google-gemini/gemini-cli docs/tools/mcp-server.md and docs/cli/configuration.md —
// ~/.gemini/settings.json and <project>/.gemini/settings.json, "mcpServers" with command (stdio),
// "httpUrl" (streamable HTTP) or "url" (SSE, unless "type": "http"). Extensions (docs/extension.md):
// ~/.gemini/extensions/<ext>/gemini-extension.json declares "mcpServers" loaded like settings.json's; a
// settings.json entry of the same name wins. `gemini extensions update` replaces the extension's folder,
// so mcpscope lists those entries but does not edit them.
import { parseJsonc } from "../config-text.js";
import { inHome, joinPath, pathApi, subfolders } from "../platform-paths.js";
import { readServerMap, rootObject } from "../server-map.js";
import type { ClientReader, DiscoveryContext } from "../types.js";

export const EXTENSION_MANIFEST = "gemini-extension.json";

function extensionNotEditable(name: string, file: string, ctx: DiscoveryContext): string {
  const folder = pathApi(ctx).dirname(file);
  const settings = inHome(ctx, ".gemini", "settings.json");
  return `${name} comes from the Gemini CLI extension in ${folder}, whose ${EXTENSION_MANIFEST} \`gemini extensions update\` replaces, so mcpscope does not edit it; nothing was changed — to record its calls, add an entry named ${name} to ${settings} (it takes precedence over the extension's) and instrument that`;
}

function extensionsDir(ctx: DiscoveryContext): string {
  return inHome(ctx, ".gemini", "extensions");
}

export const geminiReader: ClientReader = {
  id: "gemini",
  displayName: "Gemini CLI",
  configFiles(ctx) {
    const extensions = subfolders(ctx, extensionsDir(ctx)).map((dir) => ({
      file: joinPath(ctx, dir, EXTENSION_MANIFEST),
      scope: "user" as const,
    }));
    return [
      { file: inHome(ctx, ".gemini", "settings.json"), scope: "user" },
      ...extensions,
      ...ctx.projectDirs.map((dir) => ({
        file: joinPath(ctx, dir, ".gemini", "settings.json"),
        scope: "project" as const,
      })),
    ];
  },
  containerDirs: (ctx) => [{ dir: extensionsDir(ctx), names: [EXTENSION_MANIFEST] }],
  parse(text, file, scope, ctx, warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const source = { client: "gemini" as const, scope, file, format: "jsonc" as const };
    const servers = readServerMap(root.mcpServers, ["mcpServers"], source, warn, {
      urlKeys: ["httpUrl", "url"],
      remoteTransport: (entry, key) => (key === "httpUrl" || entry.type === "http" ? "http" : "sse"),
    });
    if (pathApi(ctx).basename(file) !== EXTENSION_MANIFEST) return servers;
    return servers.map((s) => ({
      ...s,
      definition: { ...s.definition, notEditable: extensionNotEditable(s.definition.name, file, ctx) },
    }));
  },
};
