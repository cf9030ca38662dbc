/**
 * Entry of the Electron main process (dist/electron/main.cjs): the adapter from the real `electron`
 * modules to the shell's wiring (shell.ts, over shell-parts.ts), plus what only Electron itself can take —
 * the sandbox, the app:// scheme the renderer is served from, the session's security policy and the menu.
 * Every decision lives in the small modules imported below, each tested without Electron.
 */
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import {
  app,
  BrowserWindow,
  dialog,
  shell as electronShell,
  ipcMain,
  Menu,
  Notification,
  nativeImage,
  nativeTheme,
  net,
  protocol,
  screen,
  session,
  Tray,
  utilityProcess,
} from "electron";
import { defaultDataDir } from "../monitor/paths.js";
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler, RENDERER_URL } from "./app-protocol.js";
import { appCommandDirection, type Direction, moveHistory } from "./history-nav.js";
import { createLoginItem, launchedHidden } from "./login-item.js";
import { mainWindowOptions } from "./main-window.js";
import { appMenuTemplate } from "./menus.js";
import { APP_USER_MODEL_ID, electronNotifier } from "./notifier.js";
import { appPaths } from "./paths.js";
import { installErrorPolicy, whenReady } from "./process-errors.js";
import { savedFileOpener, savedFileWriter } from "./report-saver.js";
import { createShell } from "./shell.js";
import type { ShellTray } from "./shell-parts.js";
import { electronTrayState } from "./tray-state.js";
import {
  hardenWebContents,
  permissionCheckHandler,
  permissionRequestHandler,
  withCsp,
} from "./window-security.js";

const paths = appPaths(app.getAppPath());

function electronTray(): ShellTray {
  const tray = new Tray(nativeImage.createFromPath(paths.trayIcons.ok));
  const state = electronTrayState({
    tray,
    image: (kind) => nativeImage.createFromPath(paths.trayIcons[kind]),
    buildMenu: (template) => Menu.buildFromTemplate(template),
  });
  return { ...state, onClick: (listener) => void tray.on("click", () => listener()) };
}

function secureSession(): void {
  protocol.handle(
    APP_SCHEME,
    appProtocolHandler(dirname(paths.rendererIndex), (url) => net.fetch(url)),
  );
  const { defaultSession } = session;
  defaultSession.setPermissionRequestHandler(permissionRequestHandler(RENDERER_URL));
  defaultSession.setPermissionCheckHandler(permissionCheckHandler(RENDERER_URL));
  defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
  const go = (direction: Direction) => moveHistory(BrowserWindow.getFocusedWindow()?.webContents, direction);
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(process.platform, app.isPackaged, go)));
}

function start(): void {
  installErrorPolicy(process, {
    log: (line) => console.error(line),
    showErrorBox: (title, content) => dialog.showErrorBox(title, content),
    quit: () => app.quit(),
  });
  // Windows shows no notification from an app without its AppUserModelID (the installer's shortcut has it).
  if (process.platform === "win32") app.setAppUserModelId(APP_USER_MODEL_ID);
  app.enableSandbox();
  // Before the app is ready, as Electron requires: the renderer's own scheme (app-protocol.ts).
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

  const dataDir = defaultDataDir();
  const shell = createShell<BrowserWindow>({
    rendererUrl: RENDERER_URL,
    app,
    ipcMain,
    forkHost: () =>
      utilityProcess.fork(paths.engineHost, [], {
        serviceName: "mcpscope engine",
        env: { ...process.env, MCPSCOPE_HOME: dataDir },
        stdio: "inherit",
      }),
    createWindow: (placement, scheme) => {
      const win = new BrowserWindow(mainWindowOptions(paths, app.isPackaged, placement, scheme));
      win.on("app-command", (_event, command) => {
        const direction = appCommandDirection(command);
        if (direction) moveHistory(win.webContents, direction);
      });
      return win;
    },
    darkMode: () => nativeTheme.shouldUseDarkColors,
    workAreas: () => {
      const primary = screen.getPrimaryDisplay();
      return [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
    },
    windowStateFile: join(app.getPath("userData"), "window-state.json"),
    createTray: electronTray,
    notifier: electronNotifier(Notification, { platform: process.platform }),
    dialog: {
      showErrorBox: (title, content) => dialog.showErrorBox(title, content),
      showMessageBox: (options, parent) =>
        parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options),
      showSaveDialog: (options, parent) =>
        parent ? dialog.showSaveDialog(parent, options) : dialog.showSaveDialog(options),
    },
    openInBrowser: (url) => electronShell.openExternal(url),
    writeFile: savedFileWriter(dataDir),
    openFile: savedFileOpener(dataDir),
    showItemInFolder: (path) => electronShell.showItemInFolder(path),
    downloadsDir: app.getPath("downloads"),
    loginItem: createLoginItem({
      platform: process.platform,
      env: process.env,
      homeDir: homedir(),
      execPath: process.execPath,
      // `electron <folder>` in development: the folder is part of the command.
      appArgs: process.defaultApp ? [app.getAppPath()] : [],
      app,
    }),
    launchedHidden: () => launchedHidden(process.argv, process.platform, app),
  });
  app.on("web-contents-created", (_event, contents) =>
    hardenWebContents(contents, RENDERER_URL, shell.openExternal, { packaged: app.isPackaged }),
  );

  void whenReady(
    app.whenReady(),
    () => {
      secureSession();
      shell.ready();
    },
    (error: unknown) => {
      console.error("mcpscope: Electron failed to start:", error);
      app.exit(1);
    },
  );
}

if (app.requestSingleInstanceLock()) start();
else app.quit();
