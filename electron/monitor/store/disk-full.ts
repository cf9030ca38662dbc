/**
 * A start that fails because the disk is full says so in one line naming where, instead of a bare
 * `ENOSPC … write` or SQLite's `disk I/O error` (which is what a read-only open says when it cannot
 * create the `-shm` file, so the free space is asked for rather than guessed from the words).
 */
import { statfsSync } from "node:fs";
import { MonitoringError } from "../errors.js";

const SPACE_WORDS = /ENOSPC|no space left|database or disk is full|disk I\/O error|SQLITE_FULL|SQLITE_IOERR/i;

function noSpaceLeft(dir: string): boolean {
  try {
    return statfsSync(dir).bavail === 0;
  } catch {
    return false;
  }
}

/** The one-line error for `error` when it came from a full disk under `dataDir`; otherwise `error` itself. */
export function explainDiskFull(dataDir: string, error: unknown): unknown {
  const message = (error as Error)?.message ?? String(error);
  const path = (error as NodeJS.ErrnoException)?.path;
  const full =
    (error as NodeJS.ErrnoException)?.code === "ENOSPC" ||
    (SPACE_WORDS.test(message) && noSpaceLeft(dataDir));
  if (!full) return error;
  return MonitoringError.storage(
    `cannot write in ${path ?? dataDir}: the disk is full (${message.replace(/^cannot (use|open) the database \S+: /, "")}); free some space and start again`,
    error,
  );
}
