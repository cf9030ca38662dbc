/**
 * Entry of the Electron main process (dist/electron/main.cjs). Wiring only: the window, the tray, the
 * menu, the session's security policy, the engine host (a utilityProcess) and the IPC relay between
 * them. The logic lives in the small modules imported below, each tested without Electron.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  session,
  shell,
  Tray,
  utilityProcess,
  type WebContents,
} from "electron";
import { API_EVENTS, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from "../../shared/api.js";
import { defaultDataDir } from "../monitor/paths.js";
import { EngineClient } from "./engine-client.js";
import { EngineProcess } from "./engine-process.js";
import { createIpcRelay, pushEvent } from "./ipc-relay.js";
import { mainWindowOptions } from "./main-window.js";
import { appMenuTemplate, trayMenuTemplate } from "./menus.js";
import { appPaths } from "./paths.js";
import {
  denyPermissionCheck,
  denyPermissionRequest,
  hardenWebContents,
  rendererUrlFor,
  withCsp,
} from "./window-security.js";

const paths = appPaths(app.getAppPath());
const rendererUrl = rendererUrlFor(paths.rendererIndex);
const dataDir = defaultDataDir();

const ownContents = new Set<WebContents>();
let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null; // held here so that it is not garbage-collected

const client = new EngineClient();
const engine = new EngineProcess({
  client,
  fork: () =>
    utilityProcess.fork(paths.engineHost, [], {
      serviceName: "mcpscope engine",
      env: { ...process.env, MCPSCOPE_HOME: dataDir },
      stdio: "inherit",
    }),
  onGiveUp: (reason) => dialog.showErrorBox("mcpscope: the monitor engine stopped", reason),
});

function openExternal(url: string): void {
  shell.openExternal(url).catch((error: unknown) => console.warn(`mcpscope: could not open ${url}:`, error));
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(paths));
  const contents = win.webContents;
  ownContents.add(contents);
  win.once("ready-to-show", () => win.show());
  win.on("closed", () => {
    ownContents.delete(contents);
    if (mainWindow === win) mainWindow = null;
  });
  win.loadFile(paths.rendererIndex).catch((error: unknown) => {
    console.error(`mcpscope: could not load ${paths.rendererIndex} (run \`npm run build\`):`, error);
  });
  return win;
}

function showWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createWindow();
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function createTray(): Tray | null {
  try {
    const created = new Tray(nativeImage.createFromPath(paths.trayIcon));
    created.setToolTip("mcpscope");
    created.setContextMenu(
      Menu.buildFromTemplate(trayMenuTemplate({ open: showWindow, quit: () => app.quit() })),
    );
    created.on("click", showWindow);
    return created;
  } catch (error) {
    console.warn("mcpscope: no tray icon on this desktop:", error);
    return null;
  }
}

function onReady(): void {
  const { defaultSession } = session;
  defaultSession.setPermissionRequestHandler(denyPermissionRequest);
  defaultSession.setPermissionCheckHandler(denyPermissionCheck);
  defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(process.platform)));

  ipcMain.handle(
    IPC_INVOKE_CHANNEL,
    createIpcRelay({
      rendererUrl,
      isOwnWindow: (sender) => ownContents.has(sender as WebContents),
      engine: client,
      onRefused: (reason) => console.warn(`mcpscope: ${reason}`),
    }),
  );
  for (const event of Object.keys(API_EVENTS)) {
    client.subscribe(event, (payload) => pushEvent(ownContents, IPC_EVENT_CHANNEL, event, payload));
  }
  engine.start();

  tray = createTray();
  showWindow();
  app.on("activate", showWindow);
}

function start(): void {
  app.enableSandbox();
  app.on("web-contents-created", (_event, contents) =>
    hardenWebContents(contents, rendererUrl, openExternal),
  );
  app.on("second-instance", () => {
    if (app.isReady()) showWindow();
  });
  // The engine keeps monitoring with the window closed; the tray (or a second launch) brings it back.
  app.on("window-all-closed", () => {
    if (!tray) app.quit();
  });

  let quitting: "no" | "stopping" | "done" = "no";
  app.on("before-quit", (event) => {
    if (quitting === "done") return;
    event.preventDefault();
    if (quitting === "stopping") return;
    quitting = "stopping";
    engine.stop().finally(() => {
      quitting = "done";
      app.quit();
    });
  });

  app.whenReady().then(onReady, (error: unknown) => {
    console.error("mcpscope: Electron failed to start:", error);
    app.exit(1);
  });
}

if (app.requestSingleInstanceLock()) start();
else app.quit();
