/**
 * The one data dir shared by the app, the engine, the CLI and every wrapper: `--data-dir`, else
 * `MCPSCOPE_HOME`, else the platform's usual place for application data. An empty variable counts as
 * unset, as shells leave them.
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.MCPSCOPE_HOME) return resolve(env.MCPSCOPE_HOME);
  const home = homedir();
  if (platform === "darwin") return join(home, "Library", "Application Support", "mcpscope");
  if (platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), "mcpscope");
  // The XDG Base Directory spec: a relative XDG_DATA_HOME is invalid and ignored, like an empty one.
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, ".local", "share"), "mcpscope");
}

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ? resolve(flag) : defaultDataDir(env);
}

/** The database file's name in a data dir. */
export const DATABASE_FILE = "mcpscope.db";

/** The audit key's file in a data dir (audit/audit-key.ts says what it is for). */
export const AUDIT_KEY_FILE = "audit-key";

export function databasePath(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}
