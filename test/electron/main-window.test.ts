import type { MenuItemConstructorOptions } from "electron";
import { describe, expect, it } from "vitest";
import { mainWindowOptions } from "../../electron/main/main-window.js";
import { appMenuTemplate } from "../../electron/main/menus.js";

describe("the main window", () => {
  it("runs the renderer isolated, sandboxed, without Node, with only our preload", () => {
    const { webPreferences } = mainWindowOptions({ preload: "/app/dist/electron/preload.cjs" });
    expect(webPreferences).toMatchObject({
      preload: "/app/dist/electron/preload.cjs",
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it("has no DevTools in a packaged app, and keeps them in development", () => {
    expect(mainWindowOptions({ preload: "/p" }, true).webPreferences?.devTools).toBe(false);
    expect(mainWindowOptions({ preload: "/p" }, false).webPreferences?.devTools).toBe(true);
  });
});

describe("menus", () => {
  it("the application menu is made of standard roles, with the app menu on macOS only", () => {
    expect(appMenuTemplate("linux", false).map((item) => item.role)).toEqual([
      "fileMenu",
      "editMenu",
      "viewMenu",
      "windowMenu",
    ]);
    expect(appMenuTemplate("darwin")[0]?.role).toBe("appMenu");
  });

  it("a packaged app's View menu has no DevTools toggle; development keeps the standard one", () => {
    const roles = (items: MenuItemConstructorOptions[]): string[] =>
      items.flatMap((i) => [
        ...(i.role ? [String(i.role)] : []),
        ...(Array.isArray(i.submenu) ? roles(i.submenu) : []),
      ]);
    const packaged = roles(appMenuTemplate("linux", true));
    expect(packaged).not.toContain("toggleDevTools");
    expect(packaged).not.toContain("viewMenu");
    expect(packaged).toEqual(expect.arrayContaining(["reload", "zoomIn", "togglefullscreen"]));
    expect(roles(appMenuTemplate("linux", false))).toContain("viewMenu");
  });
});
