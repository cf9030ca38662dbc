import { describe, expect, it, vi } from "vitest";
import { mainWindowOptions } from "../../electron/main/main-window.js";
import { appMenuTemplate, trayMenuTemplate } from "../../electron/main/menus.js";

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

  it("the tray menu opens the window and quits", () => {
    const actions = { open: vi.fn(), quit: vi.fn() };
    const items = trayMenuTemplate(actions);
    expect(items.map((item) => item.label ?? item.type)).toEqual([
      "Open mcpscope",
      "separator",
      "Quit mcpscope",
    ]);
    const click = (label: string) =>
      (items.find((item) => item.label === label)?.click as (() => void) | undefined)?.();
    click("Open mcpscope");
    expect(actions.open).toHaveBeenCalledOnce();
    click("Quit mcpscope");
    expect(actions.quit).toHaveBeenCalledOnce();
  });
});
