/**
 * The window's size, position and maximized state, remembered across launches in a small JSON file (in
 * the app's userData folder): written a moment after the user stops moving or resizing it, and at once
 * when it closes. A remembered place is used only where it is still on a screen — a monitor unplugged
 * since, or a smaller one, must not leave the window off-screen or larger than the screen.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_WINDOW_SIZE, MIN_WINDOW_SIZE, type WindowPlacement } from "./main-window.js";

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const WindowStateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

/** How long after the last move or resize the place is written. */
export const SAVE_DELAY_MS = 500;

function overlap(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(value, high));

/**
 * Where the window opens: the remembered place if it is on one of the screens' work areas (moved and
 * shrunk into the screen it mostly lies on when it sticks out), else the default size, centred, no larger
 * than the first (primary) work area.
 */
export function placeWindow(saved: WindowState | null, workAreas: readonly Rect[]): WindowPlacement {
  const primary = workAreas[0];
  const fallback: WindowPlacement = {
    bounds: {
      width: primary ? Math.min(DEFAULT_WINDOW_SIZE.width, primary.width) : DEFAULT_WINDOW_SIZE.width,
      height: primary ? Math.min(DEFAULT_WINDOW_SIZE.height, primary.height) : DEFAULT_WINDOW_SIZE.height,
    },
    maximized: saved?.maximized ?? false,
  };
  if (!saved) return fallback;
  let best: Rect | null = null;
  let bestOverlap = 0;
  for (const area of workAreas) {
    const shared = overlap(saved, area);
    if (shared > bestOverlap) [best, bestOverlap] = [area, shared];
  }
  if (!best) return fallback;
  const width = clamp(saved.width, Math.min(MIN_WINDOW_SIZE.width, best.width), best.width);
  const height = clamp(saved.height, Math.min(MIN_WINDOW_SIZE.height, best.height), best.height);
  return {
    bounds: {
      x: clamp(saved.x, best.x, best.x + best.width - width),
      y: clamp(saved.y, best.y, best.y + best.height - height),
      width,
      height,
    },
    maximized: saved.maximized,
  };
}

/** What the keeper reads of a window. */
export interface PlacedWindow {
  isDestroyed(): boolean;
  isMaximized(): boolean;
  /** The bounds of the window when not maximized or minimized. */
  getNormalBounds(): Rect;
}

/** Reads and writes the remembered place; a missing or unreadable file is the default place. */
export class WindowStateFile {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly path: string,
    private readonly warn: (line: string) => void,
  ) {}

  load(): WindowState | null {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        this.warn(`could not read the window's place (${this.path}): ${(error as Error).message}`);
      }
      return null;
    }
    try {
      return WindowStateSchema.parse(JSON.parse(text));
    } catch {
      this.warn(`ignored the window's place in ${this.path}: not a valid window state`);
      return null;
    }
  }

  /** Saves the window's place a moment after the last of a burst of moves and resizes. */
  saveSoon(win: PlacedWindow): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.saveNow(win), SAVE_DELAY_MS);
  }

  /** Saves the window's place now (it is closing or hiding), replacing the file whole. */
  saveNow(win: PlacedWindow): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (win.isDestroyed()) return;
    const { x, y, width, height } = win.getNormalBounds();
    const [left, top, w, h] = [x, y, width, height].map(Math.round) as [number, number, number, number];
    const state: WindowState = { x: left, y: top, width: w, height: h, maximized: win.isMaximized() };
    const temporary = `${this.path}.tmp`;
    try {
      writeFileSync(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600 });
      renameSync(temporary, this.path);
    } catch (error) {
      this.warn(`could not remember the window's place (${this.path}): ${(error as Error).message}`);
    }
  }
}
