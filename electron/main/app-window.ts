/**
 * The app's one window, over its whole life: created where it was last (window-state.ts), in the OS's
 * colour scheme, shown once its page has painted; closing it hides it while the app lives in the tray, so
 * the page — drafts, filters, scroll — is still there when it comes back; a quit hides it at once and lets
 * it close; its page is watched for crashes and hangs (renderer-health.ts).
 */

import { watchRenderer } from "./renderer-health.js";
import { routeUrl } from "./renderer-routes.js";
import type { ShellParts, ShellWebContents, ShellWindow } from "./shell-parts.js";
import { placeWindow, WindowStateFile } from "./window-state.js";

export interface AppWindowOptions {
  /** Whether closing the window only hides it (the tray is there to bring it back). */
  keepsRunningWhenClosed(): boolean;
  /** Whether the app is quitting: the window may close, and a page that goes away is not reloaded. */
  isQuitting(): boolean;
  warn(line: string): void;
}

/** Hides a window; a full-screen one leaves full screen first (macOS would keep its empty Space). */
function hide(win: ShellWindow): void {
  if (!win.isFullScreen()) {
    win.hide();
    return;
  }
  win.once("leave-full-screen", () => win.hide());
  win.setFullScreen(false);
}

type WindowParts<W extends ShellWindow> = Pick<
  ShellParts<W>,
  "rendererUrl" | "createWindow" | "darkMode" | "workAreas" | "windowStateFile" | "dialog"
>;

export class AppWindow<W extends ShellWindow> {
  private win: W | null = null;
  /** The webContents of the app's own windows: the only senders the IPC relay answers. */
  readonly ownContents = new Set<ShellWebContents>();
  private readonly state: WindowStateFile | null;
  private sessionEnding = false;
  /** Whether the current window's page has painted (before that, showing it would flash an empty window). */
  private painted = false;

  constructor(
    private readonly parts: WindowParts<W>,
    private readonly options: AppWindowOptions,
  ) {
    this.state = parts.windowStateFile ? new WindowStateFile(parts.windowStateFile, options.warn) : null;
  }

  /** The window, unless there is none (never opened, or closed for good). */
  get current(): W | null {
    return this.win && !this.win.isDestroyed() ? this.win : null;
  }

  /** Shows the window, on `route` if given; a new one shows when its page has painted. Not while quitting. */
  show(route?: string): void {
    if (this.options.isQuitting()) return; // a late tray click or second launch must not bring it back
    const existing = this.current;
    if (!existing) {
      this.win = this.create(route);
      return;
    }
    if (route) {
      existing.webContents.loadURL(routeUrl(this.parts.rendererUrl, route)).catch((error: unknown) => {
        this.options.warn(`could not open ${route}: ${String(error)}`);
      });
    }
    if (!this.painted) return; // it shows itself on ready-to-show
    if (existing.isMinimized()) existing.restore();
    existing.show();
    existing.focus();
  }

  /** At the start of a quit: the window goes away at once (and remembers its place) while the engine stops. */
  hideForQuit(): void {
    const win = this.current;
    if (!win) return;
    this.state?.saveNow(win);
    hide(win);
  }

  private create(route?: string): W {
    const placement = placeWindow(this.state?.load() ?? null, this.parts.workAreas());
    const win = this.parts.createWindow(placement, this.parts.darkMode() ? "dark" : "light");
    const contents = win.webContents;
    this.ownContents.add(contents);
    this.painted = false;
    win.once("ready-to-show", () => {
      if (this.win === win) this.painted = true;
      if (this.options.isQuitting()) return;
      if (placement.maximized) win.maximize();
      win.show();
      win.focus();
    });
    win.on("close", (event) => {
      this.state?.saveNow(win);
      if (this.options.isQuitting() || this.sessionEnding || !this.options.keepsRunningWhenClosed()) return;
      event.preventDefault();
      hide(win);
    });
    win.on("session-end", () => {
      this.sessionEnding = true;
    });
    win.on("closed", () => {
      this.ownContents.delete(contents);
      if (this.win === win) this.win = null;
    });
    if (this.state) {
      const state = this.state;
      const remember = () => state.saveSoon(win);
      for (const event of ["resize", "move", "maximize", "unmaximize"] as const)
        win.on(event as "resize", remember);
    }
    watchRenderer(win, {
      rendererUrl: this.parts.rendererUrl,
      isQuitting: this.options.isQuitting,
      now: () => Date.now(),
      showErrorBox: (title, content) => this.parts.dialog.showErrorBox(title, content),
      showMessageBox: (options, parent) => this.parts.dialog.showMessageBox(options, parent),
      warn: this.options.warn,
    });
    const url = route ? routeUrl(this.parts.rendererUrl, route) : this.parts.rendererUrl;
    // renderer-health.ts reports a failed load (did-fail-load).
    win.loadURL(url).catch(() => {});
    return win;
  }
}
