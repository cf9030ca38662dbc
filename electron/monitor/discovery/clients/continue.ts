// Paths and format: docs.continue.dev/customize/deep-dives/mcp and the config.yaml reference —
// ~/.continue/config.yaml (%USERPROFILE%\.continue; CONTINUE_GLOBAL_DIR moves it) with an "mcpServers" list
// of {name, command, args, env, cwd} or {name, type: sse|streamable-http, url, requestOptions.headers}, and
// block files in <workspace>/.continue/mcpServers/ (*.yaml with the same list, or Claude-style *.json).
import { parseJsonc, parseYaml } from "../config-text.js";
import { type EntryFields, remoteTransport, toDiscovered } from "../entry.js";
import { asObject, asString, describePath, type Json } from "../fields.js";
import { inHome, joinPath } from "../platform-paths.js";
import { readEntry, readServerMap, rootObject, type Warn } from "../server-map.js";
import type { ClientReader, DiscoveredServer } from "../types.js";

function continueEntry(entry: Json, path: Array<string | number>, warn: Warn): EntryFields | null {
  const name = asString(entry.name);
  if (!name) {
    warn(`${describePath(path)}: no "name"; skipped`);
    return null;
  }
  const headers = asObject(entry.requestOptions)?.headers;
  const withHeaders = headers ? { ...entry, headers } : entry;
  return readEntry(name, withHeaders, path, warn, {
    remoteTransport: (_entry, _key, url) => remoteTransport(entry.type, url),
  });
}

function readYaml(text: string, file: string, scope: DiscoveredServer["definition"]["scope"], warn: Warn) {
  const root = asObject(parseYaml(text)) ?? {};
  const list = root.mcpServers;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    warn("mcpServers: expected a list of servers; ignored");
    return [];
  }
  const servers: DiscoveredServer[] = [];
  list.forEach((value, index) => {
    const path = ["mcpServers", index];
    const entry = asObject(value);
    const fields = entry ? continueEntry(entry, path, warn) : null;
    if (!entry) warn(`${describePath(path)}: expected an object; skipped`);
    if (fields) {
      const location = { file, format: "yaml" as const, path };
      servers.push(toDiscovered(fields, { client: "continue", scope, location }));
    }
  });
  return servers;
}

export const continueReader: ClientReader = {
  id: "continue",
  displayName: "Continue",
  configFiles(ctx) {
    const dir = ctx.env.CONTINUE_GLOBAL_DIR
      ? joinPath(ctx, ctx.env.CONTINUE_GLOBAL_DIR)
      : inHome(ctx, ".continue");
    return [{ file: joinPath(ctx, dir, "config.yaml"), scope: "user" }];
  },
  configDirs(ctx) {
    return ctx.projectDirs.map((dir) => ({
      dir: joinPath(ctx, dir, ".continue", "mcpServers"),
      scope: "workspace" as const,
      extensions: [".yaml", ".yml", ".json"],
    }));
  },
  parse(text, file, scope, _ctx, warn: Warn = () => {}) {
    if (!file.endsWith(".json")) return readYaml(text, file, scope, warn);
    const root = rootObject(parseJsonc(text));
    const source = { client: "continue" as const, scope, file, format: "jsonc" as const };
    return readServerMap(root.mcpServers, ["mcpServers"], source, warn);
  },
};
