/**
 * What a wrapped config entry runs to reach `mcpscope run`. MCP clients often start servers without the
 * shell's PATH, so the launcher is always absolute paths: for an npm or development install, this Node
 * binary and this install's `bin/mcpscope.js`; for the desktop app, the app binary (the AppImage file
 * inside an AppImage) running the bundled CLI with ELECTRON_RUN_AS_NODE=1. An install in a place that
 * does not last (the npx cache, a temp folder, an AppImage's mount) is copied into the data dir first, and
 * the entry points at the copy.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { quoteArg } from "../discovery/shown-command.js";
import { defaultDataDir } from "../paths.js";
import { VERSION } from "../version.js";
import { transientPlace, versionManagerOf } from "./launcher-check.js";
import { ensureStableCli } from "./stable-cli.js";

export interface Launcher {
  /** The program the client runs. */
  command: string;
  /** Arguments before `run`. */
  args: string[];
  /** Variables the entry's env must have for the launcher to work. */
  env: Record<string, string>;
  /** What the user should know about it, one line each (a copy made, a Node a manager may remove). */
  notes?: string[];
}

/** Everything the choice depends on, injected so that it is testable without Electron. */
export interface LauncherEnvironment {
  execPath: string;
  /** `process.versions.electron`: set in the app and in the app binary run as Node. */
  electron?: string;
  /** `process.resourcesPath` in the app. */
  resourcesPath?: string;
  env: { APPIMAGE?: string };
  /** This install's `bin/mcpscope.js`, absolute. */
  cliScript: string;
  exists(path: string): boolean;
  /** A copy of the CLI in the data dir, at a path that outlives an AppImage's mount or the npx cache. */
  stableCliScript?: () => string;
  /** Why `path` will not last (launcher-check.ts `transientPlace`), or null. */
  transient?: (path: string) => string | null;
}

export function resolveLauncher(e: LauncherEnvironment): Launcher {
  if (!e.electron) {
    const place = e.transient?.(e.cliScript) ?? null;
    const script = place && e.stableCliScript ? e.stableCliScript() : e.cliScript;
    const notes: string[] = [];
    if (script !== e.cliScript)
      notes.push(
        `this mcpscope runs from ${place} (${e.cliScript}), which does not last: the entry runs a copy kept at ${script}`,
      );
    const manager = versionManagerOf(e.execPath);
    if (manager)
      notes.push(
        `the entry runs the Node that ${manager} installed (${e.execPath}): once ${manager} removes that version, its client cannot start it — then run \`${REPAIR_COMMAND}\` from another install`,
      );
    const launcher: Launcher = { command: e.execPath, args: [script], env: {} };
    return notes.length ? { ...launcher, notes } : launcher;
  }
  const bundled = e.resourcesPath ? join(e.resourcesPath, "app.asar.unpacked", "bin", "mcpscope.js") : null;
  const script = bundled && e.exists(bundled) ? bundled : e.cliScript;
  return {
    command: e.env.APPIMAGE || e.execPath,
    // The AppImage's mount point changes at every launch: point at the stable copy instead.
    args: [e.env.APPIMAGE && e.stableCliScript ? e.stableCliScript() : script],
    env: { ELECTRON_RUN_AS_NODE: "1" },
  };
}

/** The command that points wrapped entries at the mcpscope that runs it (repair.ts `repairEntries`). */
export const REPAIR_COMMAND = "mcpscope instrument --repair";

/** REPAIR_COMMAND for a data dir, named when it is not the default. */
export function repairCommand(dataDir?: string): string {
  const named = dataDir !== undefined && resolve(dataDir) !== defaultDataDir({});
  return named ? `${REPAIR_COMMAND} --data-dir ${quoteArg(resolve(dataDir))}` : REPAIR_COMMAND;
}

/** The launcher for this process; `dataDir` is where a stable CLI copy goes (AppImage, npx cache). */
export function currentLauncher(dataDir?: string): Launcher {
  return resolveLauncher({
    execPath: process.execPath,
    electron: process.versions.electron,
    resourcesPath: resourcesPath(),
    env: process.env,
    cliScript: findCliScript(fileURLToPath(import.meta.url)),
    exists: existsSync,
    transient: (path) => transientPlace(path),
    stableCliScript: dataDir ? () => ensureStableCli(cliInstallRoot(), dataDir, VERSION) : undefined,
  });
}

function resourcesPath(): string | undefined {
  return (process as { resourcesPath?: string }).resourcesPath;
}

/** The install whose CLI a copy in the data dir is made of: the app's unpacked bundle, else this one. */
export function cliInstallRoot(): string {
  const root = dirname(dirname(findCliScript(fileURLToPath(import.meta.url))));
  const resources = resourcesPath();
  const bundled = resources ? join(resources, "app.asar.unpacked") : root;
  return existsSync(join(bundled, "bin")) ? bundled : root;
}

/** `bin/mcpscope.js` above a built or source file of this install (dist/cli.mjs, electron/monitor/…). */
export function findCliScript(from: string, exists: (path: string) => boolean = existsSync): string {
  for (let dir = dirname(from), i = 0; i < 8; dir = dirname(dir), i++) {
    const candidate = join(dir, "bin", "mcpscope.js");
    if (exists(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`cannot find bin/mcpscope.js above ${from}; is this install complete?`);
}
