/**
 * One Node compile cache for every Node process the run starts. The tests start about two thousand: each
 * `mcpscope` command, wrapper and serve, and the MCP servers. Most run with HOME set to a fresh folder, so
 * the cache bin/mcpscope.js keeps in the user's cache folder was empty for each, and each compiled the
 * CLI's bundles again and wrote them out at exit. Set in the environment before any worker starts, the
 * cache is one folder of the run's own, which every child inherits (Node turns it on at start-up, before
 * bin/mcpscope.js asks for its own), and removed when the run ends. A test of where the launcher keeps its
 * cache takes the variable out of its child's environment.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function useCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_COMPILE_CACHE) return; // one the user chose holds
  const dir = mkdtempSync(join(tmpdir(), "mcpscope-test-compile-cache-"));
  env.NODE_COMPILE_CACHE = dir;
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
}
