/**
 * The application menu (standard roles, and Go: Back and Forward), as a template for Menu.buildFromTemplate. The tray's menu
 * follows the alerts and lives in tray-state.ts. Pure: the Electron types are erased at build time. A
 * packaged app's View menu has no DevTools toggle (and its windows no DevTools: main-window.ts).
 */
import type { MenuItemConstructorOptions } from "electron";
import { type Direction, historyAccelerator } from "./history-nav.js";

/** The standard View menu without toggleDevTools. */
const PACKAGED_VIEW_MENU: MenuItemConstructorOptions = {
  label: "View",
  submenu: [
    { role: "reload" },
    { type: "separator" },
    { role: "resetZoom" },
    { role: "zoomIn" },
    { role: "zoomOut" },
    { type: "separator" },
    { role: "togglefullscreen" },
  ],
};

/** Back and Forward through the views and pages the window showed (history-nav.ts). */
function goMenu(platform: NodeJS.Platform, go: (direction: Direction) => void): MenuItemConstructorOptions {
  const item = (label: string, direction: Direction): MenuItemConstructorOptions => ({
    label,
    accelerator: historyAccelerator(platform, direction),
    click: () => go(direction),
  });
  return { label: "Go", submenu: [item("Back", "back"), item("Forward", "forward")] };
}

export function appMenuTemplate(
  platform: NodeJS.Platform,
  packaged = true,
  go: (direction: Direction) => void = () => {},
): MenuItemConstructorOptions[] {
  return [
    ...(platform === "darwin" ? [{ role: "appMenu" } as const] : []),
    { role: "fileMenu" },
    { role: "editMenu" },
    packaged ? PACKAGED_VIEW_MENU : { role: "viewMenu" },
    goMenu(platform, go),
    { role: "windowMenu" },
  ];
}
