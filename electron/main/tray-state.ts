/**
 * The tray as a view of the alerts: `trayView` turns an AlertsSnapshot into an icon, a tooltip and a
 * menu template (pure); `TrayPresenter` re-applies it to a TrayState on every change. Everything is
 * reachable from the menu — on Linux (StatusNotifierItem) the tray's click event may never fire.
 */
import type { MenuItemConstructorOptions } from "electron";
import {
  ALERT_SEVERITY_RANK,
  type AlertInstance,
  type AlertsSnapshot,
  countsAsFiring,
  worstFiring,
} from "../../shared/alerts.js";
import { MAX_TIMER_MS } from "../../shared/durations.js";
import type { EngineState } from "../../shared/engine-state.js";
import { plural } from "../../shared/plural.js";
import type { TrayIconKind } from "./paths.js";

/** What the app's tray can be told to do (Electron's Tray behind `electronTrayState`). */
export interface TrayState {
  setIcon(kind: TrayIconKind): void;
  setToolTip(text: string): void;
  setMenu(template: MenuItemConstructorOptions[]): void;
}

export interface TrayMenuActions {
  /** Shows the window. */
  open(): void;
  /** Shows the window on one alert. */
  openAlert(id: string): void;
  /** Shows the window on the alerts view (more alerts fire than the menu lists). */
  openAlerts(): void;
  silence(alert: AlertInstance): void;
  pause(): void;
  resume(): void;
  setStartAtLogin(enabled: boolean): void;
  /** Saves the report of the last 7 days (the native Save dialog). */
  exportLastWeek(): void;
  /** Starts the engine again after the app gave up restarting it. */
  restartEngine(): void;
  quit(): void;
}

export interface TrayViewOptions {
  actions: TrayMenuActions;
  /** The "Start at login" checkbox; null where the app cannot start at login (the item is left out). */
  startAtLogin: boolean | null;
  /** The engine's state; `stopped` replaces "waiting for the engine", which would wait for good. */
  engine?: EngineState | null;
  now?: Date;
  /** The pause's end as the tooltip shows it (default `14:00`, with the date when not today). */
  formatTime?(time: Date, now: Date): string;
}

export interface TrayView {
  icon: TrayIconKind;
  tooltip: string;
  menuTemplate: MenuItemConstructorOptions[];
}

/** Firing alerts named in the menu; more are reached through the window. */
export const MAX_LISTED_ALERTS = 10;
const MAX_LABEL = 60;

export function trayView(snapshot: AlertsSnapshot | null, options: TrayViewOptions): TrayView {
  const { actions } = options;
  const now = options.now ?? new Date();
  const pausedUntil = pauseEnd(snapshot, now);
  const pauseText = pausedUntil
    ? `notifications paused until ${(options.formatTime ?? formatTime)(pausedUntil, now)}`
    : null;

  // Firing alerts, split by the one rule of what counts: the icon, the tooltip and the headers agree.
  const live = (snapshot?.alerts ?? []).filter((alert) => alert.state === "firing").sort(worstFirst);
  const firing = live.filter(countsAsFiring);
  const silenced = live.filter((alert) => !countsAsFiring(alert));

  const engineStopped = !snapshot && options.engine?.state === "stopped";
  let tooltip = "mcpscope";
  if (snapshot) {
    tooltip += firing.length > 0 ? ` — ${plural(firing.length, "alert")} firing` : " — all clear";
    if (silenced.length > 0) tooltip += `, ${silenced.length} silenced`;
  } else if (engineStopped) tooltip += " — the monitor engine stopped";
  if (pauseText) tooltip += ` (${pauseText})`;

  const listed = firing.slice(0, MAX_LISTED_ALERTS);
  const listedSilenced = silenced.slice(0, MAX_LISTED_ALERTS - listed.length);
  const header = engineStopped
    ? "The monitor engine stopped"
    : !snapshot
      ? "Alerts: waiting for the engine"
      : firing.length > 0
        ? `Firing (${firing.length})`
        : "No alerts firing";

  const menuTemplate: MenuItemConstructorOptions[] = [
    { label: "Open mcpscope", click: () => actions.open() },
    { label: "Export last week's report…", click: () => actions.exportLastWeek() },
    { type: "separator" },
    { label: header, enabled: false },
    ...(engineStopped ? [{ label: "Restart engine", click: () => actions.restartEngine() }] : []),
    ...listed.map((alert) => alertItem(alert, actions)),
    ...(firing.length > listed.length
      ? [{ label: `All ${firing.length} firing alerts…`, click: () => actions.openAlerts() }]
      : []),
    ...(silenced.length > 0
      ? [
          { label: `Silenced (${silenced.length})`, enabled: false },
          ...listedSilenced.map((alert) => alertItem(alert, actions)),
          ...(silenced.length > listedSilenced.length
            ? [{ label: `All ${silenced.length} silenced alerts…`, click: () => actions.openAlerts() }]
            : []),
        ]
      : []),
    { type: "separator" },
    pausedUntil
      ? { label: `Resume notifications (${pauseText})`, click: () => actions.resume() }
      : { label: "Pause notifications for 1 hour", click: () => actions.pause(), enabled: snapshot !== null },
    ...(options.startAtLogin === null
      ? []
      : [
          {
            label: "Start at login",
            type: "checkbox" as const,
            checked: options.startAtLogin,
            click: () => actions.setStartAtLogin(!options.startAtLogin),
          },
        ]),
    { type: "separator" },
    { label: "Quit mcpscope", click: () => actions.quit() },
  ];

  return { icon: engineStopped ? "critical" : snapshot ? worstFiring(firing) : "ok", tooltip, menuTemplate };
}

function alertItem(alert: AlertInstance, actions: TrayMenuActions): MenuItemConstructorOptions {
  const silenced = !countsAsFiring(alert);
  const text = `${alert.severity} · ${alert.summary.trim() || alert.rule}`;
  return {
    label: menuLabel(text),
    submenu: [
      { label: "Open", click: () => actions.openAlert(alert.id) },
      ...(silenced ? [] : [{ label: "Silence for 1 hour", click: () => actions.silence(alert) }]),
    ],
  };
}

function worstFirst(a: AlertInstance, b: AlertInstance): number {
  return (
    ALERT_SEVERITY_RANK[b.severity] - ALERT_SEVERITY_RANK[a.severity] ||
    a.activeAt.localeCompare(b.activeAt) ||
    a.id.localeCompare(b.id)
  );
}

function pauseEnd(snapshot: AlertsSnapshot | null, now: Date): Date | null {
  if (!snapshot?.pausedUntil) return null;
  const until = new Date(snapshot.pausedUntil);
  return until.getTime() > now.getTime() ? until : null;
}

/** Alert text as a menu label: one line, clipped, and `&` doubled (it marks a mnemonic in Electron menus). */
function menuLabel(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const clipped = flat.length > MAX_LABEL ? `${flat.slice(0, MAX_LABEL - 1)}…` : flat;
  return clipped.replaceAll("&", "&&");
}

/** Local `14:00`, or `2026-03-04 14:00` when not today. */
export function formatTime(time: Date, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}`;
  const sameDay = time.toDateString() === now.toDateString();
  return sameDay
    ? clock
    : `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${clock}`;
}

export interface TrayPresenterOptions extends Omit<TrayViewOptions, "now" | "startAtLogin"> {
  /** Read on every render (the setting may change outside the menu). */
  startAtLogin(): boolean | null;
  now?(): Date;
}

/** Keeps a TrayState in step with the latest snapshot, and redraws when a pause runs out. */
export class TrayPresenter {
  readonly #tray: TrayState;
  readonly #options: TrayPresenterOptions;
  #snapshot: AlertsSnapshot | null = null;
  #engine: EngineState | null = null;
  #pauseTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(tray: TrayState, options: TrayPresenterOptions) {
    this.#tray = tray;
    this.#options = options;
  }

  update(snapshot: AlertsSnapshot | null): void {
    this.#snapshot = snapshot;
    this.render();
  }

  /** The engine's state changed (engine-process.ts). */
  engine(state: EngineState): void {
    this.#engine = state;
    this.render();
  }

  render(): void {
    const now = this.#options.now?.() ?? new Date();
    const view = trayView(this.#snapshot, {
      ...this.#options,
      engine: this.#engine,
      now,
      startAtLogin: this.#options.startAtLogin(),
    });
    this.#tray.setIcon(view.icon);
    this.#tray.setToolTip(view.tooltip);
    this.#tray.setMenu(view.menuTemplate);
    this.#schedulePauseEnd(now);
  }

  dispose(): void {
    if (this.#pauseTimer) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = null;
  }

  #schedulePauseEnd(now: Date): void {
    this.dispose();
    const until = pauseEnd(this.#snapshot, now);
    if (!until) return;
    // setTimeout's limit is ~24.8 days; a longer pause is re-checked then.
    const wait = Math.min(until.getTime() - now.getTime() + 1_000, MAX_TIMER_MS);
    this.#pauseTimer = setTimeout(() => this.render(), wait);
    this.#pauseTimer.unref?.();
  }
}

/** The parts of Electron's Tray, nativeImage and Menu that `electronTrayState` uses. */
export interface ElectronTrayParts<Image, Menu> {
  tray: { setImage(image: Image): void; setToolTip(text: string): void; setContextMenu(menu: Menu): void };
  image(kind: TrayIconKind): Image;
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
}

export function electronTrayState<Image, Menu>(parts: ElectronTrayParts<Image, Menu>): TrayState {
  let shown: TrayIconKind | null = null;
  const images = new Map<TrayIconKind, Image>();
  return {
    setIcon(kind) {
      if (kind === shown) return;
      let image = images.get(kind);
      if (image === undefined) {
        image = parts.image(kind);
        images.set(kind, image);
      }
      parts.tray.setImage(image);
      shown = kind;
    },
    setToolTip(text) {
      parts.tray.setToolTip(text);
    },
    setMenu(template) {
      // A new menu each time: on Linux a context menu is only updated by setting it again.
      parts.tray.setContextMenu(parts.buildMenu(template));
    },
  };
}
