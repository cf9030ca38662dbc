/**
 * Where clients keep their files on each platform, as a pure function of the discovery context, so
 * that macOS and Windows paths can be computed (and tested) on any machine.
 */
import { readdirSync } from "node:fs";
import { posix, win32 } from "node:path";
import type { DiscoveryContext } from "./types.js";

/**
 * Every environment variable that moves where discovery looks for client files (read through `ctx.env`):
 * what a context that must see one home only leaves out.
 */
export const DISCOVERY_ENV = [
  "XDG_CONFIG_HOME",
  "APPDATA",
  "LOCALAPPDATA",
  "USERPROFILE",
  "CLAUDE_CONFIG_DIR",
  "CODEX_HOME",
  "CONTINUE_GLOBAL_DIR",
  "CLINE_DIR",
] as const;

export function pathApi(ctx: DiscoveryContext): typeof posix {
  return ctx.platform === "win32" ? win32 : posix;
}

export function joinPath(ctx: DiscoveryContext, ...parts: string[]): string {
  return pathApi(ctx).join(...parts);
}

export function inHome(ctx: DiscoveryContext, ...parts: string[]): string {
  return joinPath(ctx, ctx.home, ...parts);
}

/** `~/.config` (or `$XDG_CONFIG_HOME`) on Linux, `~/.config` on macOS, `%APPDATA%` on Windows. */
export function xdgConfigDir(ctx: DiscoveryContext): string {
  if (ctx.platform === "win32") return roamingAppData(ctx);
  if (ctx.platform !== "darwin" && ctx.env.XDG_CONFIG_HOME) return ctx.env.XDG_CONFIG_HOME;
  return inHome(ctx, ".config");
}

/** `%APPDATA%` (Roaming) on Windows. */
export function roamingAppData(ctx: DiscoveryContext): string {
  return ctx.env.APPDATA ?? inHome(ctx, "AppData", "Roaming");
}

/** `%LOCALAPPDATA%` on Windows. */
export function localAppData(ctx: DiscoveryContext): string {
  return ctx.env.LOCALAPPDATA ?? inHome(ctx, "AppData", "Local");
}

/**
 * Electron's `app.getPath("appData")`, where Electron apps (Claude Desktop, VS Code) keep their
 * settings: `~/Library/Application Support`, `%APPDATA%`, or `$XDG_CONFIG_HOME`/`~/.config`.
 */
export function electronAppData(ctx: DiscoveryContext): string {
  if (ctx.platform === "darwin") return inHome(ctx, "Library", "Application Support");
  return xdgConfigDir(ctx);
}

/** VS Code's own builds (their folders under the app-data folder), and the editors built on it. */
const VSCODE_BUILDS = ["Code", "Code - Insiders"];
const VSCODE_FORKS = ["VSCodium", "Cursor", "Windsurf"];

function userDirs(ctx: DiscoveryContext, products: string[]): string[] {
  return products.map((product) => joinPath(ctx, electronAppData(ctx), product, "User"));
}

/** VS Code's `User` folders (stable and Insiders): user settings, mcp.json and extensions' globalStorage. */
export function vscodeUserDirs(ctx: DiscoveryContext): string[] {
  return userDirs(ctx, VSCODE_BUILDS);
}

/**
 * The `User` folders of VS Code and the editors built on it (VSCodium, Cursor, Windsurf), where an
 * extension installed in any of them (Cline) keeps its globalStorage.
 */
export function vscodeFamilyUserDirs(ctx: DiscoveryContext): string[] {
  return userDirs(ctx, [...VSCODE_BUILDS, ...VSCODE_FORKS]);
}

/** The folders of VS Code's non-default profiles (`User/profiles/<id>`), each with its own mcp.json and settings.json. */
export function vscodeProfileDirs(ctx: DiscoveryContext): string[] {
  return vscodeProfilesRoots(ctx).flatMap((dir) => subfolders(ctx, dir));
}

/** `User/profiles` of VS Code and Insiders, which hold one folder per non-default profile. */
export function vscodeProfilesRoots(ctx: DiscoveryContext): string[] {
  return vscodeUserDirs(ctx).map((dir) => joinPath(ctx, dir, "profiles"));
}

/**
 * The folders directly inside `dir`, sorted; none when it is missing. Read at each discovery, so a
 * profile or extension added later is found on the next read.
 */
export function subfolders(ctx: DiscoveryContext, dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
      .map((entry) => joinPath(ctx, dir, entry.name))
      .sort();
  } catch {
    return [];
  }
}

/** Replaces the home folder with `~` for display. */
export function tildePath(file: string, home: string): string {
  if (home && (file === home || file.startsWith(`${home}/`) || file.startsWith(`${home}\\`))) {
    return `~${file.slice(home.length)}`;
  }
  return file;
}
