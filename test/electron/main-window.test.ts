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
});

describe("menus", () => {
  it("the application menu is made of standard roles, with the app menu on macOS only", () => {
    expect(appMenuTemplate("linux").map((item) => item.role)).toEqual([
      "fileMenu",
      "editMenu",
      "viewMenu",
      "windowMenu",
    ]);
    expect(appMenuTemplate("darwin")[0]?.role).toBe("appMenu");
  });
});
