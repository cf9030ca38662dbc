/**
 * Entry of the Electron main process (dist/electron/main.cjs). Wiring only: the window, the tray and its
 * alerts, native notifications, start at login, the menu, the session's security policy, the app://
 * scheme the renderer is served from, the confirmation before an external link opens, the engine host
 * (a utilityProcess) and the IPC relay between them. The logic lives in the small modules imported below,
 * each tested without Electron.
 */
import { writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname } from "node:path";
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  nativeImage,
  net,
  protocol,
  session,
  shell,
  Tray,
  utilityProcess,
  type WebContents,
} from "electron";
import { AlertsSnapshotSchema, DesktopNotificationSchema } from "../../shared/alerts.js";
import { API_EVENTS, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from "../../shared/api.js";
import { defaultDataDir } from "../monitor/paths.js";
import { createAlertActions } from "./alert-actions.js";
import { AlertNotifications } from "./alert-notifications.js";
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler, RENDERER_URL } from "./app-protocol.js";
import { EngineClient } from "./engine-client.js";
import { EngineProcess } from "./engine-process.js";
import { confirmLinkDialog, createLinkOpener } from "./external-links.js";
import { createIpcRelay, pushEvent } from "./ipc-relay.js";
import { createLoginItem, HIDDEN_ARG, launchedHidden } from "./login-item.js";
import { mainWindowOptions } from "./main-window.js";
import { appMenuTemplate } from "./menus.js";
import { APP_USER_MODEL_ID, electronNotifier } from "./notifier.js";
import { appPaths } from "./paths.js";
import { alertsRoute, routeUrl } from "./renderer-routes.js";
import { createFileSaver, createReportSaver, type ReportSaverParts } from "./report-saver.js";
import { electronTrayState, TrayPresenter } from "./tray-state.js";
import { denyPermissionCheck, denyPermissionRequest, hardenWebContents, withCsp } from "./window-security.js";

const paths = appPaths(app.getAppPath());
const rendererUrl = RENDERER_URL;
const dataDir = defaultDataDir();

const ownContents = new Set<WebContents>();
let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null; // held here so that it is not garbage-collected
let trayPresenter: TrayPresenter | null = null;

const client = new EngineClient();
const engine = new EngineProcess({
  client,
  fork: () => {
    // Until the new engine's first alerts.changed, the tray does not claim to know the alerts.
    trayPresenter?.update(null);
    return utilityProcess.fork(paths.engineHost, [], {
      serviceName: "mcpscope engine",
      env: { ...process.env, MCPSCOPE_HOME: dataDir },
      stdio: "inherit",
    });
  },
  onGiveUp: (reason) => {
    trayPresenter?.update(null);
    dialog.showErrorBox("mcpscope: the monitor engine stopped", reason);
  },
});

const loginItem = createLoginItem({
  platform: process.platform,
  env: process.env,
  homeDir: homedir(),
  execPath: process.execPath,
  // `electron <folder>` in development: the folder is part of the command.
  appArgs: process.defaultApp ? [app.getAppPath()] : [],
  app,
});

function reportError(message: string): void {
  console.warn(`mcpscope: ${message}`);
  dialog.showMessageBox({ type: "error", title: "mcpscope", message }).catch(() => {});
}

const alertActions = createAlertActions(client, reportError);
const saverParts: ReportSaverParts = {
  engine: client,
  showSaveDialog: (options) =>
    mainWindow && !mainWindow.isDestroyed()
      ? dialog.showSaveDialog(mainWindow, options)
      : dialog.showSaveDialog(options),
  showMessageBox: (options) => dialog.showMessageBox(options),
  writeFile: (path, data) => writeFile(path, data),
  showItemInFolder: (path) => shell.showItemInFolder(path),
  defaultDir: app.getPath("downloads"),
};
const saveReport = createReportSaver(saverParts);
const saveFile = createFileSaver(saverParts);
const alertNotifications = new AlertNotifications({
  notifier: electronNotifier(Notification, { platform: process.platform }),
  open: (alertId) => showWindow(alertsRoute(alertId)),
});

const openLink = createLinkOpener({
  confirm: async (url) => {
    const options = confirmLinkDialog(url);
    const parent = mainWindow && !mainWindow.isDestroyed() ? mainWindow : null;
    const { response } = parent
      ? await dialog.showMessageBox(parent, options)
      : await dialog.showMessageBox(options);
    return response === 0;
  },
  open: (url) => shell.openExternal(url),
  warn: (message) => console.warn(`mcpscope: ${message}`),
});

function openExternal(url: string): void {
  void openLink(url);
}

function createWindow(route?: string): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(paths, app.isPackaged));
  const contents = win.webContents;
  ownContents.add(contents);
  win.once("ready-to-show", () => win.show());
  win.on("closed", () => {
    ownContents.delete(contents);
    if (mainWindow === win) mainWindow = null;
  });
  win.loadURL(route ? routeUrl(rendererUrl, route) : rendererUrl).catch((error: unknown) => {
    console.error(`mcpscope: could not load ${paths.rendererIndex} (run \`npm run build\`):`, error);
  });
  return win;
}

/** Shows the window, on `route` if given (renderer-routes.ts: the renderer follows the hash). */
function showWindow(route?: string): void {
  if (!mainWindow || mainWindow.isDestroyed()) {
    mainWindow = createWindow(route);
  } else if (route) {
    mainWindow.webContents.loadURL(routeUrl(rendererUrl, route)).catch((error: unknown) => {
      console.warn(`mcpscope: could not open ${route}:`, error);
    });
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function startAtLogin(): boolean | null {
  if (!loginItem.supported) return null;
  try {
    return loginItem.enabled();
  } catch {
    return null;
  }
}

function createTray(): void {
  try {
    tray = new Tray(nativeImage.createFromPath(paths.trayIcons.ok));
  } catch (error) {
    console.warn("mcpscope: no tray icon on this desktop:", error);
    return;
  }
  const created = tray;
  trayPresenter = new TrayPresenter(
    electronTrayState({
      tray: created,
      image: (kind) => nativeImage.createFromPath(paths.trayIcons[kind]),
      buildMenu: (template) => Menu.buildFromTemplate(template),
    }),
    {
      startAtLogin,
      actions: {
        open: () => showWindow(),
        openAlert: (id) => showWindow(alertsRoute(id)),
        openAlerts: () => showWindow(alertsRoute()),
        silence: (alert) => alertActions.silence(alert),
        pause: () => alertActions.pause(),
        resume: () => alertActions.resume(),
        setStartAtLogin: (enabled) => {
          try {
            loginItem.set(enabled);
          } catch (error) {
            reportError(
              `Could not change "Start at login": ${error instanceof Error ? error.message : error}`,
            );
          }
          trayPresenter?.render();
        },
        exportLastWeek: () => {
          saveReport({ format: "pdf", period: "week" }).catch((error: unknown) =>
            reportError(`Could not export the report: ${error instanceof Error ? error.message : error}`),
          );
        },
        quit: () => app.quit(),
      },
    },
  );
  trayPresenter.render();
  // Windows and macOS report a click; on Linux (StatusNotifierItem) it may never come, so the menu has it all.
  created.on("click", () => showWindow());
}

function followAlerts(): void {
  client.subscribe("alerts.changed", (payload) => {
    const snapshot = AlertsSnapshotSchema.safeParse(payload);
    if (snapshot.success) {
      alertNotifications.update(snapshot.data);
      trayPresenter?.update(snapshot.data);
    } else {
      console.warn("mcpscope: ignored a malformed alerts.changed from the engine");
    }
  });
  client.subscribe("alerts.notify", (payload) => {
    const notification = DesktopNotificationSchema.safeParse(payload);
    if (notification.success) alertNotifications.notify(notification.data);
    else console.warn("mcpscope: ignored a malformed alerts.notify from the engine");
  });
}

function onReady(): void {
  protocol.handle(
    APP_SCHEME,
    appProtocolHandler(dirname(paths.rendererIndex), (url) => net.fetch(url)),
  );
  const { defaultSession } = session;
  defaultSession.setPermissionRequestHandler(denyPermissionRequest);
  defaultSession.setPermissionCheckHandler(denyPermissionCheck);
  defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(process.platform, app.isPackaged)));

  ipcMain.handle(
    IPC_INVOKE_CHANNEL,
    createIpcRelay({
      rendererUrl,
      isOwnWindow: (sender) => ownContents.has(sender as WebContents),
      engine: client,
      local: { "reports.save": saveReport, "files.save": (file) => saveFile(file) },
      onRefused: (reason) => console.warn(`mcpscope: ${reason}`),
    }),
  );
  for (const event of Object.keys(API_EVENTS)) {
    client.subscribe(event, (payload) => pushEvent(ownContents, IPC_EVENT_CHANNEL, event, payload));
  }
  createTray();
  followAlerts();
  engine.start();

  try {
    loginItem.refresh();
  } catch (error) {
    console.warn("mcpscope: could not update the start-at-login entry:", error);
  }
  // Started at login, the app waits in the tray — unless there is no tray to wait in.
  if (!tray || !launchedHidden(process.argv, process.platform, app)) showWindow();
  app.on("activate", () => showWindow());
}

function start(): void {
  // Windows shows no notification from an app without its AppUserModelID (the installer's shortcut has it).
  if (process.platform === "win32") app.setAppUserModelId(APP_USER_MODEL_ID);
  app.enableSandbox();
  // Before the app is ready, as Electron requires: the renderer's own scheme (app-protocol.ts).
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.on("web-contents-created", (_event, contents) =>
    hardenWebContents(contents, rendererUrl, openExternal, { packaged: app.isPackaged }),
  );
  app.on("second-instance", (_event, argv) => {
    if (app.isReady() && !argv.includes(HIDDEN_ARG)) showWindow();
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
