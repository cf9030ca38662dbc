// The main process's wiring (shell.ts) over fake Electron pieces and a fake engine host the test plays:
// IPC registration and its sender checks, events pushed to the window, the tray and native notifications
// following the alerts, report saving, a second launch, and quitting.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RENDERER_URL } from "../../electron/main/app-protocol.js";
import { HIDDEN_ARG } from "../../electron/main/login-item.js";
import { createShell } from "../../electron/main/shell.js";
import type { AlertInstance, AlertsSnapshot, DesktopNotification } from "../../shared/alerts.js";
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from "../../shared/api.js";
import { type FakeShell, type FakeWindow, fakeShellParts } from "./fake-shell.js";
import type { FakeHostProcess } from "./fakes.js";

function started(options: { tray?: boolean; hidden?: boolean; saveTo?: string | null } = {}) {
  const fake = fakeShellParts({ rendererUrl: RENDERER_URL, ...options });
  const shell = createShell(fake.parts);
  shell.ready();
  fake.app.windows[0]?.paint();
  const host = fake.hosts[0] as FakeHostProcess;
  const relay = fake.ipcMain.handlers.get(IPC_INVOKE_CHANNEL);
  if (!relay) throw new Error("no handler on the invoke channel");
  return { fake, shell, host, relay };
}

const onlyWindow = (fake: FakeShell): FakeWindow => {
  expect(fake.app.windows).toHaveLength(1);
  return fake.app.windows[0] as FakeWindow;
};

const firing: AlertInstance = {
  id: "a1",
  rule: "ServerDown",
  severity: "critical",
  state: "firing",
  labels: { server: "filesystem" },
  summary: "filesystem is down",
  value: 1,
  activeAt: "2026-03-04T10:00:00.000Z",
  firedAt: "2026-03-04T10:01:00.000Z",
  resolvedAt: null,
  silencedBy: [],
  inhibited: false,
  acknowledged: false,
  valueText: "1",
};
const oneCritical: AlertsSnapshot = { alerts: [firing], worst: "critical", firing: 1, pausedUntil: null };
const allClear: AlertsSnapshot = { alerts: [], worst: "ok", firing: 0, pausedUntil: null };

function notification(status: "firing" | "resolved", deliveryId: number): DesktopNotification {
  return {
    deliveryId,
    status,
    severity: "critical",
    // Worded by the engine's desktop channel; the shell shows it as it is.
    title: status === "firing" ? "filesystem is down" : "Resolved: filesystem is down",
    body: "critical · server-down · server=filesystem",
    alertIds: ["a1"],
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-03-04T12:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the shell's IPC", () => {
  it("relays a call from its window to the engine host and answers with the host's result", async () => {
    const { fake, host, relay } = started();
    const win = onlyWindow(fake);
    const reply = relay(
      { sender: win.webContents, senderFrame: { url: `${RENDERER_URL}#/calls` } },
      "servers.list",
      {},
    );
    await vi.advanceTimersByTimeAsync(0);
    const call = host.lastCall();
    expect(call).toMatchObject({ method: "servers.list", input: {} });
    host.send({ type: "result", id: call.id, result: [] });
    await expect(reply).resolves.toEqual({ result: [] });
  });

  it("refuses a call from another sender or another page, and nothing reaches the host", async () => {
    const { fake, host, relay } = started();
    const win = onlyWindow(fake);
    const stranger = { isDestroyed: () => false, send: () => {} };
    for (const event of [
      { sender: stranger, senderFrame: { url: RENDERER_URL } },
      { sender: win.webContents, senderFrame: { url: "https://evil.example/" } },
    ]) {
      await expect(relay(event, "servers.list", {})).resolves.toEqual({
        error: { message: "request refused: it did not come from the mcpscope window", kind: "forbidden" },
      });
    }
    expect(host.sent.filter((m) => m.type === "call")).toEqual([]);
    expect(fake.warnings.filter((w) => w.startsWith("refused a call"))).toHaveLength(2);
  });

  it("pushes engine events to the open window, and a destroyed window is no longer one of ours", async () => {
    const { fake, host, relay } = started();
    const win = onlyWindow(fake);
    host.send({ type: "event", event: "calls.new", payload: [] });
    expect(win.webContents.sent).toEqual([
      { channel: IPC_EVENT_CHANNEL, frame: { event: "calls.new", payload: [] } },
    ]);
    win.destroy();
    host.send({ type: "event", event: "calls.new", payload: [] });
    expect(win.webContents.sent).toHaveLength(1);
    const reply = await relay(
      { sender: win.webContents, senderFrame: { url: RENDERER_URL } },
      "servers.list",
      {},
    );
    expect(reply).toMatchObject({ error: { kind: "forbidden" } });
  });

  it("saves a report where the user chooses (reports.save is served by the main process)", async () => {
    const { fake, host, relay } = started({ saveTo: "/home/user/Downloads/week.md" });
    const win = onlyWindow(fake);
    const reply = relay({ sender: win.webContents, senderFrame: { url: RENDERER_URL } }, "reports.save", {
      format: "md",
      period: "week",
    });
    await vi.advanceTimersByTimeAsync(0);
    const call = host.lastCall();
    expect(call).toMatchObject({ method: "reports.export", input: { format: "md", period: "week" } });
    host.send({
      type: "result",
      id: call.id,
      result: {
        filename: "mcpscope-week.md",
        mimeType: "text/markdown",
        encoding: "utf8",
        content: "# Week",
      },
    });
    await expect(reply).resolves.toMatchObject({
      result: { ok: true, path: "/home/user/Downloads/week.md" },
    });
    expect(fake.saveDialogs).toEqual(["/home/user/Downloads/mcpscope-week.md"]);
    expect(fake.written.map((w) => [w.path, w.data.toString()])).toEqual([
      ["/home/user/Downloads/week.md", "# Week"],
    ]);
    // The renderer shows its own toast with the path: no native box on top of it.
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.messageBoxes).toEqual([]);
  });
});

describe("the shell's tray and notifications", () => {
  it("the tray follows alerts.changed, and forgets them while a new engine starts", async () => {
    const { fake, host } = started();
    expect(fake.tray.tooltip).toBe("mcpscope");
    host.send({ type: "event", event: "alerts.changed", payload: oneCritical });
    expect(fake.tray.icon).toBe("critical");
    expect(fake.tray.tooltip).toBe("mcpscope — 1 alert firing");
    host.send({ type: "event", event: "alerts.changed", payload: { firing: "many" } });
    expect(fake.tray.icon).toBe("critical");
    expect(fake.warnings).toContain("ignored a malformed alerts.changed from the engine");
    host.send({ type: "event", event: "alerts.changed", payload: allClear });
    expect([fake.tray.icon, fake.tray.tooltip]).toEqual(["ok", "mcpscope — all clear"]);

    host.exit(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(fake.hosts).toHaveLength(2);
    expect(fake.tray.tooltip).toBe("mcpscope");
    expect(fake.tray.menu.map((item) => item.label)).toContain("Alerts: waiting for the engine");
  });

  it("the tray's Export last week's report saves last week's PDF and confirms it with a box", async () => {
    const { fake, host } = started({ saveTo: "/home/user/Downloads/week.pdf" });
    fake.tray.choose("Export last week's report…");
    const call = host.lastCall();
    expect(call).toMatchObject({ method: "reports.export", input: { format: "pdf", period: "week" } });
    host.send({
      type: "result",
      id: call.id,
      result: { filename: "w.pdf", mimeType: "application/pdf", encoding: "base64", content: "JVBERi0=" },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.written.map((w) => w.path)).toEqual(["/home/user/Downloads/week.pdf"]);
    expect(fake.messageBoxes).toEqual(["Export report: saved"]);
  });

  it("a dialog asked while the window is closed to the tray stands alone, not on the hidden window", async () => {
    const { fake, host } = started({ saveTo: "/home/user/Downloads/week.pdf" });
    const win = onlyWindow(fake);
    win.paint();
    expect(win.isVisible()).toBe(true);
    fake.tray.choose("Export last week's report…");
    let call = host.lastCall();
    host.send({
      type: "result",
      id: call.id,
      result: { filename: "w.pdf", mimeType: "application/pdf", encoding: "base64", content: "JVBERi0=" },
    });
    await vi.advanceTimersByTimeAsync(0);
    win.close(); // hidden, not destroyed: the app lives on in the tray
    expect(win.isDestroyed()).toBe(false);
    fake.tray.choose("Export last week's report…");
    call = host.lastCall();
    host.send({
      type: "result",
      id: call.id,
      result: { filename: "w.pdf", mimeType: "application/pdf", encoding: "base64", content: "JVBERi0=" },
    });
    await vi.advanceTimersByTimeAsync(0);
    // A sheet on a hidden window (macOS) would never show: the shown window is the parent, a hidden one is not.
    expect(fake.saveParents).toEqual([win, null]);
    expect(fake.messageBoxes).toEqual(["Export report: saved", "Export report: saved"]);
  });

  it("shows a native notification when an alert fires and when it resolves; a click opens the alert", async () => {
    const { fake, host } = started();
    const win = onlyWindow(fake);
    host.send({ type: "event", event: "alerts.changed", payload: oneCritical });
    host.send({ type: "event", event: "alerts.notify", payload: notification("firing", 1) });
    expect(fake.notifier.shown.map((n) => [n.title, n.urgency])).toEqual([
      ["filesystem is down", "critical"],
    ]);
    await vi.advanceTimersByTimeAsync(5_000);
    host.send({ type: "event", event: "alerts.notify", payload: notification("resolved", 2) });
    expect(fake.notifier.shown.map((n) => [n.title, n.urgency])).toEqual([
      ["filesystem is down", "critical"],
      ["Resolved: filesystem is down", "normal"],
    ]);
    win.minimized = true;
    fake.notifier.shown[0]?.onClick();
    expect(win.webContents.loaded).toEqual([`${RENDERER_URL}#/alerts?alert=a1`]);
    expect([win.minimized, win.visible, win.focused]).toEqual([false, true, true]);
  });

  it("shows no notification while notifications are paused", () => {
    const { fake, host } = started();
    host.send({
      type: "event",
      event: "alerts.changed",
      payload: { ...oneCritical, pausedUntil: "2026-03-04T13:00:00.000Z" },
    });
    host.send({ type: "event", event: "alerts.notify", payload: notification("firing", 1) });
    expect(fake.notifier.shown).toEqual([]);
  });
});

describe("the shell's windows and lifecycle", () => {
  it("a second launch brings the window back to the front, or opens a new one if it was destroyed", () => {
    const { fake } = started();
    const win = onlyWindow(fake);
    win.minimized = true;
    win.focused = false;
    fake.app.secondInstance(["mcpscope"]);
    expect([win.minimized, win.visible, win.focused]).toEqual([false, true, true]);
    expect(fake.app.windows).toHaveLength(1);

    win.destroy();
    fake.app.secondInstance([]);
    expect(fake.app.windows).toHaveLength(2);
    expect(fake.app.windows[1]?.urls).toEqual([RENDERER_URL]);
  });

  it("a second launch at login (--hidden) leaves the window as it is", () => {
    const { fake } = started({ hidden: true });
    expect(fake.app.windows).toEqual([]);
    fake.app.secondInstance([HIDDEN_ARG]);
    expect(fake.app.windows).toEqual([]);
    for (const click of fake.tray.clickListeners) click();
    expect(fake.app.windows).toHaveLength(1);
    expect(fake.app.windows[0]?.visible).toBe(false); // until its page has painted
    fake.app.windows[0]?.paint();
    expect(fake.app.windows[0]?.visible).toBe(true);
  });

  it("started at login without a tray to wait in, it shows the window; closing it quits", async () => {
    const { fake, host } = started({ tray: false, hidden: true });
    expect(fake.app.windows).toHaveLength(1);
    fake.app.closeAll();
    expect(host.sent).toContainEqual({ type: "shutdown" });
    host.exit(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.app.quits).toBe(1);
  });

  it("with a tray, closing the window keeps the app and the engine running", () => {
    const { fake, host } = started();
    fake.app.closeAll();
    expect(fake.app.quits).toBe(0);
    expect(host.sent.filter((m) => m.type === "shutdown")).toEqual([]);
  });

  it("quitting stops the engine host first, then closes the windows and quits once", async () => {
    const { fake, host, shell } = started();
    const win = onlyWindow(fake);
    fake.tray.choose("Quit mcpscope");
    expect(host.sent).toContainEqual({ type: "shutdown" });
    // Hidden at once, while the engine stops; closed once it has.
    expect([fake.app.quits, win.destroyed, win.visible]).toEqual([0, false, false]);
    fake.app.quit(); // asked again while the engine stops: still one shutdown
    expect(host.sent.filter((m) => m.type === "shutdown")).toHaveLength(1);

    host.exit(0);
    await vi.advanceTimersByTimeAsync(0);
    expect([fake.app.quits, win.destroyed]).toEqual([1, true]);
    expect(shell.engine.running).toBe(false);
    await expect(shell.client.invoke("servers.list", {})).rejects.toThrow("mcpscope is quitting");
  });

  it("an engine host that hangs on shutdown is killed and the app still quits", async () => {
    const { fake, host } = started();
    fake.app.quit();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(host.killed).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.app.quits).toBe(1);
  });

  it("a link from content opens in the browser only after the user agrees; a trusted one at once", async () => {
    const { fake, shell } = started();
    shell.openExternal("https://evil.example/phish");
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.messageBoxes).toEqual(["Open this link in your browser?"]);
    expect(fake.opened).toEqual([]);
    shell.openExternal("https://modelcontextprotocol.io/docs");
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.opened).toEqual(["https://modelcontextprotocol.io/docs"]);
  });

  it("an engine host that keeps crashing is given up on: the user is told, the tray stops claiming alerts", async () => {
    const { fake } = started();
    fake.hosts[0]?.send({ type: "event", event: "alerts.changed", payload: oneCritical });
    expect(fake.tray.icon).toBe("critical");
    for (let crash = 0; crash < 6; crash++) {
      fake.hosts.at(-1)?.exit(1);
      await vi.advanceTimersByTimeAsync(8_000);
    }
    expect(fake.errorBoxes).toHaveLength(1);
    expect(fake.errorBoxes[0]).toMatch(
      /^mcpscope: the monitor engine stopped: the mcpscope engine exited with code 1/,
    );
    // No alerts it cannot know, and no "waiting for the engine" that would wait for good.
    expect(fake.tray.tooltip).toBe("mcpscope — the monitor engine stopped");
    expect(fake.tray.icon).toBe("critical");
  });

  it("tells the window the engine's state as it changes, and answers engine.state itself", async () => {
    const { fake, relay } = started();
    const win = onlyWindow(fake);
    const ask = () =>
      relay({ sender: win.webContents, senderFrame: { url: RENDERER_URL } }, "engine.state", {});
    const pushed = () =>
      win.webContents.sent
        .filter((s) => s.frame.event === "engine.state")
        .map((s) => (s.frame.payload as { state: string }).state);
    expect(await ask()).toEqual({ result: { state: "starting", reason: null } });

    fake.hosts[0]?.send({ type: "ready" });
    expect(await ask()).toEqual({ result: { state: "up", reason: null } });
    fake.hosts[0]?.exit(134);
    expect(await ask()).toEqual({
      result: {
        state: "restarting",
        reason: "the mcpscope engine exited with code 134; it is restarting, try again in a moment",
      },
    });
    await vi.advanceTimersByTimeAsync(500);
    fake.hosts[1]?.send({ type: "ready" });
    expect(pushed()).toEqual(["up", "restarting", "up"]);

    for (let crash = 0; crash < 6; crash++) {
      fake.hosts.at(-1)?.exit(1);
      await vi.advanceTimersByTimeAsync(8_000);
    }
    const stopped = (await ask()) as { result: { state: string; reason: string } };
    expect(stopped.result.state).toBe("stopped");
    expect(stopped.result.reason).toMatch(/stopped after 6 failures in 120s/);
    expect(pushed().at(-1)).toBe("stopped");

    // The tray's Restart engine starts afresh.
    const forks = fake.hosts.length;
    fake.tray.choose("Restart engine");
    expect(fake.hosts).toHaveLength(forks + 1);
    fake.hosts.at(-1)?.send({ type: "ready" });
    expect(await ask()).toEqual({ result: { state: "up", reason: null } });
    expect(fake.tray.menu.map((item) => item.label)).not.toContain("Restart engine");
  });
});
