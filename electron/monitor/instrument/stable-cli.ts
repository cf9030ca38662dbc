/**
 * Inside an AppImage the app's files live in a mount that changes at every launch, so a config entry
 * cannot point at them. Before instrumenting, the CLI's files (bin/mcpscope.js and the dist bundles it
 * loads) are copied into `<dataDir>/runtime/<version>-<content>/`, a path that stays valid; the AppImage
 * file itself (stable) runs them with ELECTRON_RUN_AS_NODE=1. The folder is named by a digest of the files,
 * not by the version alone: two builds of one version (a rebuild, a patched or pre-release build) differ,
 * and an entry instrumented by the newer must not run the older's copy, which may refuse today's database.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { makeDirs } from "../make-dirs.js";
import { PRIVATE_DIR_MODE } from "../store/private-files.js";

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

/**
 * Copies this install's CLI into the data dir (once per build) and returns the copied bin script. A copy
 * already there is used only when its files still hash to its name; else it is made again. The copy is
 * made in a temp folder and renamed into place, so a half-written copy is never used.
 */
export function ensureStableCli(installRoot: string, dataDir: string, version: string): string {
  const key = contentKey(installRoot);
  if (key === null) throw new Error(`cannot read the mcpscope CLI's files in ${installRoot}`);
  const target = join(dataDir, "runtime", `${version}-${key}`);
  const script = join(target, "bin", "mcpscope.js");
  if (existsSync(target) && contentKey(target) === key) return script;
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const file of cliFiles(installRoot)) {
    makeDirs(dirname(join(staging, file)), PRIVATE_DIR_MODE);
    copyFileSync(join(installRoot, file), join(staging, file));
  }
  // A copy whose files changed since (edited, cut short by hand) goes aside first: rename cannot replace a
  // folder that has files in it.
  if (existsSync(target)) {
    const aside = `${target}.stale-${process.pid}`;
    try {
      renameSync(target, aside);
      rmSync(aside, { recursive: true, force: true });
    } catch {}
  }
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another process made the same copy first: use theirs.
    rmSync(staging, { recursive: true, force: true });
    if (contentKey(target) !== key) throw error;
  }
  return script;
}
