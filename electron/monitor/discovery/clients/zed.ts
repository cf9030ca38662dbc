// Path: zed.dev/docs/configuring-zed — ~/.config/zed/settings.json ($XDG_CONFIG_HOME/zed on Linux),
// %APPDATA%\Zed\settings.json on Windows. Format: zed.dev/docs/ai/mcp — "context_servers" entries, flat
// {source: "custom", command, args, env}, the older {command: {path, args, env}}, or remote {url, headers}.
// Entries with only "settings" belong to a Zed extension that launches them itself; they are skipped.
import type { TransportKind } from "../../../../shared/discovery.js";
import { parseJsonc } from "../config-text.js";
import { type EntryFields, toDiscovered } from "../entry.js";
import { asObject, asString, asStringArray, asStringRecord, type Json } from "../fields.js";
import { joinPath, xdgConfigDir } from "../platform-paths.js";
import { rootObject, type Warn } from "../server-map.js";
import type { ClientReader, DiscoveredServer } from "../types.js";

function zedEntry(name: string, entry: Json): EntryFields | null {
  const disabled = entry.enabled === false;
  const nested = asObject(entry.command);
  const from = nested ?? entry;
  const command = nested ? asString(nested.path) : asString(entry.command);
  if (command) {
    const env = asStringRecord(from.env);
    const args = asStringArray(from.args);
    const transport: TransportKind = "stdio";
    return { name, transport, command, args, env, cwd: null, url: null, headers: {}, disabled };
  }
  const url = asString(entry.url);
  if (!url) return null;
  const headers = asStringRecord(entry.headers);
  return { name, transport: "http", command: null, args: [], env: {}, cwd: null, url, headers, disabled };
}

export const zedReader: ClientReader = {
  id: "zed",
  displayName: "Zed",
  configFiles(ctx) {
    const dir = ctx.platform === "win32" ? "Zed" : "zed";
    return [{ file: joinPath(ctx, xdgConfigDir(ctx), dir, "settings.json"), scope: "user" }];
  },
  parse(text, file, scope, _ctx, warn: Warn = () => {}) {
    const root = rootObject(parseJsonc(text));
    const servers: DiscoveredServer[] = [];
    for (const [name, value] of Object.entries(asObject(root.context_servers) ?? {})) {
      const entry = asObject(value);
      if (!entry) {
        warn(`context_servers.${name}: expected an object; skipped`);
        continue;
      }
      const fields = zedEntry(name, entry);
      if (!fields) continue;
      const location = { file, format: "jsonc" as const, path: ["context_servers", name] };
      servers.push(toDiscovered(fields, { client: "zed", scope, location }));
    }
    return servers;
  },
};
