// Path and format: block.github.io/goose/docs/guides/config-files (aaif-goose/goose) — ~/.config/goose/config.yaml
// on macOS and Linux, %APPDATA%\Block\goose\config\config.yaml on Windows; "extensions" keyed by id, with
// type stdio {cmd, args, envs} or streamable_http {uri, headers} (older sse {uri}). builtin and platform
// extensions run inside goose, not as MCP servers of their own, and are skipped.
import { parseYaml } from "../config-text.js";
import { type EntryFields, toDiscovered } from "../entry.js";
import { asObject, asString, asStringArray, asStringRecord, describePath, type Json } from "../fields.js";
import { inHome, joinPath, roamingAppData } from "../platform-paths.js";
import type { Warn } from "../server-map.js";
import type { ClientReader, DiscoveredServer } from "../types.js";

const IN_PROCESS = new Set(["builtin", "platform", "frontend", "inline_python"]);

function gooseEntry(key: string, entry: Json): EntryFields | null {
  const name = asString(entry.name) ?? key;
  const disabled = entry.enabled === false;
  const env = asStringRecord(entry.envs);
  if (entry.type === "stdio") {
    const command = asString(entry.cmd);
    if (!command) return null;
    const args = asStringArray(entry.args);
    const cwd = asString(entry.cwd);
    return { name, transport: "stdio", command, args, env, cwd, url: null, headers: {}, disabled };
  }
  const url = asString(entry.uri);
  if (!url || (entry.type !== "sse" && entry.type !== "streamable_http")) return null;
  const transport = entry.type === "sse" ? "sse" : "http";
  const headers = asStringRecord(entry.headers);
  return { name, transport, command: null, args: [], env: {}, cwd: null, url, headers, disabled };
}

export const gooseReader: ClientReader = {
  id: "goose",
  displayName: "Goose",
  configFiles(ctx) {
    if (ctx.platform === "win32") {
      return [
        {
          file: joinPath(ctx, roamingAppData(ctx), "Block", "goose", "config", "config.yaml"),
          scope: "user",
        },
      ];
    }
    const base =
      ctx.platform === "linux" && ctx.env.XDG_CONFIG_HOME ? ctx.env.XDG_CONFIG_HOME : inHome(ctx, ".config");
    return [{ file: joinPath(ctx, base, "goose", "config.yaml"), scope: "user" }];
  },
  parse(text, file, scope, _ctx, warn: Warn = () => {}) {
    const root = asObject(parseYaml(text)) ?? {};
    const servers: DiscoveredServer[] = [];
    for (const [key, value] of Object.entries(asObject(root.extensions) ?? {})) {
      const path = ["extensions", key];
      const entry = asObject(value);
      if (entry && IN_PROCESS.has(String(entry.type))) continue;
      const fields = entry ? gooseEntry(key, entry) : null;
      if (!fields) {
        warn(
          `${describePath(path)}: not a stdio, sse or streamable_http extension with a cmd or uri; skipped`,
        );
        continue;
      }
      const location = { file, format: "yaml" as const, path };
      servers.push(toDiscovered(fields, { client: "goose", scope, location }));
    }
    return servers;
  },
};
