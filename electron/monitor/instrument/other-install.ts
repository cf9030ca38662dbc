/**
 * Does a wrapped entry run another mcpscope install than this one? After an upgrade that is the common
 * case: entries instrumented by an older npm install, another Node's global modules, or the desktop app's
 * per-version copy (`<dataDir>/runtime/<version>/`, which an app update never rewrites) keep launching
 * that mcpscope — and once this one has upgraded the database, an older wrapper refuses it and records
 * nothing, saying so only in the client's own log. It may as well be newer, or deliberate: so this is a
 * notice, said as such, unless the other install is known to be older — by the schema its build says it
 * writes (dist/install.json); a build that does not say is from before builds said it (`olderThanThis`).
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import type { OtherInstall } from "../../../shared/discovery.js";
import { SCHEMA_VERSION } from "../store/migrations.js";
import { VERSION } from "../version.js";
import { currentLauncher, type Launcher } from "./launcher.js";
import { goneLauncherPath, launcherPart, launcherScripts } from "./launcher-check.js";
import { COPY_NAME, runtimeDir } from "./stable-cli.js";

export type { OtherInstall };

/** This install as entries run it: its program and every script path that is this install (real paths). */
export interface ThisInstall {
  program: string;
  scripts: Set<string>;
  /** The data dir's `runtime` folder, where copies of the CLI are kept (stable-cli.ts); null without one. */
  runtime: string | null;
  version: string;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * This install: the launcher `instrument` writes from here; a copy of this version in the data dir's
 * `runtime` folder (the AppImage's, or the npx cache's) counts as this install too, when its build says
 * it writes this schema.
 */
export function thisInstall(
  version: string,
  dataDir?: string,
  launcher: Launcher = currentLauncher(),
): ThisInstall {
  const scripts = new Set(launcher.args.filter((a) => isAbsolute(a)).map(real));
  const runtime = dataDir ? real(runtimeDir(dataDir)) : null;
  return { program: real(launcher.command), scripts, runtime, version };
}

/** This install (thisInstall) for this process; null when it cannot be found (then no entry is told apart). */
export function installHere(dataDir?: string): ThisInstall | null {
  try {
    return thisInstall(VERSION, dataDir);
  } catch {
    return null;
  }
}

/**
 * The other install a wrapped entry runs, or null: when it runs this one, when its mcpscope is gone
 * (launcher-check.ts says that), or when it cannot be told (a bare `mcpscope` found on the client's PATH).
 */
export function otherInstall(
  command: string,
  args: readonly string[],
  mine: ThisInstall,
  version: string,
  /** The schema this install writes (store/migrations.ts SCHEMA_VERSION). */
  schemaVersion: number = SCHEMA_VERSION,
): OtherInstall | null {
  const launcher = launcherPart(command, args);
  if (!launcher || goneLauncherPath(command, args) !== null) return null;
  // The mcpscope script decides (this install's run by another Node records as well): an install's own
  // JavaScript file, once resolved (a link such as /usr/local/bin/mcpscope is one). A file that only bears
  // the name (npm's `mcpscope.cmd`, a shell wrapper, the app's own program) tells which install it runs
  // no better than a bare `mcpscope` does. The program decides only when nothing bears the name.
  const named = launcherScripts(command, args);
  const script = named.find((arg) => INSTALL_SCRIPT.test(real(arg)));
  const realScript = script ? real(script) : null;
  let path: string | null = null;
  if (script && realScript && !mine.scripts.has(realScript)) path = script;
  else if (!script && named.length > 0) return null;
  else if (!script && isAbsolute(launcher.command) && real(launcher.command) !== mine.program)
    path = launcher.command;
  if (!path) return null;
  const marker = realScript ? installMarker(realScript) : null;
  if (realScript && isThisVersionsCopy(realScript, mine, marker, schemaVersion)) return null;
  const other = marker?.version ?? (realScript ? installVersion(realScript) : null);
  return { path, version: other, older: olderThanThis(realScript, marker, other, version, schemaVersion) };
}

/**
 * Whether an install writes an older schema than this one, so refuses a database this one has upgraded.
 * Its build's marker decides. A build without one (its bundles beside its script, no marker) was made
 * before builds wrote it, so is older code than this one even at the same version (versions are not
 * bumped for every schema change), unless its version is newer. Anything else (a shim script that runs
 * some install) is told by its version alone.
 */
function olderThanThis(
  script: string | null,
  marker: { schemaVersion?: number } | null,
  otherVersion: string | null,
  version: string,
  schemaVersion: number,
): boolean {
  if (marker?.schemaVersion !== undefined) return marker.schemaVersion < schemaVersion;
  const order = otherVersion === null ? 0 : compareVersions(otherVersion, version);
  return order < 0 || (order === 0 && script !== null && isBuild(script));
}

/** The script is a built install's, its bundles beside it (an npm install, a runtime copy, the app's files). */
function isBuild(script: string): boolean {
  return existsSync(join(dirname(dirname(script)), "dist", "cli.mjs"));
}

/** An install's script: `bin/mcpscope.js`, or a bundled `cli.mjs`. */
const INSTALL_SCRIPT = /\.m?js$/i;

/** What a build writes beside its bundles (build/build.mjs `writeInstallMarker`); null before it did. */
function installMarker(script: string): { version?: string; schemaVersion?: number } | null {
  const marker = readJson(join(dirname(dirname(script)), "dist", "install.json"));
  if (!marker) return null;
  return {
    ...(typeof marker.version === "string" ? { version: marker.version } : {}),
    ...(Number.isInteger(marker.schemaVersion) ? { schemaVersion: marker.schemaVersion as number } : {}),
  };
}

/** A copy in the data dir's runtime folder of this version, whose build says it writes this schema. */
function isThisVersionsCopy(
  script: string,
  mine: ThisInstall,
  marker: { schemaVersion?: number } | null,
  schemaVersion: number,
): boolean {
  const root = dirname(dirname(script));
  if (mine.runtime === null || dirname(root) !== mine.runtime) return false;
  // A copy named by its version alone was made by a build from before copies were named by their files'
  // digest (stable-cli.ts): older code than this, whatever its version says.
  const named = COPY_NAME.exec(basename(root));
  if (named?.[1] !== mine.version) return false;
  // Without the marker it was made by a build from before builds wrote one: older code (`olderThanThis`).
  return marker?.schemaVersion === schemaVersion;
}

/** The version a runtime copy's folder names: `0.1.0`, or `0.1.0-<digest of its files>`. */
function runtimeVersion(folder: string): string {
  return COPY_NAME.exec(folder)?.[1] ?? folder;
}

/** The version of the install a `bin/mcpscope.js` belongs to: its `runtime/<version>` folder, or package.json. */
export function installVersion(script: string): string | null {
  const root = dirname(dirname(script));
  if (basename(dirname(root)) === "runtime") return runtimeVersion(basename(root));
  const pkg = readJson(join(root, "package.json"));
  return pkg?.name === "mcpscope" && typeof pkg.version === "string" ? pkg.version : null;
}

function readJson(path: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Orders `1.2.3` and `1.2.3-beta.1` by their numbers (a pre-release before its release); -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = "", pre] = v.split("-", 2);
    return { nums: core.split(".").map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** The other install in one phrase: `another mcpscope (0.0.9, older than this one): PATH`. */
export function otherInstallText(other: OtherInstall): string {
  const version = other.version ? ` ${other.version}${other.older ? ", older than this one" : ""}` : "";
  return `another mcpscope${version ? ` (${version.trim()})` : ""}: ${other.path}`;
}
