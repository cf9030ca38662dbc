/**
 * Back and Forward for the app's window: the renderer gives each view and page a history entry (its
 * fragment route), and these move through them — from the Go menu (⌘[ / ⌘] on macOS, Alt+← / Alt+→
 * elsewhere) and from a mouse's side buttons (Windows and Linux report them as app commands).
 */
export type Direction = "back" | "forward";

/** What is needed of a window's webContents to move through its history. */
export interface NavigableContents {
  readonly navigationHistory: {
    canGoBack(): boolean;
    goBack(): void;
    canGoForward(): boolean;
    goForward(): void;
  };
}

/** The menu's accelerator for a direction on a platform. */
export function historyAccelerator(platform: NodeJS.Platform, direction: Direction): string {
  if (platform === "darwin") return direction === "back" ? "Cmd+[" : "Cmd+]";
  return direction === "back" ? "Alt+Left" : "Alt+Right";
}

/** The direction of a window's `app-command` (a mouse's side buttons), or null for any other command. */
export function appCommandDirection(command: string): Direction | null {
  if (command === "browser-backward") return "back";
  if (command === "browser-forward") return "forward";
  return null;
}

/** Moves the contents' history one step, where there is a step to take. */
export function moveHistory(contents: NavigableContents | undefined, direction: Direction): void {
  const history = contents?.navigationHistory;
  if (!history) return;
  if (direction === "back" && history.canGoBack()) history.goBack();
  if (direction === "forward" && history.canGoForward()) history.goForward();
}
