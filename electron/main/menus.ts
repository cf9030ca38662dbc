/**
 * The application menu (standard roles only), as a template for Menu.buildFromTemplate. The tray's menu
 * follows the alerts and lives in tray-state.ts. Pure: the Electron types are erased at build time. A
 * packaged app's View menu has no DevTools toggle (and its windows no DevTools: main-window.ts).
 */
import type { MenuItemConstructorOptions } from "electron";

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

export function appMenuTemplate(platform: NodeJS.Platform, packaged = true): MenuItemConstructorOptions[] {
  return [
    ...(platform === "darwin" ? [{ role: "appMenu" } as const] : []),
    { role: "fileMenu" },
    { role: "editMenu" },
    packaged ? PACKAGED_VIEW_MENU : { role: "viewMenu" },
    { role: "windowMenu" },
  ];
}
