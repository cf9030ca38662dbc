/**
 * What the Electron main process wires together, over the narrow ShellParts (shell-parts.ts): the engine
 * host behind an EngineClient, the IPC relay and the events pushed to the window, the window (app-window.ts),
 * the tray and the native notifications following the alerts, report saving, a second launch and quitting.
 * index.ts adapts the real `electron` modules to ShellParts; the tests drive this with fakes.
 */

import { AlertNotifications } from "../../shared/alert-notifications.js";
import { AlertsSnapshotSchema, DesktopNotificationSchema } from "../../shared/alerts.js";
import { API_EVENTS, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from "../../shared/api.js";
import type { EngineState } from "../../shared/engine-state.js";
import { createAlertActions } from "./alert-actions.js";
import { AppWindow } from "./app-window.js";
import { createCallsSaver } from "./calls-saver.js";
import { EngineClient } from "./engine-client.js";
import { EngineProcess } from "./engine-process.js";
import { confirmLinkDialog, createLinkOpener } from "./external-links.js";
import { createIpcRelay, pushEvent } from "./ipc-relay.js";
import { HIDDEN_ARG } from "./login-item.js";
import { alertsRoute } from "./renderer-routes.js";
import { createFileSaver, createReportSaver, type ReportSaverParts } from "./report-saver.js";
import { createRequestConsent } from "./request-consent.js";
import type { ShellParts, ShellTray, ShellWebContents, ShellWindow } from "./shell-parts.js";
import { TrayPresenter } from "./tray-state.js";

export interface Shell<W extends ShellWindow> {
  readonly client: EngineClient;
  readonly engine: EngineProcess;
  /** The window, while one is open. */
  readonly window: W | null;
  /** Whether the tray icon exists (the app then keeps running with its window closed). */
  readonly hasTray: boolean;
  /** Once the app is ready: IPC, tray, alerts, the engine, then the window (unless started hidden). */
  ready(): void;
  /** Shows the window, on `route` if given (renderer-routes.ts: the renderer follows the hash). */
  showWindow(route?: string): void;
  /** A link the renderer opens: to the OS browser, after asking unless trusted (external-links.ts). */
  openExternal(url: string): void;
}

type QuitState = "no" | "stopping" | "done";

/** Wires the app; listens to `app` at once (second launch, windows closed, quit). Call `ready()` later. */
export function createShell<W extends ShellWindow>(parts: ShellParts<W>): Shell<W> {
  const warn = parts.warn ?? ((line: string) => console.warn(`mcpscope: ${line}`));
  let tray: ShellTray | null = null;
  let trayPresenter: TrayPresenter | null = null;
  let quitting: QuitState = "no";
  const appWindow = new AppWindow(parts, {
    keepsRunningWhenClosed: () => tray !== null,
    isQuitting: () => quitting !== "no",
    warn,
  });
  const ownContents = appWindow.ownContents;
  const liveWindow = (): W | null => appWindow.current;
  /**
   * The window a dialog belongs to: the app's window only while it shows. Closing it hides it, and a sheet
   * on a hidden window (macOS) never shows and never answers; with no parent the dialog stands alone.
   */
  const dialogParent = (): W | null => {
    const win = appWindow.current;
    return win?.isVisible() && !win.isMinimized() ? win : null;
  };

  const client = new EngineClient({ onReady: () => engine.hostReady() });
  const engine: EngineProcess = new EngineProcess({
    client,
    // The window shows it (no figures while the engine is away), and the tray once it gave up.
    onState: (state: EngineState) => {
      pushEvent(ownContents, IPC_EVENT_CHANNEL, "engine.state", state);
      trayPresenter?.engine(state);
    },
    fork: () => {
      // Until the new engine's first alerts.changed, the tray does not claim to know the alerts.
      trayPresenter?.update(null);
      return parts.forkHost();
    },
    onGiveUp: (reason) => {
      trayPresenter?.update(null);
      parts.dialog.showErrorBox("mcpscope: the monitor engine stopped", reason);
    },
    log: warn,
    ...(parts.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: parts.shutdownTimeoutMs }),
  });

  function reportError(message: string): void {
    warn(message);
    parts.dialog.showMessageBox({ type: "error", title: "mcpscope", message }, null).catch(() => {});
  }

  const alertActions = createAlertActions(client, reportError);
  const saverParts: ReportSaverParts = {
    engine: client,
    showSaveDialog: (options) => parts.dialog.showSaveDialog(options, dialogParent()),
    showMessageBox: (options) => parts.dialog.showMessageBox(options, null),
    writeFile: (path, data) => parts.writeFile(path, data),
    openFile: (path) => parts.openFile(path),
    showItemInFolder: (path) => parts.showItemInFolder(path),
    defaultDir: parts.downloadsDir,
  };
  const saveReport = createReportSaver(saverParts);
  const saveFile = createFileSaver(saverParts);
  const saveCalls = createCallsSaver(saverParts);
  const alertNotifications = new AlertNotifications({
    notifier: parts.notifier,
    open: (alertId) => showWindow(alertsRoute(alertId)),
  });

  const openLink = createLinkOpener({
    confirm: async (url) =>
      (await parts.dialog.showMessageBox(confirmLinkDialog(url), dialogParent())).response === 0,
    open: (url) => parts.openInBrowser(url),
    warn,
  });

  function showWindow(route?: string): void {
    appWindow.show(route);
  }

  function startAtLogin(): boolean | null {
    if (!parts.loginItem.supported) return null;
    try {
      return parts.loginItem.enabled();
    } catch {
      return null;
    }
  }

  function createTray(): void {
    try {
      tray = parts.createTray();
    } catch (error) {
      warn(`no tray icon on this desktop: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const presenter = new TrayPresenter(tray, {
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
            parts.loginItem.set(enabled);
          } catch (error) {
            reportError(
              `Could not change "Start at login": ${error instanceof Error ? error.message : error}`,
            );
          }
          presenter.render();
        },
        restartEngine: () => engine.restart(),
        exportLastWeek: () => {
          saveReport({ format: "pdf", period: "week" }, { confirm: true }).catch((error: unknown) =>
            reportError(`Could not export the report: ${error instanceof Error ? error.message : error}`),
          );
        },
        quit: () => parts.app.quit(),
      },
    });
    trayPresenter = presenter;
    presenter.render();
    // Windows and macOS report a click; on Linux (StatusNotifierItem) it may never come, so the menu has it all.
    tray.onClick(() => showWindow());
  }

  function followAlerts(): void {
    client.subscribe("alerts.changed", (payload) => {
      const snapshot = AlertsSnapshotSchema.safeParse(payload);
      if (snapshot.success) {
        alertNotifications.update(snapshot.data);
        trayPresenter?.update(snapshot.data);
      } else {
        warn("ignored a malformed alerts.changed from the engine");
      }
    });
    client.subscribe("alerts.notify", (payload) => {
      const notification = DesktopNotificationSchema.safeParse(payload);
      if (notification.success) alertNotifications.notify(notification.data);
      else warn("ignored a malformed alerts.notify from the engine");
    });
  }

  function ready(): void {
    parts.ipcMain.handle(
      IPC_INVOKE_CHANNEL,
      createIpcRelay({
        rendererUrl: parts.rendererUrl,
        isOwnWindow: (sender) => ownContents.has(sender as ShellWebContents),
        engine: client,
        // The renderer confirms these saves with its own toast.
        local: {
          "reports.save": (input) => saveReport(input),
          "files.save": (file) => saveFile(file),
          "calls.save": (input) => saveCalls(input),
          "engine.state": async () => engine.state,
        },
        beforeForward: createRequestConsent({
          engine: client,
          ask: (options) => parts.dialog.showMessageBox(options, dialogParent()),
        }),
        onRefused: warn,
      }),
    );
    for (const event of Object.keys(API_EVENTS)) {
      client.subscribe(event, (payload) => pushEvent(ownContents, IPC_EVENT_CHANNEL, event, payload));
    }
    createTray();
    followAlerts();
    engine.start();

    try {
      parts.loginItem.refresh();
    } catch (error) {
      warn(`could not update the start-at-login entry: ${error instanceof Error ? error.message : error}`);
    }
    // Started at login, the app waits in the tray — unless there is no tray to wait in.
    if (!tray || !parts.launchedHidden()) showWindow();
    parts.app.on("activate", () => showWindow());
  }

  parts.app.on("second-instance", (_event, argv) => {
    if (parts.app.isReady() && !argv.includes(HIDDEN_ARG)) showWindow();
  });
  // The engine keeps monitoring with the window closed; the tray (or a second launch) brings it back.
  parts.app.on("window-all-closed", () => {
    if (!tray) parts.app.quit();
  });
  parts.app.on("before-quit", (event) => {
    if (quitting === "done") return;
    event.preventDefault();
    if (quitting === "stopping") return;
    quitting = "stopping";
    // The user asked to quit: nothing of the app stays on screen while the engine stops its servers.
    appWindow.hideForQuit();
    trayPresenter?.dispose();
    alertNotifications.dispose();
    engine.stop().finally(() => {
      quitting = "done";
      parts.app.quit();
    });
  });

  return {
    client,
    engine,
    get window() {
      return liveWindow();
    },
    get hasTray() {
      return tray !== null;
    },
    ready,
    showWindow,
    openExternal: (url) => void openLink(url),
  };
}
