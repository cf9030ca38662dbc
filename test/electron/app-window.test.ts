// The app's window over its life, through the shell's wiring and fake Electron parts: closing hides it
// (its page lives on) while quitting closes it, it opens where it was and shows once painted, in the OS's
// colours, and its page is brought back from crashes, hangs and failed loads.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RENDERER_URL } from "../../electron/main/app-protocol.js";
import { createShell } from "../../electron/main/shell.js";
import { SAVE_DELAY_MS } from "../../electron/main/window-state.js";
import { type FakeWindow, fakeShellParts } from "./fake-shell.js";

let dir: string;
let stateFile: string;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-03-04T12:00:00Z") });
  dir = mkdtempSync(join(tmpdir(), "mcpscope-app-window-"));
  stateFile = join(dir, "window-state.json");
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

function started(options: Parameters<typeof fakeShellParts>[0] extends infer O ? Partial<O> : never = {}) {
  const fake = fakeShellParts({ rendererUrl: RENDERER_URL, windowStateFile: stateFile, ...options });
  const shell = createShell(fake.parts);
  shell.ready();
  const win = fake.app.windows[0] as FakeWindow;
  win.paint();
  return { fake, shell, win };
}

describe("closing and quitting", () => {
  it("closing the window hides it; the tray brings back the same page, and the engine never stopped", () => {
    const { fake, win } = started();
    win.webContents.loaded.length = 0;
    win.close();
    expect([win.destroyed, win.visible]).toEqual([false, false]);
    expect(fake.hosts[0]?.sent.filter((m) => m.type === "shutdown")).toEqual([]);

    fake.tray.choose("Open mcpscope");
    expect(fake.app.windows).toEqual([win]);
    expect([win.visible, win.focused]).toEqual([true, true]);
    expect([win.urls, win.webContents.loaded, win.webContents.reloads]).toEqual([[RENDERER_URL], [], 0]);
  });

  it("a full-screen window leaves full screen before it hides (macOS would keep an empty Space)", () => {
    const { win } = started();
    win.setFullScreen(true);
    win.close();
    expect([win.destroyed, win.visible]).toEqual([false, true]);
    win.leaveFullScreen();
    expect(win.visible).toBe(false);
  });

  it("on macOS, activating the app (its Dock icon) shows the hidden window again", () => {
    const { fake, win } = started();
    win.close();
    fake.app.emit("activate");
    expect([fake.app.windows.length, win.visible]).toEqual([1, true]);
  });

  it("a quit hides the window at once, and closes it once the engine has stopped", async () => {
    const { fake, win } = started();
    fake.app.quit();
    expect([win.visible, win.destroyed]).toEqual([false, false]);
    for (const click of fake.tray.clickListeners) click(); // still quitting: nothing comes back
    expect(win.visible).toBe(false);
    fake.hosts[0]?.exit(0);
    await vi.advanceTimersByTimeAsync(0);
    expect([win.destroyed, fake.app.quits]).toEqual([true, 1]);
  });

  it("when the OS session ends (Windows), a close is not held back", () => {
    const { win } = started();
    win.emit("session-end");
    win.close();
    expect(win.destroyed).toBe(true);
  });
});

describe("where and how the window opens", () => {
  it("shows a new window only once its page has painted, then at once when brought back", () => {
    const fake = fakeShellParts({ rendererUrl: RENDERER_URL, hidden: true });
    const shell = createShell(fake.parts);
    shell.ready();
    shell.showWindow();
    shell.showWindow("/alerts"); // a second ask before it painted does not show it early either
    const win = fake.app.windows[0] as FakeWindow;
    expect([fake.app.windows.length, win.visible]).toEqual([1, false]);
    win.paint();
    expect([win.visible, win.focused]).toEqual([true, true]);
    win.close();
    shell.showWindow();
    expect(win.visible).toBe(true);
  });

  it("remembers its size, place and maximized state across launches", async () => {
    const first = started();
    first.win.moveTo({ x: 300, y: 150, width: 1100, height: 750 });
    await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toEqual({
      x: 300,
      y: 150,
      width: 1100,
      height: 750,
      maximized: false,
    });
    first.win.maximize();
    first.win.close(); // hidden, and written at once
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toMatchObject({ maximized: true, width: 1100 });

    const second = fakeShellParts({ rendererUrl: RENDERER_URL, windowStateFile: stateFile });
    createShell(second.parts).ready();
    const win = second.app.windows[0] as FakeWindow;
    expect(win.placement).toEqual({ bounds: { x: 300, y: 150, width: 1100, height: 750 }, maximized: true });
    expect(win.maximized).toBe(false);
    win.paint();
    expect([win.maximized, win.visible]).toEqual([true, true]);
  });

  it("a place on a screen that is gone opens at the default size, centred", () => {
    writeFileSync(stateFile, JSON.stringify({ x: 3000, y: 200, width: 1000, height: 700, maximized: false }));
    const { win } = started({ workAreas: [{ x: 0, y: 0, width: 1440, height: 875 }] });
    expect(win.placement.bounds).toEqual({ width: 1280, height: 820 });
  });

  it("takes the OS's colour scheme, so no other colour flashes before the page paints", () => {
    expect(started({ dark: true }).win.scheme).toBe("dark");
    expect(started({ dark: false }).win.scheme).toBe("light");
  });
});

describe("a page that goes wrong", () => {
  it("a crashed page is reloaded; the third crash within a minute shows one box and reloads no more", async () => {
    const { fake, win } = started();
    win.webContents.crash("oom", 0);
    expect(win.webContents.reloads).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    win.webContents.crash("crashed", 139);
    expect(win.webContents.reloads).toBe(2);
    expect(fake.errorBoxes).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    win.webContents.crash("crashed", 139);
    expect(win.webContents.reloads).toBe(2);
    expect(fake.errorBoxes).toEqual([
      "mcpscope: the window keeps crashing: Its page crashed 3 times within a minute (last: crashed, exit code 139). Monitoring goes on; use View → Reload to try again.",
    ]);
    expect(fake.warnings.filter((line) => line.startsWith("the window's page crashed"))).toHaveLength(3);
  });

  it("crashes more than a minute apart keep being reloaded", async () => {
    const { fake, win } = started();
    for (let crash = 0; crash < 5; crash++) {
      win.webContents.crash("crashed", 1);
      await vi.advanceTimersByTimeAsync(31_000);
    }
    expect([win.webContents.reloads, fake.errorBoxes]).toEqual([5, []]);
  });

  it("a page that goes away while the app quits is not reloaded", () => {
    const { fake, win } = started();
    fake.app.quit();
    win.webContents.crash("killed", 15);
    expect(win.webContents.reloads).toBe(0);
  });

  it("a hung page offers Wait or Reload; Reload restarts the page without counting it as a crash", async () => {
    const { fake, win } = started();
    fake.answers.push(1);
    win.emit("unresponsive");
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.messageBoxes).toEqual(["The mcpscope window is not responding"]);
    expect(fake.boxOptions[0]?.buttons).toEqual(["Wait", "Reload"]);
    expect([win.webContents.crashedOnPurpose, win.webContents.reloads]).toEqual([1, 1]);
    expect(fake.warnings.filter((line) => line.startsWith("the window's page crashed"))).toEqual([]);

    fake.answers.push(0); // Wait
    win.close(); // hung while hidden: the box stands alone rather than on a window out of sight
    win.emit("unresponsive");
    await vi.advanceTimersByTimeAsync(0);
    expect([win.webContents.crashedOnPurpose, win.webContents.reloads]).toEqual([1, 1]);
    expect(fake.boxParents).toEqual([win, null]);
  });

  it("the hung-page question closes itself when the page recovers, and is asked once at a time", async () => {
    const { fake, win } = started();
    let answer: (button: number) => void = () => {};
    fake.answers.push(new Promise<number>((resolve) => (answer = resolve)));
    win.emit("unresponsive");
    win.emit("unresponsive");
    expect(fake.messageBoxes).toHaveLength(1);
    win.emit("responsive");
    expect(fake.boxOptions[0]?.signal?.aborted).toBe(true);
    answer(1); // Electron answers an aborted box with its cancel button; even a late Reload is ignored
    await vi.advanceTimersByTimeAsync(0);
    expect(win.webContents.reloads).toBe(0);
  });

  it("a page that fails to load says to build the app, once; a load replaced by another is no failure", () => {
    const { fake, win } = started();
    const failLoad = (code: number, url: string, mainFrame = true) =>
      win.webContents.emit("did-fail-load", {}, code, "ERR_FILE_NOT_FOUND", url, mainFrame);
    failLoad(-3, RENDERER_URL);
    failLoad(-6, "https://example.com/", false);
    expect(fake.errorBoxes).toEqual([]);
    failLoad(-6, `${RENDERER_URL}#/calls`);
    failLoad(-6, RENDERER_URL);
    expect(fake.errorBoxes).toHaveLength(1);
    expect(fake.errorBoxes[0]).toMatch(/^mcpscope: the window could not load: .*run `npm run build`/);
  });

  it("the app's page answered with a 404 (the renderer is not built) is a failed load too", () => {
    const { fake, win } = started();
    win.webContents.emit("did-navigate", {}, `${RENDERER_URL}#/calls`, 200, "OK");
    expect(fake.errorBoxes).toEqual([]);
    win.webContents.emit("did-navigate", {}, RENDERER_URL, 404, "Not Found");
    expect(fake.errorBoxes).toEqual([
      `mcpscope: the window could not load: ${RENDERER_URL} did not load (404 Not Found). The app is not built: run \`npm run build\`, then start mcpscope again.`,
    ]);
  });
});
