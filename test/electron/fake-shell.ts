/**
 * Fakes of the Electron pieces the shell's wiring uses (ShellParts): an app that quits as Electron does
 * (before-quit may be prevented; otherwise every window closes), ipcMain, windows, the tray, the notifier
 * and the dialogs. The engine host is a FakeHostProcess that the test plays.
 */
import { EventEmitter } from "node:events";
import type { MenuItemConstructorOptions } from "electron";
import type { InvokeEventLike } from "../../electron/main/ipc-relay.js";
import type { LoginItem } from "../../electron/main/login-item.js";
import type { NotificationRequest, Notifier } from "../../electron/main/notifier.js";
import type { TrayIconKind } from "../../electron/main/paths.js";
import type { ShellIpcMain, ShellParts, ShellTray } from "../../electron/main/shell-parts.js";
import type { IpcReply } from "../../electron/preload/ipc-reply.js";
import { FakeHostProcess } from "./fakes.js";

export class FakeContents {
  readonly sent: { channel: string; frame: { event: string; payload: unknown } }[] = [];
  readonly loaded: string[] = [];
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
}

export class FakeWindow extends EventEmitter {
  readonly webContents = new FakeContents();
  readonly urls: string[] = [];
  minimized = false;
  visible = false;
  focused = false;
  destroyed = false;
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  show() {
    this.visible = true;
  }
  focus() {
    this.focused = true;
  }
  async loadURL(url: string) {
    this.urls.push(url);
  }
  close() {
    this.destroyed = true;
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
  /** The user closes every window. */
  closeAll() {
    for (const win of this.windows) if (!win.destroyed) win.close();
    this.emit("window-all-closed");
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
  saveDialogs: string[];
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
  /** The button every message box answers with (default 1: Cancel in the app's questions). */
  messageBoxResponse?: number;
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
    saveDialogs: [],
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
    createWindow: () => {
      const win = new FakeWindow();
      app.windows.push(win);
      return win;
    },
    createTray: () => {
      if (options.tray === false) throw new Error("no StatusNotifierWatcher");
      return tray;
    },
    notifier,
    dialog: {
      showErrorBox: (title, content) => void fake.errorBoxes.push(`${title}: ${content}`),
      showMessageBox: async (box) => {
        fake.messageBoxes.push(box.message);
        return { response: options.messageBoxResponse ?? 1 };
      },
      showSaveDialog: async (dialog) => {
        fake.saveDialogs.push(dialog.defaultPath);
        const saveTo = options.saveTo ?? null;
        return saveTo ? { canceled: false, filePath: saveTo } : { canceled: true };
      },
    },
    openInBrowser: async (url) => void fake.opened.push(url),
    writeFile: async (path, data) => void fake.written.push({ path, data }),
    showItemInFolder: () => {},
    downloadsDir: "/home/user/Downloads",
    loginItem,
    launchedHidden: () => options.hidden ?? false,
    warn: (line) => void fake.warnings.push(line),
    shutdownTimeoutMs: 60_000,
  };
  return { ...fake, parts };
}
