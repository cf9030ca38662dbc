import type { MenuItemConstructorOptions } from "electron";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createAlertActions } from "../../electron/main/alert-actions.js";
import type { TrayIconKind } from "../../electron/main/paths.js";
import {
  electronTrayState,
  MAX_LISTED_ALERTS,
  type TrayMenuActions,
  TrayPresenter,
  type TrayState,
  trayView,
} from "../../electron/main/tray-state.js";
import type { AlertInstance, AlertsSnapshot } from "../../shared/alerts.js";

function alert(overrides: Partial<AlertInstance> & Pick<AlertInstance, "id" | "rule">): AlertInstance {
  return {
    severity: "warning",
    state: "firing",
    labels: {},
    summary: `${overrides.rule} is firing`,
    value: 1,
    activeAt: "2026-03-04T10:00:00.000Z",
    firedAt: "2026-03-04T10:01:00.000Z",
    resolvedAt: null,
    silencedBy: [],
    inhibited: false,
    acknowledged: false,
    valueText: "–",
    ...overrides,
  };
}

const critical = alert({
  id: "a1",
  rule: "ServerDown",
  severity: "critical",
  labels: { server: "filesystem", client: "claude-desktop" },
  summary: "filesystem is down",
});
const warning = alert({
  id: "a2",
  rule: "SlowTool",
  severity: "warning",
  labels: { server: "memory", tool: "search" },
  summary: "memory/search p95 is 3.2 s",
});

const twoFiring: AlertsSnapshot = {
  alerts: [warning, critical],
  worst: "critical",
  firing: 2,
  pausedUntil: null,
};
const allClear: AlertsSnapshot = { alerts: [], worst: "ok", firing: 0, pausedUntil: null };

function fakeActions() {
  return {
    open: vi.fn<TrayMenuActions["open"]>(),
    openAlert: vi.fn<TrayMenuActions["openAlert"]>(),
    openAlerts: vi.fn<TrayMenuActions["openAlerts"]>(),
    silence: vi.fn<TrayMenuActions["silence"]>(),
    pause: vi.fn<TrayMenuActions["pause"]>(),
    resume: vi.fn<TrayMenuActions["resume"]>(),
    setStartAtLogin: vi.fn<TrayMenuActions["setStartAtLogin"]>(),
    exportLastWeek: vi.fn<TrayMenuActions["exportLastWeek"]>(),
    restartEngine: vi.fn<TrayMenuActions["restartEngine"]>(),
    quit: vi.fn<TrayMenuActions["quit"]>(),
  } satisfies TrayMenuActions;
}

type Item = MenuItemConstructorOptions;
const labels = (items: Item[]) => items.map((item) => item.label ?? item.type);
function find(items: Item[], label: string): Item {
  const item = items.find((candidate) => candidate.label === label);
  if (!item) throw new Error(`no menu item "${label}" in ${JSON.stringify(labels(items))}`);
  return item;
}
function click(item: Item): void {
  (item.click as (() => void) | undefined)?.();
}

describe("the tray view", () => {
  it("one critical and one warning alert: critical icon, count in the tooltip, both listed worst first", () => {
    const actions = fakeActions();
    const view = trayView(twoFiring, { actions, startAtLogin: false });
    expect(view.icon).toBe("critical");
    expect(view.tooltip).toBe("mcpscope — 2 alerts firing");
    expect(labels(view.menuTemplate)).toEqual([
      "Open mcpscope",
      "Export last week's report…",
      "separator",
      "Firing (2)",
      "critical · filesystem is down",
      "warning · memory/search p95 is 3.2 s",
      "separator",
      "Pause notifications for 1 hour",
      "Start at login",
      "separator",
      "Quit mcpscope",
    ]);
    expect(find(view.menuTemplate, "Firing (2)").enabled).toBe(false);
    for (const label of ["critical · filesystem is down", "warning · memory/search p95 is 3.2 s"]) {
      expect(labels(find(view.menuTemplate, label).submenu as Item[])).toEqual([
        "Open",
        "Silence for 1 hour",
      ]);
    }
    click(find(find(view.menuTemplate, "warning · memory/search p95 is 3.2 s").submenu as Item[], "Open"));
    expect(actions.openAlert).toHaveBeenCalledWith("a2");
  });

  it("Silence asks the engine to silence exactly that alert for 1 hour", async () => {
    const invoke = vi.fn(async () => ({}));
    const errors: string[] = [];
    const alertActions = createAlertActions({ invoke }, (message) => errors.push(message));
    const view = trayView(twoFiring, {
      actions: { ...fakeActions(), silence: (a) => alertActions.silence(a) },
      startAtLogin: false,
    });
    click(
      find(find(view.menuTemplate, "critical · filesystem is down").submenu as Item[], "Silence for 1 hour"),
    );
    expect(invoke).toHaveBeenCalledOnce();
    const [method, input] = invoke.mock.calls[0] as unknown as [
      string,
      { matchers: unknown; duration: string },
    ];
    expect(method).toBe("alerts.silence");
    expect(input.duration).toBe("1h");
    expect(input.matchers).toEqual([
      { name: "alertname", op: "=", value: "ServerDown" },
      { name: "server", op: "=", value: "filesystem" },
      { name: "client", op: "=", value: "claude-desktop" },
    ]);
    await Promise.resolve();
    expect(errors).toEqual([]);
  });

  it("an engine that refuses a silence is reported, not swallowed", async () => {
    const errors: string[] = [];
    const alertActions = createAlertActions(
      { invoke: async () => Promise.reject(new Error("alerts.silence failed: the engine is restarting")) },
      (message) => errors.push(message),
    );
    alertActions.silence(critical);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toBe("Could not silence ServerDown: alerts.silence failed: the engine is restarting");
  });

  it("pause and resume call alerts.pause with 1h and with null", () => {
    const invoke = vi.fn(async () => ({}));
    const alertActions = createAlertActions({ invoke }, () => {});
    alertActions.pause();
    alertActions.resume();
    expect(invoke.mock.calls).toEqual([
      ["alerts.pause", { duration: "1h" }],
      ["alerts.pause", { duration: null }],
    ]);
  });

  it("all clear: the ok icon and no alerts listed", () => {
    const view = trayView(allClear, { actions: fakeActions(), startAtLogin: true });
    expect(view.icon).toBe("ok");
    expect(view.tooltip).toBe("mcpscope — all clear");
    expect(labels(view.menuTemplate)).toContain("No alerts firing");
    expect(find(view.menuTemplate, "Start at login")).toMatchObject({ type: "checkbox", checked: true });
  });

  it("paused: the tooltip says until when, and the menu offers Resume", () => {
    const now = new Date(2026, 2, 4, 13, 0);
    const pausedUntil = new Date(2026, 2, 4, 14, 0).toISOString();
    const actions = fakeActions();
    const view = trayView({ ...allClear, pausedUntil }, { actions, startAtLogin: false, now });
    expect(view.tooltip).toBe("mcpscope — all clear (notifications paused until 14:00)");
    expect(labels(view.menuTemplate)).not.toContain("Pause notifications for 1 hour");
    click(find(view.menuTemplate, "Resume notifications (notifications paused until 14:00)"));
    expect(actions.resume).toHaveBeenCalledOnce();
    expect(actions.pause).not.toHaveBeenCalled();

    const tomorrow = trayView(
      { ...allClear, pausedUntil: new Date(2026, 2, 5, 9, 5).toISOString() },
      { actions, startAtLogin: false, now },
    );
    expect(tomorrow.tooltip).toBe("mcpscope — all clear (notifications paused until 2026-03-05 09:05)");
  });

  it("a pause that has run out is not shown", () => {
    const now = new Date(2026, 2, 4, 15, 0);
    const view = trayView(
      { ...allClear, pausedUntil: new Date(2026, 2, 4, 14, 0).toISOString() },
      { actions: fakeActions(), startAtLogin: false, now },
    );
    expect(view.tooltip).toBe("mcpscope — all clear");
    expect(labels(view.menuTemplate)).toContain("Pause notifications for 1 hour");
  });

  it("lists at most ten alerts and links to the rest; pending alerts are not listed", () => {
    const many = Array.from({ length: 14 }, (_, i) =>
      alert({ id: `w${i}`, rule: "SlowTool", labels: { tool: `t${i}` }, summary: `slow ${i}` }),
    );
    const pending = alert({ id: "p", rule: "ErrorRate", state: "pending", severity: "critical" });
    const actions = fakeActions();
    const view = trayView(
      { alerts: [...many, pending], worst: "warning", firing: 14, pausedUntil: null },
      { actions, startAtLogin: false },
    );
    expect(view.icon).toBe("warning");
    const alertItems = view.menuTemplate.filter((item) => item.submenu);
    expect(alertItems).toHaveLength(MAX_LISTED_ALERTS);
    click(find(view.menuTemplate, "All 14 firing alerts…"));
    expect(actions.openAlerts).toHaveBeenCalledOnce();
    expect(labels(view.menuTemplate)).toContain("Firing (14)");
  });

  it("a silenced alert is listed under its own header and offers no second silence", () => {
    const silenced = { ...warning, silencedBy: ["s1"] };
    const view = trayView(
      { alerts: [silenced], worst: "ok", firing: 0, pausedUntil: null },
      { actions: fakeActions(), startAtLogin: null },
    );
    const item = find(view.menuTemplate, "warning · memory/search p95 is 3.2 s");
    expect(labels(item.submenu as Item[])).toEqual(["Open"]);
    // No login item support: no checkbox.
    expect(labels(view.menuTemplate)).not.toContain("Start at login");
  });

  it("icon, tooltip and menu agree when a firing alert is silenced", () => {
    // The engine's own snapshot of one firing alert silenced, as the tray receives it.
    const silencedWarning = { ...warning, silencedBy: ["s1"] };
    const withSilenced = (alerts: AlertInstance[]): AlertsSnapshot => ({
      alerts,
      worst: "ok",
      firing: 0,
      pausedUntil: null,
    });
    const alone = trayView(withSilenced([silencedWarning]), { actions: fakeActions(), startAtLogin: false });
    expect(alone.icon).toBe("ok");
    expect(alone.tooltip).toBe("mcpscope — all clear, 1 silenced");
    expect(labels(alone.menuTemplate).filter((l) => /^(Firing|No alerts|Silenced)/.test(l ?? ""))).toEqual([
      "No alerts firing",
      "Silenced (1)",
    ]);

    const mixed = trayView(
      { ...withSilenced([silencedWarning, critical]), worst: "critical", firing: 1 },
      { actions: fakeActions(), startAtLogin: false },
    );
    expect(mixed.icon).toBe("critical");
    expect(mixed.tooltip).toBe("mcpscope — 1 alert firing, 1 silenced");
    const menu = labels(mixed.menuTemplate);
    expect(menu.slice(menu.indexOf("Firing (1)"), menu.indexOf("Silenced (1)") + 2)).toEqual([
      "Firing (1)",
      "critical · filesystem is down",
      "Silenced (1)",
      "warning · memory/search p95 is 3.2 s",
    ]);
  });

  it("alert text becomes one clipped line, with & kept literal", () => {
    const odd = alert({ id: "x", rule: "R", summary: `a & b\n${"z".repeat(100)}` });
    const view = trayView(
      { alerts: [odd], worst: "warning", firing: 1, pausedUntil: null },
      { actions: fakeActions(), startAtLogin: false },
    );
    const label = view.menuTemplate.find((item) => item.submenu)?.label ?? "";
    expect(label.startsWith("warning · a && b z")).toBe(true);
    expect(label).not.toContain("\n");
    expect(label.length).toBeLessThanOrEqual(62);
  });

  it("before the engine's first snapshot: ok icon, and the menu says it is waiting", () => {
    const view = trayView(null, { actions: fakeActions(), startAtLogin: false });
    expect(view.icon).toBe("ok");
    expect(view.tooltip).toBe("mcpscope");
    expect(labels(view.menuTemplate)).toContain("Alerts: waiting for the engine");
  });

  it("once the app gave up on the engine: it says so, not that it waits, and offers Restart engine", () => {
    const actions = fakeActions();
    const reason = "the mcpscope engine exited with code 1, and stopped after 6 failures in 120s";
    const restarting = trayView(null, {
      actions,
      startAtLogin: false,
      engine: { state: "restarting", reason: "the mcpscope engine exited with code 1" },
    });
    expect(labels(restarting.menuTemplate)).toContain("Alerts: waiting for the engine");
    expect(labels(restarting.menuTemplate)).not.toContain("Restart engine");

    const view = trayView(null, { actions, startAtLogin: false, engine: { state: "stopped", reason } });
    expect(view.icon).toBe("critical");
    expect(view.tooltip).toBe("mcpscope — the monitor engine stopped");
    expect(labels(view.menuTemplate)).not.toContain("Alerts: waiting for the engine");
    expect(labels(view.menuTemplate)).toContain("The monitor engine stopped");
    click(find(view.menuTemplate, "Restart engine"));
    expect(actions.restartEngine).toHaveBeenCalledOnce();
  });

  it("Start at login toggles the setting, and Quit quits", () => {
    const actions = fakeActions();
    const view = trayView(allClear, { actions, startAtLogin: false });
    click(find(view.menuTemplate, "Start at login"));
    expect(actions.setStartAtLogin).toHaveBeenCalledWith(true);
    click(find(view.menuTemplate, "Quit mcpscope"));
    click(find(view.menuTemplate, "Open mcpscope"));
    expect(actions.quit).toHaveBeenCalledOnce();
    expect(actions.open).toHaveBeenCalledOnce();
    click(find(view.menuTemplate, "Export last week's report…"));
    expect(actions.exportLastWeek).toHaveBeenCalledOnce();
  });
});

class FakeTray implements TrayState {
  icons: TrayIconKind[] = [];
  tooltips: string[] = [];
  menus: MenuItemConstructorOptions[][] = [];
  setIcon(kind: TrayIconKind) {
    this.icons.push(kind);
  }
  setToolTip(text: string) {
    this.tooltips.push(text);
  }
  setMenu(template: MenuItemConstructorOptions[]) {
    this.menus.push(template);
  }
}

describe("the tray presenter", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("re-applies icon, tooltip and menu on every change, reading the login setting each time", () => {
    const tray = new FakeTray();
    let atLogin = false;
    const presenter = new TrayPresenter(tray, { actions: fakeActions(), startAtLogin: () => atLogin });
    presenter.update(twoFiring);
    atLogin = true;
    presenter.update(allClear);
    expect(tray.icons).toEqual(["critical", "ok"]);
    expect(tray.tooltips).toEqual(["mcpscope — 2 alerts firing", "mcpscope — all clear"]);
    expect(tray.menus).toHaveLength(2);
    expect(find(tray.menus[1]!, "Start at login").checked).toBe(true);
  });

  it("redraws when the pause runs out, without waiting for the engine", () => {
    vi.useFakeTimers({ now: new Date(2026, 2, 4, 13, 0) });
    const tray = new FakeTray();
    const presenter = new TrayPresenter(tray, { actions: fakeActions(), startAtLogin: () => false });
    presenter.update({ ...allClear, pausedUntil: new Date(2026, 2, 4, 14, 0).toISOString() });
    expect(tray.tooltips.at(-1)).toContain("paused until 14:00");
    vi.advanceTimersByTime(60 * 60_000 + 1_000);
    expect(tray.tooltips.at(-1)).toBe("mcpscope — all clear");
    presenter.dispose();
  });
});

describe("the Electron tray adapter", () => {
  it("sets an image only when the state changes, and a freshly built menu every time", () => {
    const calls: string[] = [];
    const state = electronTrayState({
      tray: {
        setImage: (image: string) => calls.push(`image ${image}`),
        setToolTip: (text) => calls.push(`tooltip ${text}`),
        setContextMenu: (menu: string) => calls.push(`menu ${menu}`),
      },
      image: (kind) => `${kind}.png`,
      buildMenu: (template) => `of ${template.length}`,
    });
    state.setIcon("warning");
    state.setIcon("warning");
    state.setIcon("critical");
    state.setToolTip("mcpscope — 1 alert firing");
    state.setMenu([{ label: "Open mcpscope" }]);
    state.setMenu([{ label: "Open mcpscope" }]);
    expect(calls).toEqual([
      "image warning.png",
      "image critical.png",
      "tooltip mcpscope — 1 alert firing",
      "menu of 1",
      "menu of 1",
    ]);
  });
});
