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
  /**
   * The tray icons, one per alert state (build/make-icon.mjs draws them): 22 px, with a 44 px `@2x` beside
   * each that Electron loads by name on HiDPI screens; on macOS the `…Template` ones, black and alpha,
   * which the menu bar recolours for light and dark bars.
   */
  trayIcons: Record<TrayIconKind, string>;
}

/** All clear, or the worst severity firing. */
export type TrayIconKind = "ok" | "warning" | "critical";

/** Each tray state's icon in build/, without its variant suffix (`@2x`, `Template`) and extension. */
export const TRAY_ICON_NAMES: Record<TrayIconKind, string> = {
  ok: "tray",
  warning: "tray-warning",
  critical: "tray-critical",
};

/** The path a file unpacked from the asar has on disk (unchanged outside an asar). */
export function unpackedPath(appRoot: string): string {
  return basename(appRoot) === "app.asar" ? join(dirname(appRoot), "app.asar.unpacked") : appRoot;
}

export function appPaths(appRoot: string, platform: NodeJS.Platform = process.platform): AppPaths {
  const variant = platform === "darwin" ? "Template" : "";
  const trayIcon = (kind: TrayIconKind) => join(appRoot, "build", `${TRAY_ICON_NAMES[kind]}${variant}.png`);
  return {
    preload: join(appRoot, "dist", "electron", "preload.cjs"),
    rendererIndex: join(appRoot, "dist", "renderer", "index.html"),
    engineHost: join(unpackedPath(appRoot), "dist", "engine-host.mjs"),
    trayIcons: { ok: trayIcon("ok"), warning: trayIcon("warning"), critical: trayIcon("critical") },
  };
}
