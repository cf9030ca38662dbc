/**
 * Inside an AppImage the app's files live in a mount that changes at every launch, so a config entry
 * cannot point at them. Before instrumenting, the CLI's files (bin/mcpscope.js and the dist bundles it
 * loads) are copied into `<dataDir>/runtime/<version>/`, a path that stays valid; the AppImage file itself
 * (stable) runs them with ELECTRON_RUN_AS_NODE=1.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { PRIVATE_DIR_MODE } from "../store/private-files.js";

/** Files the CLI needs, relative to the install root: the bin script and the ESM bundles beside cli.mjs. */
function cliFiles(root: string): string[] {
  const dist = readdirSync(join(root, "dist")).filter(
    (name) =>
      name === "cli.mjs" ||
      name === "run.mjs" ||
      name === "observer-worker.mjs" ||
      /^chunk-.*\.mjs$/.test(name),
  );
  return [join("bin", "mcpscope.js"), ...dist.map((name) => join("dist", name))];
}

/**
 * Copies this install's CLI into the data dir (once per version) and returns the copied bin script.
 * The copy is made in a temp folder and renamed into place, so a half-written copy is never used.
 */
export function ensureStableCli(installRoot: string, dataDir: string, version: string): string {
  const target = join(dataDir, "runtime", version);
  const script = join(target, "bin", "mcpscope.js");
  if (existsSync(script)) return script;
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const file of cliFiles(installRoot)) {
    mkdirSync(dirname(join(staging, file)), { recursive: true, mode: PRIVATE_DIR_MODE });
    copyFileSync(join(installRoot, file), join(staging, file));
  }
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another process made the same copy first: use theirs.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(script)) throw error;
  }
  return script;
}
