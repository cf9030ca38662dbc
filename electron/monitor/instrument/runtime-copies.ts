/**
 * What the data dir's `runtime/` folder holds: the copies of the CLI that stable-cli.ts makes (one per
 * build that instrumented from a place that does not last), and leftovers of a copy being made or
 * removed by a process that ended midway. Only node:fs: `db info` reads it on every call.
 */
import { readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import type { RuntimeCopies } from "../../../shared/storage.js";
import { treeBytes } from "../store/file-sizes.js";
import { markCopyUsed, runtimeDir } from "./stable-cli.js";

/** A copy being made (`.tmp-`), or renamed aside to be deleted (`.stale-`, `.removed-`), by process PID. */
const LEFTOVER = /\.(tmp|stale|removed)-(\d+)$/;

export interface RuntimeFolder {
  dir: string;
  /**
   * Copies, by folder name, with the time something was last seen using each (stable-cli.ts markCopyUsed),
   * and when each was made (its folder's birth time; 0 where the file system does not record one).
   */
  copies: Array<{ name: string; usedAt: number; madeAt: number }>;
  /** Leftovers, by folder name, with the process that made them. */
  leftovers: Array<{ name: string; pid: number }>;
}

/** The runtime folder's copies and leftovers; empty when there is none. */
export function readRuntimeFolder(dataDir: string): RuntimeFolder {
  const dir = runtimeDir(dataDir);
  const folder: RuntimeFolder = { dir, copies: [], leftovers: [] };
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return folder;
  }
  for (const name of names.sort()) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(join(dir, name));
    } catch {
      continue;
    }
    if (!stat.isDirectory()) continue;
    const leftover = LEFTOVER.exec(name);
    if (leftover) folder.leftovers.push({ name, pid: Number(leftover[2]) });
    else folder.copies.push({ name, usedAt: stat.mtimeMs, madeAt: stat.birthtimeMs });
  }
  return folder;
}

/** Whether there is anything in the runtime folder to prune. */
export function holdsAny(folder: RuntimeFolder): boolean {
  return folder.copies.length > 0 || folder.leftovers.length > 0;
}

/** What `db info` and the Storage view show of the runtime folder. */
export function runtimeCopies(dataDir: string): RuntimeCopies {
  const folder = readRuntimeFolder(dataDir);
  return { dir: folder.dir, copies: folder.copies.length, bytes: treeBytes(folder.dir) };
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The copy (its folder name) that `path` lies in, or null when it is outside the runtime folder: compared
 * as written and with links resolved, so a copy reached through a link, or one already gone, is found.
 */
export function copyOf(path: string, dataDir: string): string | null {
  if (!isAbsolute(path)) return null;
  const dir = runtimeDir(dataDir);
  for (const [root, inside] of [
    [dir, path],
    [real(dir), real(path)],
  ] as const) {
    const rel = relative(root, inside);
    if (rel && !rel.startsWith("..") && !isAbsolute(rel)) return rel.split(sep)[0] ?? null;
  }
  return null;
}

/**
 * An entry was moved off the copy its `scripts` lie in (`--repair`, `uninstrument`): its client keeps starting
 * the old command line until it restarts, so the copy counts as used now.
 */
export function movedOffCopy(scripts: readonly string[], dataDir: string): void {
  for (const script of scripts) {
    const copy = copyOf(script, dataDir);
    if (copy !== null) markCopyUsed(join(runtimeDir(dataDir), copy));
  }
}
