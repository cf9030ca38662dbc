/**
 * Where the built files are, from the app's root (`app.getAppPath()`: the project folder in development,
 * `…/resources/app.asar` when packaged). Files that run outside the main process — the engine host and
 * the CLI — are unpacked from the asar (electron-builder.yml, asarUnpack), so they are looked up in
 * `app.asar.unpacked`.
 */
import { basename, dirname, join } from "node:path";

export interface AppPaths {
  /** The sandboxed preload (CJS bundle). */
  preload: string;
  /** The renderer's page, loaded with loadFile. */
  rendererIndex: string;
  /** The engine host, forked as a utilityProcess (ESM bundle). */
  engineHost: string;
  /** The 22 px tray icons, one per alert state (build/make-icon.mjs draws them). */
  trayIcons: Record<TrayIconKind, string>;
}

/** All clear, or the worst severity firing. */
export type TrayIconKind = "ok" | "warning" | "critical";

/** The path a file unpacked from the asar has on disk (unchanged outside an asar). */
export function unpackedPath(appRoot: string): string {
  return basename(appRoot) === "app.asar" ? join(dirname(appRoot), "app.asar.unpacked") : appRoot;
}

export function appPaths(appRoot: string): AppPaths {
  return {
    preload: join(appRoot, "dist", "electron", "preload.cjs"),
    rendererIndex: join(appRoot, "dist", "renderer", "index.html"),
    engineHost: join(unpackedPath(appRoot), "dist", "engine-host.mjs"),
    trayIcons: {
      ok: join(appRoot, "build", "tray.png"),
      warning: join(appRoot, "build", "tray-warning.png"),
      critical: join(appRoot, "build", "tray-critical.png"),
    },
  };
}
