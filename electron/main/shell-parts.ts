/**
 * The Electron pieces the main process's wiring uses, as narrow interfaces. index.ts adapts the real
 * `electron` modules to them; tests pass fakes. Type-only imports: nothing here loads `electron`.
 */
import type { MessageBoxOptions } from "electron";
import type { ColourScheme } from "../../shared/theme.js";
import type { IpcReply } from "../preload/ipc-reply.js";
import type { HostProcess } from "./engine-process.js";
import type { EventSink, InvokeEventLike } from "./ipc-relay.js";
import type { LoginItem } from "./login-item.js";
import type { WindowPlacement } from "./main-window.js";
import type { Notifier } from "./notifier.js";
import type { WatchedContents, WatchedWindow } from "./renderer-health.js";
import type { ReportSaverParts } from "./report-saver.js";
import type { TrayState } from "./tray-state.js";
import type { PlacedWindow, Rect } from "./window-state.js";

/** A window's webContents: the target of pushed events and of a route change; its page's health. */
export interface ShellWebContents extends EventSink, WatchedContents {
  loadURL(url: string): Promise<unknown>;
}

/** One app window (Electron's BrowserWindow). */
export interface ShellWindow extends WatchedWindow, PlacedWindow {
  readonly webContents: ShellWebContents;
  isMinimized(): boolean;
  isVisible(): boolean;
  restore(): void;
  show(): void;
  hide(): void;
  focus(): void;
  maximize(): void;
  isFullScreen(): boolean;
  setFullScreen(flag: boolean): void;
  once(event: "ready-to-show", listener: () => void): unknown;
  once(event: "leave-full-screen", listener: () => void): unknown;
  on(event: "close", listener: (event: PreventableEvent) => void): unknown;
  on(event: "closed", listener: () => void): unknown;
  on(event: "resize", listener: () => void): unknown;
  on(event: "move", listener: () => void): unknown;
  on(event: "maximize", listener: () => void): unknown;
  on(event: "unmaximize", listener: () => void): unknown;
  /** Windows only: the OS session ends (log off, shut down); a close then must not be held back. */
  on(event: "session-end", listener: () => void): unknown;
  on(event: "unresponsive", listener: () => void): unknown;
  on(event: "responsive", listener: () => void): unknown;
  loadURL(url: string): Promise<unknown>;
}

export interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of Electron's `app` the wiring listens to and drives. */
export interface ShellApp {
  on(event: "second-instance", listener: (event: unknown, argv: string[]) => void): unknown;
  on(event: "window-all-closed" | "activate", listener: () => void): unknown;
  on(event: "before-quit", listener: (event: PreventableEvent) => void): unknown;
  isReady(): boolean;
  quit(): void;
}

/** Electron's ipcMain, as far as the typed API's relay needs it. */
export interface ShellIpcMain {
  handle(
    channel: string,
    listener: (event: InvokeEventLike, method: unknown, input: unknown) => Promise<IpcReply>,
  ): void;
}

/** The tray icon: its state (tray-state.ts) and its click. */
export interface ShellTray extends TrayState {
  onClick(listener: () => void): void;
}

/** Native dialogs, attached to `parent` when the window is open. */
export interface ShellDialogs<W> {
  showErrorBox(title: string, content: string): void;
  showMessageBox(options: MessageBoxOptions, parent: W | null): Promise<{ response: number }>;
  showSaveDialog(
    options: Parameters<ReportSaverParts["showSaveDialog"]>[0],
    parent: W | null,
  ): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface ShellParts<W extends ShellWindow> {
  /** The renderer's page (app://mcpscope/index.html). */
  rendererUrl: string;
  app: ShellApp;
  ipcMain: ShellIpcMain;
  /** Forks the engine host (a utilityProcess). */
  forkHost(): HostProcess;
  /** A new, hidden main window (mainWindowOptions), placed and coloured as given. */
  createWindow(placement: WindowPlacement, scheme: ColourScheme): W;
  /** Whether the OS uses a dark colour scheme (nativeTheme.shouldUseDarkColors). */
  darkMode(): boolean;
  /** The work areas of the screens, the primary first (screen.getAllDisplays). */
  workAreas(): Rect[];
  /** Where the window's size and place are remembered (window-state.ts); null: not remembered. */
  windowStateFile: string | null;
  /** The tray icon; throws on a desktop that has none. */
  createTray(): ShellTray;
  notifier: Notifier;
  dialog: ShellDialogs<W>;
  /** Opens a web link in the OS browser. */
  openInBrowser(url: string): Promise<void>;
  writeFile(path: string, data: Buffer): Promise<void>;
  /** Opens a file the user chose to be written in pieces (report-saver.ts). */
  openFile: ReportSaverParts["openFile"];
  showItemInFolder(path: string): void;
  /** Where Save dialogs start (the Downloads folder). */
  downloadsDir: string;
  loginItem: LoginItem;
  /** Whether this launch should wait in the tray (started at login). */
  launchedHidden(): boolean;
  /** Where the wiring reports what the user need not see (default console.warn). */
  warn?(line: string): void;
  /** The engine host's shutdown timeout (default 5 s). */
  shutdownTimeoutMs?: number;
}
