/**
 * The application menu (standard roles only) and the tray menu, as templates for Menu.buildFromTemplate.
 * Pure: the Electron types are erased at build time.
 */
import type { MenuItemConstructorOptions } from "electron";

export interface TrayActions {
  open(): void;
  quit(): void;
}

export function appMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  return [
    ...(platform === "darwin" ? [{ role: "appMenu" } as const] : []),
    { role: "fileMenu" },
    { role: "editMenu" },
    { role: "viewMenu" },
    { role: "windowMenu" },
  ];
}

export function trayMenuTemplate(actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: "Open mcpscope", click: () => actions.open() },
    { type: "separator" },
    { label: "Quit mcpscope", click: () => actions.quit() },
  ];
}
