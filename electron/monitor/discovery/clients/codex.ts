// Paths and format: developers.openai.com/codex/mcp and openai/codex docs/config.md — $CODEX_HOME/config.toml
// (default ~/.codex/config.toml) and a trusted project's .codex/config.toml; [mcp_servers.NAME] tables with
// command/args/env/cwd, or url (streamable HTTP) with http_headers, env_http_headers, bearer_token_env_var.
import { parseToml } from "../config-text.js";
import { type EntryFields, toDiscovered } from "../entry.js";
import { asObject, asString, asStringArray, asStringRecord, describePath, type Json } from "../fields.js";
import { inHome, joinPath } from "../platform-paths.js";
import type { Warn } from "../server-map.js";
import type { ClientReader, DiscoveredServer } from "../types.js";

/** Headers whose values Codex reads from the environment, shown as `${VAR}` references. */
function remoteHeaders(entry: Json): Record<string, string> {
  const headers = asStringRecord(entry.http_headers);
  for (const [header, variable] of Object.entries(asStringRecord(entry.env_http_headers))) {
    headers[header] = `\${${variable}}`;
  }
  const bearer = asString(entry.bearer_token_env_var);
  if (bearer) headers.Authorization = `Bearer \${${bearer}}`;
  return headers;
}

function codexEntry(name: string, entry: Json): EntryFields | null {
  const disabled = entry.enabled === false;
  const command = asString(entry.command);
  const env = asStringRecord(entry.env);
  if (command) {
    const args = asStringArray(entry.args);
    const cwd = asString(entry.cwd);
    return { name, transport: "stdio", command, args, env, cwd, url: null, headers: {}, disabled };
  }
  const url = asString(entry.url);
  if (!url) return null;
  const headers = remoteHeaders(entry);
  return { name, transport: "http", command: null, args: [], env: {}, cwd: null, url, headers, disabled };
}

export const codexReader: ClientReader = {
  id: "codex",
  displayName: "Codex CLI",
  configFiles(ctx) {
    const home = ctx.env.CODEX_HOME ? joinPath(ctx, ctx.env.CODEX_HOME) : inHome(ctx, ".codex");
    return [
      { file: joinPath(ctx, home, "config.toml"), scope: "user" },
      ...ctx.projectDirs.map((dir) => ({
        file: joinPath(ctx, dir, ".codex", "config.toml"),
        scope: "project" as const,
      })),
    ];
  },
  parse(text, file, scope, _ctx, warn: Warn = () => {}) {
    const root = asObject(parseToml(text)) ?? {};
    const servers: DiscoveredServer[] = [];
    for (const [name, value] of Object.entries(asObject(root.mcp_servers) ?? {})) {
      const path = ["mcp_servers", name];
      const entry = asObject(value);
      const fields = entry ? codexEntry(name, entry) : null;
      if (!fields) {
        warn(`${describePath(path)}: no "command" or "url"; skipped`);
        continue;
      }
      const location = { file, format: "toml" as const, path };
      servers.push(toDiscovered(fields, { client: "codex", scope, location }));
    }
    return servers;
  },
};
