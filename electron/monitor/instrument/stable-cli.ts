/**
 * Inside an AppImage the app's files live in a mount that changes at every launch, so a config entry
 * cannot point at them. Before instrumenting, the CLI's files (bin/mcpscope.js and the dist bundles it
 * loads) are copied into `<dataDir>/runtime/<version>-<content>/`, a path that stays valid; the AppImage
 * file itself (stable) runs them with ELECTRON_RUN_AS_NODE=1. The folder is named by a digest of the files,
 * not by the version alone: two builds of one version (a rebuild, a patched or pre-release build) differ,
 * and an entry instrumented by the newer must not run the older's copy, which may refuse today's database.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import { makeDirs } from "../make-dirs.js";
import { PRIVATE_DIR_MODE } from "../store/private-files.js";

/** The data dir's folder of CLI copies. */
export function runtimeDir(dataDir: string): string {
  return join(dataDir, "runtime");
}

/**
 * A copy's folder name: `<version>-<digest of its files>`; builds before the digest named it by the
 * version alone. Anything else in the runtime folder is a copy being made or being removed.
 */
export const COPY_NAME = /^(.+)-([0-9a-f]{16})$/;

/** Files the CLI needs, relative to the install root: the bin script and the ESM bundles beside cli.mjs. */
function cliFiles(root: string): string[] {
  const dist = readdirSync(join(root, "dist")).filter(
    (name) =>
      name === "cli.mjs" ||
      name === "run.mjs" ||
      name === "observer-worker.mjs" ||
      // Which schema this build writes, for a later version reading an entry that runs the copy.
      name === "install.json" ||
      /^chunk-.*\.mjs$/.test(name),
  );
  return [join("bin", "mcpscope.js"), ...dist.map((name) => join("dist", name))].sort();
}

/** A digest of the CLI's files under `root` (names and contents); null when they cannot be read. */
function contentKey(root: string): string | null {
  const hash = createHash("sha256");
  try {
    for (const file of cliFiles(root)) {
      const bytes = readFileSync(join(root, file));
      hash.update(`${file}\0${bytes.length}\0`);
      hash.update(bytes);
    }
  } catch {
    return null;
  }
  return hash.digest("hex").slice(0, 16);
}

/** The folder name of the copy of the CLI at `installRoot` (`<version>-<digest>`); null when unreadable. */
export function stableCliName(installRoot: string, version: string): string | null {
  const key = contentKey(installRoot);
  return key === null ? null : `${version}-${key}`;
}

/**
 * A copy's folder time is when something was last seen using it (made, reused, run by an entry or a
 * wrapper, moved off by `--repair`): runtime-prune.ts removes a copy only once that is long enough ago.
 */
export function markCopyUsed(folder: string, now = Date.now()): void {
  try {
    utimesSync(folder, now / 1000, now / 1000);
  } catch {}
}

/**
 * Renames a copy aside (`<name>.<why>-<pid>`, a name nothing runs) so that it can be deleted there: a
 * crash mid-delete leaves a folder no entry points at, never a half-removed copy under the name an entry
 * runs. Returns where it went; null when it could not be renamed (then it is left whole).
 */
export function moveAside(folder: string, why: "stale" | "removed"): string | null {
  const aside = `${folder}.${why}-${process.pid}`;
  try {
    renameSync(folder, aside);
    return aside;
  } catch {
    return null;
  }
}

/**
 * Copies this install's CLI into the data dir (once per build) and returns the copied bin script. A copy
 * already there is used only when its files still hash to its name; else it is made again. The copy is
 * made in a temp folder and renamed into place, so a half-written copy is never used.
 */
export function ensureStableCli(installRoot: string, dataDir: string, version: string): string {
  const name = stableCliName(installRoot, version);
  if (name === null) throw new Error(`cannot read the mcpscope CLI's files in ${installRoot}`);
  const key = name.slice(-16);
  const target = join(runtimeDir(dataDir), name);
  const script = join(target, "bin", "mcpscope.js");
  if (existsSync(target) && contentKey(target) === key) {
    markCopyUsed(target);
    return script;
  }
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const file of cliFiles(installRoot)) {
    makeDirs(dirname(join(staging, file)), PRIVATE_DIR_MODE);
    copyFileSync(join(installRoot, file), join(staging, file));
  }
  // A copy whose files changed since (edited, cut short by hand) goes aside first: rename cannot replace a
  // folder that has files in it.
  const aside = existsSync(target) ? moveAside(target, "stale") : null;
  if (aside) rmSync(aside, { recursive: true, force: true });
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another process made the same copy first: use theirs.
    rmSync(staging, { recursive: true, force: true });
    if (contentKey(target) !== key) throw error;
  }
  return script;
}
