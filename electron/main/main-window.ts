/**
 * The options of the app's one window. Pure, so that a test can pin the security settings: context
 * isolation, the sandbox, no Node integration, web security on, only our own preload, and no DevTools
 * in a packaged app (`app.isPackaged`).
 */
import type { BrowserWindowConstructorOptions } from "electron";
import type { AppPaths } from "./paths.js";

export function mainWindowOptions(
  paths: Pick<AppPaths, "preload">,
  packaged = true,
): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: "mcpscope",
    show: false,
    backgroundColor: "#111418",
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
