/**
 * Is the mcpscope a wrapped entry launches still there? `instrument` writes absolute paths of the install
 * that ran it (launcher.ts); once that install is gone (an npx cache cleaned, a Node version uninstalled, an
 * AppImage or checkout deleted), the client fails to spawn the entry and only its own log says so. Also
 * which install paths will not last: the npx cache, temp folders, and Node version managers.
 */
import { accessSync, constants, realpathSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, sep } from "node:path";
import { quoteWords } from "../discovery/shown-command.js";
import { looksLikeMcpscope } from "./marker.js";

/** The part of a wrapped entry that reaches `mcpscope run`: its program and the arguments before `run`. */
export interface LauncherPart {
  command: string;
  args: string[];
}

/** The launcher of a wrapped command line (null when it has no `run`). */
export function launcherPart(command: string, args: readonly string[]): LauncherPart | null {
  const run = args.indexOf("run");
  return run === -1 ? null : { command, args: args.slice(0, run) };
}

/**
 * The absolute paths of a launcher that bear mcpscope's name (`…/bin/mcpscope.js`, a linked `mcpscope`,
 * a `mcpscope.cmd` shim), program first; none for a bare name found on the client's PATH. Takes a wrapped
 * entry's command line, or a wrapper's own (`node …/bin/mcpscope.js run …`).
 */
export function launcherScripts(command: string, args: readonly string[]): string[] {
  const launcher = launcherPart(command, args);
  if (!launcher) return [];
  return [launcher.command, ...launcher.args].filter((arg) => isAbsolute(arg) && looksLikeMcpscope(arg));
}

/** A launcher as one line, for messages. */
export function launcherText(launcher: LauncherPart): string {
  // Quoted as `instrument`'s own lines are: a path with a space reads back as one argument.
  return quoteWords([launcher.command, ...launcher.args]);
}

/** The file at `path` is a program this user may run (`program`), or just a file. */
function usable(path: string, program: boolean): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (program && process.platform !== "win32") accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first absolute path of the entry's launcher that is gone (or, for its program, not runnable): its
 * program, or the mcpscope script it runs (other arguments, like `cmd`'s `/c`, are not paths to check);
 * null when they are there. A bare name (`mcpscope`, `npx`) is looked up on the client's own PATH, which
 * mcpscope cannot know, so it is never reported.
 */
export function goneLauncherPath(command: string, args: readonly string[]): string | null {
  const launcher = launcherPart(command, args);
  if (!launcher) return null;
  if (isAbsolute(launcher.command) && !usable(launcher.command, true)) return launcher.command;
  const script = (arg: string) => isAbsolute(arg) && looksLikeMcpscope(arg);
  return launcher.args.find((arg) => script(arg) && !usable(arg, false)) ?? null;
}

/** Node version managers whose installs a later uninstall removes, by a part of their paths. */
const VERSION_MANAGERS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: "nvm", pattern: /\/\.?nvm\/(versions\/node\/)?v\d/i },
  { name: "fnm", pattern: /\/(\.fnm|fnm)\/node-versions\//i },
  { name: "volta", pattern: /\/\.?volta\/tools\/image\/node\//i },
  { name: "asdf", pattern: /\/\.asdf\/installs\/nodejs\//i },
  { name: "mise", pattern: /\/mise\/installs\/node\//i },
];

/** The version manager that installed the Node at `path` (`nvm`, `fnm`, `volta`, `asdf`, `mise`), or null. */
export function versionManagerOf(path: string): string | null {
  const slashed = path.replaceAll("\\", "/");
  return VERSION_MANAGERS.find((m) => m.pattern.test(slashed))?.name ?? null;
}

/**
 * Why files at `path` will not last: `the npx cache` (npm cleans it), or `a temporary folder` for a
 * package a runner installed there for one run (`bunx`, `yarn dlx`: a `node_modules` inside the temp
 * folder); null when they are where an install stays. A checkout or copy the user put in a temp folder
 * is their choice, and left as it is.
 */
export function transientPlace(path: string, temp = tmpdir()): string | null {
  const parts = path.split(/[\\/]/);
  if (parts.includes("_npx")) return "the npx cache";
  if (!parts.includes("node_modules")) return null;
  // Module paths are real paths: a temp folder behind a link (macOS's /var) is compared both ways.
  const roots = [temp, realOr(temp)].map((t) => (t.endsWith(sep) ? t : `${t}${sep}`));
  return roots.some((root) => path.startsWith(root)) ? "a temporary folder" : null;
}

function realOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
