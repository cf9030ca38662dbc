/**
 * The discovery context for this machine: home, platform, environment, and the project folders whose
 * project-scoped configs are read — those Claude Code knows (`projects` in ~/.claude.json) that still
 * exist, the current folder, and any the caller adds.
 */
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { resolve } from "node:path";
import type { DiscoveryWarning } from "../../../shared/discovery.js";
import { claudeCodeReader } from "./clients/claude-code.js";
import { parseJsonc } from "./config-text.js";
import { asObject } from "./fields.js";
import type { DiscoveryContext } from "./types.js";

export interface ContextOptions {
  /** Read configs under this folder instead of the user's home; environment overrides are then ignored. */
  home?: string;
  cwd?: string;
  projectDirs?: string[];
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function claudeCodeProjects(ctx: DiscoveryContext): Promise<string[]> {
  const user = claudeCodeReader.configFiles(ctx).find((f) => f.scope === "user");
  if (!user) return [];
  try {
    const root = asObject(parseJsonc(await readFile(user.file, "utf8")));
    return Object.keys(asObject(root?.projects) ?? {});
  } catch {
    return []; // discovery itself reports an unreadable file
  }
}

export async function defaultDiscoveryContext(options: ContextOptions = {}): Promise<DiscoveryContext> {
  const ctx: DiscoveryContext = {
    home: options.home ? resolve(options.home) : homedir(),
    platform: process.platform,
    env: options.home ? {} : process.env,
    projectDirs: [],
  };
  const known = (await claudeCodeProjects(ctx)).filter(isDir);
  const extra = (options.projectDirs ?? []).map((dir) => resolve(dir));
  const all = [...known, resolve(options.cwd ?? process.cwd()), ...extra];
  ctx.projectDirs = [...new Set(all)];
  return ctx;
}

/** A `--project` folder that is not there (a typo) is said in a warning, not taken for a project without servers. */
export function missingProjectWarnings(projectDirs: readonly string[] = []): DiscoveryWarning[] {
  return projectDirs
    .map((dir) => resolve(dir))
    .filter((dir) => !isDir(dir))
    .map((dir) => ({ file: dir, message: "no such folder; no project configs were read from it" }));
}
