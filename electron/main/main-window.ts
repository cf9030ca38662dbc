/**
 * The options of the app's one window. Pure, so that a test can pin the security settings: context
 * isolation, the sandbox, no Node integration, web security on, only our own preload, and no DevTools
 * in a packaged app (`app.isPackaged`). Where it opens and its colour come from the caller
 * (window-state.ts, the OS's colour scheme).
 */
import type { BrowserWindowConstructorOptions } from "electron";
import { type ColourScheme, PAGE_BACKGROUND } from "../../shared/theme.js";
import type { AppPaths } from "./paths.js";

/** The smallest window every view is laid out for (docs/app.md, "Small windows"). */
export const MIN_WINDOW_SIZE = { width: 800, height: 600 } as const;
/** A first window's size, centred on the screen. */
export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 820 } as const;

/** Where a window opens: a size, and a position when one is remembered (else the OS centres it). */
export interface WindowPlacement {
  bounds: { x?: number; y?: number; width: number; height: number };
  /** Whether it opens maximized (applied when it first shows). */
  maximized: boolean;
}

export function mainWindowOptions(
  paths: Pick<AppPaths, "preload">,
  packaged = true,
  placement: WindowPlacement = { bounds: DEFAULT_WINDOW_SIZE, maximized: false },
  scheme: ColourScheme = "light",
): BrowserWindowConstructorOptions {
  return {
    ...placement.bounds,
    ...(placement.bounds.x === undefined ? { center: true } : {}),
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: "mcpscope",
    show: false,
    backgroundColor: PAGE_BACKGROUND[scheme],
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !packaged,
    },
  };
}
