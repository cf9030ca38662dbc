/**
 * Fakes of the Electron pieces the shell's wiring uses (ShellParts): an app that quits as Electron does
 * (before-quit may be prevented; otherwise every window closes), ipcMain, windows (whose close may be
 * prevented) and their pages, the tray, the notifier and the dialogs. The engine host is a FakeHostProcess that the test plays.
 */
import { EventEmitter } from "node:events";
import type { MenuItemConstructorOptions, MessageBoxOptions } from "electron";
import type { InvokeEventLike } from "../../electron/main/ipc-relay.js";
import type { LoginItem } from "../../electron/main/login-item.js";
import type { WindowPlacement } from "../../electron/main/main-window.js";
import type { NotificationRequest, Notifier } from "../../electron/main/notifier.js";
import type { TrayIconKind } from "../../electron/main/paths.js";
import type { ShellIpcMain, ShellParts, ShellTray } from "../../electron/main/shell-parts.js";
import type { Rect } from "../../electron/main/window-state.js";
import type { IpcReply } from "../../electron/preload/ipc-reply.js";
import type { ColourScheme } from "../../shared/theme.js";
import { FakeHostProcess } from "./fakes.js";

export class FakeContents extends EventEmitter {
  readonly sent: { channel: string; frame: { event: string; payload: unknown } }[] = [];
  readonly loaded: string[] = [];
  reloads = 0;
  /** Renderer processes killed by the app (a hung page's Reload). */
  crashedOnPurpose = 0;
  destroyed = false;
  isDestroyed() {
    return this.destroyed;
  }
  send(channel: string, frame: { event: string; payload: unknown }) {
    this.sent.push({ channel, frame });
  }
  async loadURL(url: string) {
    this.loaded.push(url);
  }
  reload() {
    this.reloads++;
  }
  forcefullyCrashRenderer() {
    this.crashedOnPurpose++;
    this.crash("killed", 0);
  }
  /** The page's renderer process goes away, as Chromium reports it. */
  crash(reason: string, exitCode: number) {
    this.emit("render-process-gone", {}, { reason, exitCode });
  }
}

/** A window as Electron keeps one: `close()` may be prevented by a "close" listener; `destroy()` may not. */
export class FakeWindow extends EventEmitter {
  readonly webContents = new FakeContents();
  readonly urls: string[] = [];
  minimized = false;
  maximized = false;
  fullScreen = false;
  visible = false;
  focused = false;
  destroyed = false;
  /** Bounds while neither maximized nor minimized. */
  bounds = { x: 0, y: 0, width: 0, height: 0 };
  constructor(
    readonly placement: WindowPlacement,
    readonly scheme: ColourScheme,
  ) {
    super();
    const { x = 100, y = 100, width, height } = placement.bounds;
    this.bounds = { x, y, width, height };
  }
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return this.minimized;
  }
  isMaximized() {
    return this.maximized;
  }
  isVisible() {
    return this.visible;
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  restore() {
    this.minimized = false;
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
    this.focused = false;
  }
  focus() {
    this.focused = true;
  }
  maximize() {
    this.maximized = true;
    this.visible = true;
    this.emit("maximize");
  }
  isFullScreen() {
    return this.fullScreen;
  }
  /** Leaving full screen is animated: the event comes later, when the test says (leaveFullScreen). */
  setFullScreen(flag: boolean) {
    if (flag) this.fullScreen = true;
  }
  leaveFullScreen() {
    this.fullScreen = false;
    this.emit("leave-full-screen");
  }
  async loadURL(url: string) {
    this.urls.push(url);
  }
  /** Its page painted for the first time. */
  paint() {
    this.emit("ready-to-show");
  }
  /** The user moves or resizes it (normal bounds). */
  moveTo(bounds: { x: number; y: number; width: number; height: number }) {
    this.bounds = bounds;
    this.emit("move");
    this.emit("resize");
  }
  /** The close button, or the app closing its windows on quit. */
  close() {
    let prevented = false;
    this.emit("close", { preventDefault: () => (prevented = true) });
    if (!prevented) this.destroy();
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.emit("closed");
  }
}

export class FakeApp extends EventEmitter {
  readyNow = true;
  /** How many times the app really quit (a before-quit nobody prevented). */
  quits = 0;
  windows: FakeWindow[] = [];
  isReady() {
    return this.readyNow;
  }
  quit() {
    let prevented = false;
    this.emit("before-quit", { preventDefault: () => (prevented = true) });
    if (prevented) return;
    for (const win of this.windows) if (!win.destroyed) win.close();
    this.quits++;
  }
  /** The user closes every window; Electron says all are closed only if none was kept. */
  closeAll() {
    for (const win of this.windows) if (!win.destroyed) win.close();
    if (this.windows.every((win) => win.destroyed)) this.emit("window-all-closed");
  }
  secondInstance(argv: string[] = []) {
    this.emit("second-instance", {}, argv);
  }
}

export class FakeIpcMain implements ShellIpcMain {
  readonly handlers = new Map<
    string,
    (event: InvokeEventLike, method: unknown, input: unknown) => Promise<IpcReply>
  >();
  handle(
    channel: string,
    listener: (event: InvokeEventLike, method: unknown, input: unknown) => Promise<IpcReply>,
  ) {
    if (this.handlers.has(channel)) throw new Error(`a second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
}

export class FakeTray implements ShellTray {
  icon: TrayIconKind | null = null;
  tooltip = "";
  menu: MenuItemConstructorOptions[] = [];
  readonly clickListeners: (() => void)[] = [];
  setIcon(kind: TrayIconKind) {
    this.icon = kind;
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setMenu(template: MenuItemConstructorOptions[]) {
    this.menu = template;
  }
  onClick(listener: () => void) {
    this.clickListeners.push(listener);
  }
  /** Clicks the top-level menu item with this label. */
  choose(label: string) {
    const item = this.menu.find((candidate) => candidate.label === label);
    if (!item) throw new Error(`no tray menu item "${label}"`);
    (item.click as () => void)();
  }
}

export class FakeNotifier implements Notifier {
  readonly shown: NotificationRequest[] = [];
  supported() {
    return true;
  }
  show(request: NotificationRequest) {
    this.shown.push(request);
  }
}

export interface FakeShell {
  parts: ShellParts<FakeWindow>;
  app: FakeApp;
  ipcMain: FakeIpcMain;
  hosts: FakeHostProcess[];
  tray: FakeTray;
  notifier: FakeNotifier;
  errorBoxes: string[];
  messageBoxes: string[];
  /** The buttons the next message boxes answer with (a promise: answered when the test says); then 1. */
  answers: (number | Promise<number>)[];
  boxOptions: MessageBoxOptions[];
  /** The window each box was attached to (null: none). */
  boxParents: (FakeWindow | null)[];
  saveDialogs: string[];
  saveParents: (FakeWindow | null)[];
  written: { path: string; data: Buffer }[];
  warnings: string[];
  /** Links handed to the OS browser. */
  opened: string[];
}

export function fakeShellParts(options: {
  tray?: boolean;
  hidden?: boolean;
  rendererUrl: string;
  saveTo?: string | null;
  /** The button every message box answers with when no answer is queued (default 1: Cancel in the app's questions). */
  messageBoxResponse?: number;
  dark?: boolean;
  workAreas?: Rect[];
  windowStateFile?: string;
}): FakeShell {
  const app = new FakeApp();
  const ipcMain = new FakeIpcMain();
  const hosts: FakeHostProcess[] = [];
  const tray = new FakeTray();
  const notifier = new FakeNotifier();
  const fake: Omit<FakeShell, "parts"> = {
    app,
    ipcMain,
    hosts,
    tray,
    notifier,
    errorBoxes: [],
    messageBoxes: [],
    answers: [],
    boxOptions: [],
    boxParents: [],
    saveDialogs: [],
    saveParents: [],
    written: [],
    warnings: [],
    opened: [],
  };
  const loginItem: LoginItem = { supported: false, enabled: () => false, set: () => {}, refresh: () => {} };
  const parts: ShellParts<FakeWindow> = {
    rendererUrl: options.rendererUrl,
    app,
    ipcMain,
    forkHost: () => {
      const host = new FakeHostProcess();
      hosts.push(host);
      return host;
    },
    createWindow: (placement, scheme) => {
      const win = new FakeWindow(placement, scheme);
      app.windows.push(win);
      return win;
    },
    darkMode: () => options.dark ?? false,
    workAreas: () => options.workAreas ?? [{ x: 0, y: 0, width: 1920, height: 1050 }],
    windowStateFile: options.windowStateFile ?? null,
    createTray: () => {
      if (options.tray === false) throw new Error("no StatusNotifierWatcher");
      return tray;
    },
    notifier,
    dialog: {
      showErrorBox: (title, content) => void fake.errorBoxes.push(`${title}: ${content}`),
      showMessageBox: (box, parent) => {
        fake.messageBoxes.push(box.message);
        fake.boxOptions.push(box);
        fake.boxParents.push(parent);
        const answer = fake.answers.shift();
        if (answer instanceof Promise) return answer.then((response) => ({ response }));
        return Promise.resolve({ response: answer ?? options.messageBoxResponse ?? 1 });
      },
      showSaveDialog: async (dialog, parent) => {
        fake.saveDialogs.push(dialog.defaultPath);
        fake.saveParents.push(parent);
        const saveTo = options.saveTo ?? null;
        return saveTo ? { canceled: false, filePath: saveTo } : { canceled: true };
      },
    },
    openInBrowser: async (url) => void fake.opened.push(url),
    writeFile: async (path, data) => void fake.written.push({ path, data }),
    openFile: async (path) => {
      const parts: Buffer[] = [];
      return {
        write: async (data) => void parts.push(Buffer.from(data)),
        commit: async () => void fake.written.push({ path, data: Buffer.concat(parts) }),
        abort: async () => {},
      };
    },
    showItemInFolder: () => {},
    downloadsDir: "/home/user/Downloads",
    loginItem,
    launchedHidden: () => options.hidden ?? false,
    warn: (line) => void fake.warnings.push(line),
    shutdownTimeoutMs: 60_000,
  };
  return { ...fake, parts };
}
