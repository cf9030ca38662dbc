/**
 * The application menu (standard roles only), as a template for Menu.buildFromTemplate. The tray's menu
 * follows the alerts and lives in tray-state.ts. Pure: the Electron types are erased at build time.
 */
import type { MenuItemConstructorOptions } from "electron";

export function appMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  return [
    ...(platform === "darwin" ? [{ role: "appMenu" } as const] : []),
    { role: "fileMenu" },
    { role: "editMenu" },
    { role: "viewMenu" },
    { role: "windowMenu" },
  ];
}
