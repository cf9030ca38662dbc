// Where the window opens: its remembered size, place and maximized state, kept only where a screen still
// shows it, and the small file that remembers them (a real file in a temporary folder).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_WINDOW_SIZE } from "../../electron/main/main-window.js";
import {
  placeWindow,
  type Rect,
  SAVE_DELAY_MS,
  type WindowState,
  WindowStateFile,
} from "../../electron/main/window-state.js";

const laptop: Rect = { x: 0, y: 0, width: 1440, height: 875 };
const monitorOnRight: Rect = { x: 1440, y: 0, width: 2560, height: 1415 };
const saved = (state: Partial<WindowState> = {}): WindowState => ({
  x: 200,
  y: 100,
  width: 1000,
  height: 700,
  maximized: false,
  ...state,
});

describe("where the window opens", () => {
  it("with nothing remembered: the default size, centred (no position), not maximized", () => {
    expect(placeWindow(null, [laptop])).toEqual({ bounds: DEFAULT_WINDOW_SIZE, maximized: false });
  });

  it("the default size is no larger than the primary screen", () => {
    const small: Rect = { x: 0, y: 0, width: 1024, height: 740 };
    expect(placeWindow(null, [small, monitorOnRight]).bounds).toEqual({ width: 1024, height: 740 });
  });

  it("where it was, when that is still on a screen, maximized if it was", () => {
    expect(placeWindow(saved(), [laptop])).toEqual({
      bounds: { x: 200, y: 100, width: 1000, height: 700 },
      maximized: false,
    });
    const onMonitor = saved({ x: 2000, y: 300, width: 1600, height: 1000, maximized: true });
    expect(placeWindow(onMonitor, [laptop, monitorOnRight])).toEqual({
      bounds: { x: 2000, y: 300, width: 1600, height: 1000 },
      maximized: true,
    });
  });

  it("on a screen that was unplugged: the default size, centred on the primary screen, still maximized if it was", () => {
    const onMonitor = saved({ x: 2000, y: 300, width: 1600, height: 1000, maximized: true });
    expect(placeWindow(onMonitor, [laptop])).toEqual({ bounds: DEFAULT_WINDOW_SIZE, maximized: true });
  });

  it("sticking out of its screen: moved and shrunk into the screen it mostly lies on", () => {
    const halfOff = saved({ x: 1000, y: 500, width: 1000, height: 700 });
    expect(placeWindow(halfOff, [laptop]).bounds).toEqual({ x: 440, y: 175, width: 1000, height: 700 });
    const tooBig = saved({ x: -50, y: -20, width: 3000, height: 2000 });
    expect(placeWindow(tooBig, [laptop]).bounds).toEqual({ x: 0, y: 0, width: 1440, height: 875 });
    const mostlyOnMonitor = saved({ x: 1300, y: 100, width: 1200, height: 800 });
    expect(placeWindow(mostlyOnMonitor, [laptop, monitorOnRight]).bounds).toEqual({
      x: 1440,
      y: 100,
      width: 1200,
      height: 800,
    });
  });

  it("never smaller than the minimum the views are laid out for, where the screen is that large", () => {
    expect(placeWindow(saved({ width: 300, height: 200 }), [laptop]).bounds).toMatchObject({
      width: 800,
      height: 600,
    });
  });
});

describe("the file that remembers it", () => {
  let dir: string;
  let path: string;
  const warnings: string[] = [];
  const warn = (line: string) => void warnings.push(line);
  const win = (bounds: Rect, maximized = false) => ({
    isDestroyed: () => false,
    isMaximized: () => maximized,
    getNormalBounds: () => bounds,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "mcpscope-window-state-"));
    path = join(dir, "window-state.json");
    warnings.length = 0;
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is nothing to restore until written; saveNow writes the normal bounds and maximized state", () => {
    const file = new WindowStateFile(path, warn);
    expect(file.load()).toBeNull();
    file.saveNow(win({ x: 10, y: 20, width: 900, height: 650 }, true));
    expect(new WindowStateFile(path, warn).load()).toEqual({
      x: 10,
      y: 20,
      width: 900,
      height: 650,
      maximized: true,
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([]);
  });

  it("saveSoon writes once, a moment after the last of a burst of moves", () => {
    const file = new WindowStateFile(path, warn);
    for (let step = 0; step < 5; step++) {
      file.saveSoon(win({ x: step, y: 0, width: 900, height: 650 }));
      vi.advanceTimersByTime(SAVE_DELAY_MS - 1);
    }
    expect(file.load()).toBeNull();
    vi.advanceTimersByTime(1);
    expect(file.load()).toMatchObject({ x: 4 });
  });

  it("a damaged file is ignored with one line, and the next save replaces it", () => {
    writeFileSync(path, '{"x": "left"');
    const file = new WindowStateFile(path, warn);
    expect(file.load()).toBeNull();
    expect(warnings).toEqual([`ignored the window's place in ${path}: not a valid window state`]);
    file.saveNow(win({ x: 1, y: 2, width: 800, height: 600 }));
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ x: 1, y: 2 });
  });

  it("a folder it cannot write to costs a line, not the app", () => {
    const file = new WindowStateFile(join(dir, "missing", "window-state.json"), warn);
    expect(() => file.saveNow(win({ x: 1, y: 2, width: 800, height: 600 }))).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^could not remember the window's place/);
  });
});
