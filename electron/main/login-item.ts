/**
 * "Start at login". macOS and Windows keep the setting themselves (app.setLoginItemSettings); on Linux and
 * the BSDs it is an XDG autostart entry, `$XDG_CONFIG_HOME/autostart/mcpscope.desktop`, whose presence is
 * the setting. Started at login, the app stays in the tray: `--hidden` on Windows and Linux, the OS's own
 * "opened at login" flag on macOS (which passes no arguments to login items).
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { makeDirs } from "../monitor/make-dirs.js";

export const HIDDEN_ARG = "--hidden";

/** The parts of Electron's `app` used here. */
export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
}

export interface LoginItemOptions {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homeDir: string;
  /** `process.execPath`; inside an AppImage, `env.APPIMAGE` is launched instead. */
  execPath: string;
  /** Arguments before `--hidden`: the app's folder when it runs as `electron <folder>` in development. */
  appArgs?: readonly string[];
  app: LoginItemApp;
}

export interface LoginItem {
  /** False where the app cannot start at login (then the menu leaves the item out). */
  readonly supported: boolean;
  enabled(): boolean;
  /** Throws an Error with a one-line message if the setting cannot be written. */
  set(enabled: boolean): void;
  /** On Linux, points an existing entry at where the app is now (an AppImage that was moved). */
  refresh(): void;
}

const XDG_PLATFORMS: readonly NodeJS.Platform[] = ["linux", "freebsd", "openbsd", "netbsd"];

export function createLoginItem(options: LoginItemOptions): LoginItem {
  if (options.platform === "darwin" || options.platform === "win32") return electronLoginItem(options);
  if (XDG_PLATFORMS.includes(options.platform)) return xdgLoginItem(options);
  return { supported: false, enabled: () => false, set: () => {}, refresh: () => {} };
}

/** Whether this launch should stay in the tray without showing the window. */
export function launchedHidden(
  argv: readonly string[],
  platform: NodeJS.Platform,
  app: LoginItemApp,
): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  return platform === "darwin" && app.getLoginItemSettings().wasOpenedAtLogin === true;
}

function electronLoginItem(options: LoginItemOptions): LoginItem {
  // Windows matches the entry by its arguments, so set and get pass the same ones; macOS takes none.
  const args = options.platform === "win32" ? { args: [...(options.appArgs ?? []), HIDDEN_ARG] } : {};
  return {
    supported: true,
    enabled: () => options.app.getLoginItemSettings(args).openAtLogin,
    set: (enabled) => options.app.setLoginItemSettings({ openAtLogin: enabled, ...args }),
    refresh: () => {},
  };
}

/** `$XDG_CONFIG_HOME/autostart/mcpscope.desktop` (XDG_CONFIG_HOME only if absolute, as the spec says). */
export function autostartPath(env: NodeJS.ProcessEnv, homeDir: string): string {
  const configHome = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : null;
  return join(configHome ?? join(homeDir, ".config"), "autostart", "mcpscope.desktop");
}

/** The autostart entry's text. */
export function autostartEntry(command: readonly string[]): string {
  return [
    "[Desktop Entry]",
    "Type=Application",
    "Version=1.0",
    "Name=mcpscope",
    "Comment=Monitor the MCP servers on your machine",
    `Exec=${command.map(execArgument).join(" ")}`,
    "Terminal=false",
    "X-GNOME-Autostart-enabled=true",
    "",
  ].join("\n");
}

/**
 * One argument of a desktop entry's Exec key: quoted if it holds a reserved character, `\"`, `` \` ``,
 * `\$`, `\\` inside quotes, `%` doubled (field codes); then escaped as a string value (`\` → `\\`, a
 * newline → `\n`). Desktop Entry Specification 1.5, "The Exec key".
 */
export function execArgument(argument: string): string {
  let quoted = argument.replaceAll("%", "%%");
  if (/[\s"'\\><~|&;$*?#()`]/.test(argument) || argument === "") {
    quoted = `"${quoted.replace(/["`$\\]/g, "\\$&")}"`;
  }
  return quoted
    .replaceAll("\\", "\\\\")
    .replaceAll("\n", "\\n")
    .replaceAll("\t", "\\t")
    .replaceAll("\r", "\\r");
}

function xdgLoginItem(options: LoginItemOptions): LoginItem {
  const path = autostartPath(options.env, options.homeDir);
  const command = [options.env.APPIMAGE || options.execPath, ...(options.appArgs ?? []), HIDDEN_ARG];
  const write = () => {
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      makeDirs(dirname(path));
      writeFileSync(temporary, autostartEntry(command), { mode: 0o644 });
      renameSync(temporary, path);
    } catch (error) {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Nothing was written (the folder could not be made).
      }
      throw new Error(`could not write ${path}: ${messageOf(error)}`);
    }
  };
  const read = (): string | null => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return null;
    }
  };
  const enabled = () => {
    const text = read();
    // A desktop's startup settings may turn an entry off without removing it.
    return (
      text !== null &&
      !/^Hidden\s*=\s*true\s*$/m.test(text) &&
      !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text)
    );
  };
  return {
    supported: true,
    enabled,
    set(on) {
      if (on) {
        write();
        return;
      }
      try {
        rmSync(path, { force: true });
      } catch (error) {
        throw new Error(`could not remove ${path}: ${messageOf(error)}`);
      }
    },
    refresh() {
      if (existsSync(path) && enabled() && read() !== autostartEntry(command)) write();
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
