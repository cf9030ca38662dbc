/**
 * Owner-only data: every folder mcpscope makes is 0700 and every file 0600, whatever the umask (recorded
 * calls hold what a user's tools read and wrote). New files are created with these modes; an existing
 * data dir is tightened when the engine starts. SQLite gives the `-wal` and `-shm` files the mode of the
 * database file, so creating that one 0600 covers all three. Windows has no such modes: a no-op there.
 */
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  linkSync,
  lstatSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { threadId } from "node:worker_threads";
import { makeDirs } from "../make-dirs.js";
import { AUDIT_KEY_FILE } from "../paths.js";
import { LAUNCHED_FOLDER } from "../supervisor/launch-records.js";
import { WRAPPERS_FOLDER } from "../wrapper-presence.js";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const POSIX = process.platform !== "win32";

/** Creates `dir` (and missing parents) 0700; an existing `dir` is made 0700 too. */
export function ensurePrivateDir(dir: string): void {
  makeDirs(dir, PRIVATE_DIR_MODE);
  if (POSIX) tighten(dir, PRIVATE_DIR_MODE);
}

/** Creates `path` empty and 0600 if it does not exist (mode passed at creation, so no window at 0644). */
export function ensurePrivateFile(path: string): void {
  try {
    closeSync(openSync(path, "wx", PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/**
 * Writes a small file whole or not at all (0600): a temp file renamed over it, so a full disk leaves no
 * empty or cut-off file behind for the next start to misread. Throws what the write threw. `replace:
 * false` puts it in place only where no file is (a hard link, which refuses to replace): false when one
 * was there, which is kept.
 */
export function writePrivateFileSync(
  path: string,
  text: string,
  options: { replace?: boolean } = {},
): boolean {
  // A name of this write's own: threads of one process (the engine's proxy observers) write at once.
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}-${threadId}-${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    writeFileSync(temp, text, { mode: PRIVATE_FILE_MODE });
    if (options.replace !== false) renameSync(temp, path);
    else {
      try {
        linkSync(temp, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw error;
      }
    }
    return true;
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * What mcpscope keeps in the data dir (folders are tightened with everything in them). A data dir may be
 * a folder the user also keeps other things in (`--data-dir`, `MCPSCOPE_HOME`): those are not ours to
 * change, so only these names are touched.
 */
const owned = (): RegExp[] => [
  /^mcpscope\.db/, // the database, its -wal and -shm, and copies moved aside (corrupt, before-restore)
  /^(settings\.json|settings\.last-seen\.json|settings\.writer\.json|servers\.json|instrumented\.json|remote-proxies\.json|alerts\.yaml|alerts\.last-good\.yaml|serve-token|last-backup\.json)$/,
  new RegExp(`^${AUDIT_KEY_FILE}$`),
  /^\..*\.(tmp|lock)$/, // atomic-write temp files and lock files
  new RegExp(`^(logs|backups|runtime|engines|${WRAPPERS_FOLDER}|${LAUNCHED_FOLDER})$`),
];

/**
 * Makes the data dir and mcpscope's files in it owner-only: folders 0700, files 0600. Symbolic links are
 * left alone (their targets are the user's business). Returns how many entries were changed.
 */
export function tightenDataDir(dataDir: string): number {
  if (!POSIX) return 0;
  let changed = 0;
  const walk = (dir: string, owned: (name: string) => boolean) => {
    if (tighten(dir, PRIVATE_DIR_MODE)) changed++;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!owned(name)) continue;
      const path = join(dir, name);
      let stat: ReturnType<typeof lstatSync>;
      try {
        stat = lstatSync(path);
      } catch {
        continue;
      }
      if (stat.isDirectory()) walk(path, () => true);
      else if (stat.isFile() && tighten(path, PRIVATE_FILE_MODE)) changed++;
    }
  };
  const patterns = owned();
  walk(dataDir, (name) => patterns.some((pattern) => pattern.test(name)));
  return changed;
}

/** chmods `path` to `mode` when its permission bits differ; true if it did. Failures are ignored. */
function tighten(path: string, mode: number): boolean {
  try {
    if ((lstatSync(path).mode & 0o777) === mode) return false;
    chmodSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
