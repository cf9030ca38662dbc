/**
 * What a wrapped config entry runs to reach `mcpscope run`. MCP clients often start servers without the
 * shell's PATH, so the launcher is always absolute paths: for an npm or development install, this Node
 * binary and this install's `bin/mcpscope.js`; for the desktop app, the app binary (the AppImage file
 * inside an AppImage) running the bundled CLI with ELECTRON_RUN_AS_NODE=1.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
}

export function resolveLauncher(e: LauncherEnvironment): Launcher {
  if (!e.electron) return { command: e.execPath, args: [e.cliScript], env: {} };
  const bundled = e.resourcesPath ? join(e.resourcesPath, "app.asar.unpacked", "bin", "mcpscope.js") : null;
  return {
    command: e.env.APPIMAGE || e.execPath,
    args: [bundled && e.exists(bundled) ? bundled : e.cliScript],
    env: { ELECTRON_RUN_AS_NODE: "1" },
  };
}

export function currentLauncher(): Launcher {
  return resolveLauncher({
    execPath: process.execPath,
    electron: process.versions.electron,
    resourcesPath: (process as { resourcesPath?: string }).resourcesPath,
    env: process.env,
    cliScript: findCliScript(fileURLToPath(import.meta.url)),
    exists: existsSync,
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
