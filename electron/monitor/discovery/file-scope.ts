/**
 * The scope a config file gives its entries. Each file a client's reader reads holds entries of one scope
 * (Claude Desktop's config and ~/.cursor/mcp.json are user scope, a project's .mcp.json project scope;
 * Claude Code's local entries in ~/.claude.json sit under projects[DIR], which the entry's key path tells:
 * api/entry-pick.ts), so the file alone tells the scope of an entry recorded without one.
 */
import { dirname, extname, resolve } from "node:path";
import type { ClientId, Scope } from "../../../shared/discovery.js";
import { candidateDirs, candidateFiles } from "./discover.js";
import type { DiscoveryContext } from "./types.js";

/** The scope of `client`'s entries in `file`; null when discovery does not read that file for that client. */
export function fileScope(ctx: DiscoveryContext, client: string, file: string): Scope | null {
  const path = resolve(file);
  // A client this mcpscope has no reader for reads no file.
  const clients = [client as ClientId];
  const named = candidateFiles(ctx, { clients }).find((c) => resolve(c.file) === path);
  if (named) return named.scope;
  const inDir = candidateDirs(ctx, { clients }).find(
    (d) => resolve(d.dir) === dirname(path) && d.extensions.includes(extname(path)),
  );
  return inDir?.scope ?? null;
}
