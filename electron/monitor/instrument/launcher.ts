/**
 * What a wrapped config entry runs to reach `mcpscope run`. MCP clients often start servers without the
 * shell's PATH, so the launcher is always absolute paths: for an npm or development install, this Node
 * binary and this install's `bin/mcpscope.js`; for the desktop app, the app binary (the AppImage file
 * inside an AppImage) running the bundled CLI with ELECTRON_RUN_AS_NODE=1.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "../version.js";
import { ensureStableCli } from "./stable-cli.js";

export interface Launcher {
  /** The program the client runs. */
  command: string;
  /** Arguments before `run`. */
  args: string[];
  /** Variables the entry's env must have for the launcher to work. */
  env: Record<string, string>;
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
  /** Inside an AppImage: a copy of the CLI at a path that outlives the AppImage's mount. */
  stableCliScript?: () => string;
}

export function resolveLauncher(e: LauncherEnvironment): Launcher {
  if (!e.electron) return { command: e.execPath, args: [e.cliScript], env: {} };
  const bundled = e.resourcesPath ? join(e.resourcesPath, "app.asar.unpacked", "bin", "mcpscope.js") : null;
  const script = bundled && e.exists(bundled) ? bundled : e.cliScript;
  return {
    command: e.env.APPIMAGE || e.execPath,
    // The AppImage's mount point changes at every launch: point at the stable copy instead.
    args: [e.env.APPIMAGE && e.stableCliScript ? e.stableCliScript() : script],
    env: { ELECTRON_RUN_AS_NODE: "1" },
  };
}

/** The launcher for this process; `dataDir` is where an AppImage's stable CLI copy goes. */
export function currentLauncher(dataDir?: string): Launcher {
  const cliScript = findCliScript(fileURLToPath(import.meta.url));
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  return resolveLauncher({
    execPath: process.execPath,
    electron: process.versions.electron,
    resourcesPath,
    env: process.env,
    cliScript,
    exists: existsSync,
    stableCliScript: dataDir
      ? () => {
          const bundled = resourcesPath
            ? join(resourcesPath, "app.asar.unpacked")
            : dirname(dirname(cliScript));
          return ensureStableCli(
            existsSync(join(bundled, "bin")) ? bundled : dirname(dirname(cliScript)),
            dataDir,
            VERSION,
          );
        }
      : undefined,
  });
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
