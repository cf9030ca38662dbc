import { readFileSync } from "node:fs";
import type { MenuItemConstructorOptions } from "electron";
import { describe, expect, it } from "vitest";
import {
  appCommandDirection,
  type Direction,
  moveHistory,
  type NavigableContents,
} from "../../electron/main/history-nav.js";
import { DEFAULT_WINDOW_SIZE, mainWindowOptions } from "../../electron/main/main-window.js";
import { appMenuTemplate } from "../../electron/main/menus.js";
import { PAGE_BACKGROUND } from "../../shared/theme.js";

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

  it("cannot be made smaller than 800×600, the size every view is laid out for", () => {
    expect(mainWindowOptions({ preload: "/p" })).toMatchObject({ minWidth: 800, minHeight: 600 });
  });

  it("opens hidden where it is placed, or centred at the default size", () => {
    const placed = { bounds: { x: 10, y: 20, width: 900, height: 700 }, maximized: false };
    const options = mainWindowOptions({ preload: "/p" }, true, placed);
    expect(options).toMatchObject({ x: 10, y: 20, width: 900, height: 700, show: false });
    expect(options.center).toBeUndefined();
    expect(mainWindowOptions({ preload: "/p" })).toMatchObject({ ...DEFAULT_WINDOW_SIZE, center: true });
  });

  it("is painted in the page's own background for the OS's colour scheme, as the renderer paints it", () => {
    const placement = { bounds: DEFAULT_WINDOW_SIZE, maximized: false };
    expect(mainWindowOptions({ preload: "/p" }, true, placement, "light").backgroundColor).toBe("#f5f5f7");
    expect(mainWindowOptions({ preload: "/p" }, true, placement, "dark").backgroundColor).toBe("#18191c");
    // The renderer's tokens: --bg in :root, then in the dark scheme's block.
    const css = readFileSync(new URL("../../renderer/src/styles/tokens.css", import.meta.url), "utf8");
    const [light, dark] = [...css.matchAll(/--bg:\s*(#[0-9a-f]+);/gi)].map((match) => match[1]);
    expect({ light, dark }).toEqual(PAGE_BACKGROUND);
  });

  it("has no DevTools in a packaged app, and keeps them in development", () => {
    expect(mainWindowOptions({ preload: "/p" }, true).webPreferences?.devTools).toBe(false);
    expect(mainWindowOptions({ preload: "/p" }, false).webPreferences?.devTools).toBe(true);
  });
});

describe("menus", () => {
  it("the application menu is made of standard roles, with the app menu on macOS only", () => {
    expect(appMenuTemplate("linux", false).map((item) => item.role ?? item.label)).toEqual([
      "fileMenu",
      "editMenu",
      "viewMenu",
      "Go",
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

describe("Back and Forward", () => {
  /** A window's history: entries and where it stands, as Chromium keeps them. */
  function contents(entries: number, at: number): NavigableContents & { at: number } {
    const state = {
      at,
      navigationHistory: {
        canGoBack: () => state.at > 0,
        goBack: () => void state.at--,
        canGoForward: () => state.at < entries - 1,
        goForward: () => void state.at++,
      },
    };
    return state;
  }
  const goItems = (platform: NodeJS.Platform, go: (d: Direction) => void) => {
    const menu = appMenuTemplate(platform, true, go).find((item) => item.label === "Go");
    return (Array.isArray(menu?.submenu) ? menu.submenu : []) as MenuItemConstructorOptions[];
  };
  const press = (item: MenuItemConstructorOptions | undefined) => {
    const click = item?.click as (() => void) | undefined;
    if (!click) throw new Error(`no click on ${item?.label}`);
    click();
  };

  it("the Go menu moves the window's history, with each platform's own keys", () => {
    const window = contents(3, 1);
    const [back, forward] = goItems("linux", (d) => moveHistory(window, d));
    expect([back?.label, back?.accelerator, forward?.label, forward?.accelerator]).toEqual([
      "Back",
      "Alt+Left",
      "Forward",
      "Alt+Right",
    ]);
    press(back);
    expect(window.at).toBe(0);
    press(back); // nothing further back: stays
    expect(window.at).toBe(0);
    press(forward);
    press(forward);
    press(forward);
    expect(window.at).toBe(2);
    expect(goItems("darwin", () => {}).map((item) => item.accelerator)).toEqual(["Cmd+[", "Cmd+]"]);
  });

  it("a mouse's side buttons are Back and Forward; other app commands and no window do nothing", () => {
    expect(appCommandDirection("browser-backward")).toBe("back");
    expect(appCommandDirection("browser-forward")).toBe("forward");
    expect(appCommandDirection("media-play-pause")).toBeNull();
    expect(() => moveHistory(undefined, "back")).not.toThrow();
  });
});
