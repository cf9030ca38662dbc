/**
 * What the app does when its window's page goes wrong: a crashed page (render-process-gone) is reloaded,
 * unless it keeps crashing — then one error box says why and the page is left for the user to reload
 * (View → Reload); a hung page offers Wait or Reload, as Chrome does, and the question goes away by itself
 * if the page recovers; a page that cannot load (or loads as a 404) says in one line what to do.
 */
import type { MessageBoxOptions } from "electron";
import { isRendererUrl } from "./window-security.js";

/** Crashes within this long of each other count towards giving up. */
export const CRASH_WINDOW_MS = 60_000;
/** The crash that gives up (the earlier ones reload the page). */
export const CRASH_LIMIT = 3;
/** Chromium's ERR_ABORTED: a load replaced by another (a route change), not a failure. */
const LOAD_ABORTED = -3;

/** Counts a page's crashes; says when they come too often to keep reloading. */
export class CrashCounter {
  private times: number[] = [];

  constructor(
    private readonly limit = CRASH_LIMIT,
    private readonly windowMs = CRASH_WINDOW_MS,
  ) {}

  /** Records a crash at `now`; true when it is the limit-th within the window (the count then restarts). */
  record(now: number): boolean {
    this.times = [...this.times.filter((time) => now - time < this.windowMs), now];
    if (this.times.length < this.limit) return false;
    this.times = [];
    return true;
  }
}

/** What is watched of a window's webContents. */
export interface WatchedContents {
  reload(): void;
  forcefullyCrashRenderer(): void;
  on(
    event: "render-process-gone",
    listener: (event: unknown, details: { reason: string; exitCode: number }) => void,
  ): unknown;
  on(
    event: "did-fail-load",
    listener: (
      event: unknown,
      errorCode: number,
      errorDescription: string,
      validatedURL: string,
      isMainFrame: boolean,
    ) => void,
  ): unknown;
  /** A main-frame navigation that committed, with its response's status (a 404 is no failed load). */
  on(
    event: "did-navigate",
    listener: (event: unknown, url: string, httpResponseCode: number, httpStatusText: string) => void,
  ): unknown;
}

/** What is watched of a window. */
export interface WatchedWindow {
  readonly webContents: WatchedContents;
  isDestroyed(): boolean;
  isVisible(): boolean;
  on(event: "unresponsive", listener: () => void): unknown;
  on(event: "responsive", listener: () => void): unknown;
}

export interface RendererWatchParts<W> {
  rendererUrl: string;
  /** While the app quits, a page that goes away is not brought back. */
  isQuitting(): boolean;
  now(): number;
  showErrorBox(title: string, content: string): void;
  /** Attached to `parent` when given (a box on a hidden window would be out of sight). */
  showMessageBox(options: MessageBoxOptions, parent: W | null): Promise<{ response: number }>;
  warn(line: string): void;
}

export const HUNG_BOX_BUTTONS = ["Wait", "Reload"] as const;

export function watchRenderer<W extends WatchedWindow>(win: W, parts: RendererWatchParts<W>): void {
  const contents = win.webContents;
  const crashes = new CrashCounter();
  let killedOnPurpose = false;
  let hungBox: AbortController | null = null;
  let loadFailureShown = false;

  contents.on("render-process-gone", (_event, details) => {
    if (parts.isQuitting() || win.isDestroyed()) return;
    if (killedOnPurpose) {
      killedOnPurpose = false; // the Reload chosen in the hung-page box: reload() already follows
      return;
    }
    const reason = `${details.reason}, exit code ${details.exitCode}`;
    parts.warn(`the window's page crashed (${reason})`);
    if (crashes.record(parts.now())) {
      parts.showErrorBox(
        "mcpscope: the window keeps crashing",
        `Its page crashed ${CRASH_LIMIT} times within a minute (last: ${reason}). ` +
          "Monitoring goes on; use View → Reload to try again.",
      );
      return;
    }
    contents.reload();
  });

  win.on("unresponsive", () => {
    if (hungBox || parts.isQuitting()) return;
    const box = new AbortController();
    hungBox = box;
    parts
      .showMessageBox(
        {
          type: "warning",
          title: "mcpscope",
          message: "The mcpscope window is not responding",
          detail: "You can wait for it, or reload the page (what it showed is lost).",
          buttons: [...HUNG_BOX_BUTTONS],
          defaultId: 0,
          cancelId: 0,
          signal: box.signal,
        },
        win.isVisible() ? win : null,
      )
      .then(({ response }) => {
        if (box.signal.aborted || response !== 1 || win.isDestroyed()) return;
        killedOnPurpose = true;
        contents.forcefullyCrashRenderer();
        contents.reload();
      })
      .catch(() => {})
      .finally(() => {
        if (hungBox === box) hungBox = null;
      });
  });
  win.on("responsive", () => {
    hungBox?.abort();
    hungBox = null;
  });

  const loadFailed = (url: string, description: string) => {
    if (!isRendererUrl(url, parts.rendererUrl)) return;
    parts.warn(`could not load the window (${description}, ${url}): run \`npm run build\``);
    if (loadFailureShown) return;
    loadFailureShown = true;
    parts.showErrorBox(
      "mcpscope: the window could not load",
      `${url} did not load (${description}). The app is not built: run \`npm run build\`, then start mcpscope again.`,
    );
  };
  contents.on("did-fail-load", (_event, errorCode, errorDescription, validatedURL, isMainFrame) => {
    if (isMainFrame && errorCode !== LOAD_ABORTED) loadFailed(validatedURL, errorDescription);
  });
  // The app's scheme answers a missing file with a 404 page, which Chromium counts as loaded.
  contents.on("did-navigate", (_event, url, httpResponseCode, httpStatusText) => {
    if (httpResponseCode >= 400) loadFailed(url, `${httpResponseCode} ${httpStatusText}`.trim());
  });
}
