/**
 * Creates a folder and its missing parents, a bounded number of tries per level. Node's own
 * `mkdir(…, { recursive: true })` retries for ever where a parent exists but a child can never be made in
 * it (a path under /proc or /sys, some FUSE and network mounts answer ENOENT there): the sync call spins
 * its thread at full CPU, deaf to signals, and the promise form holds a thread-pool thread the same way.
 * A wrapper that did that before its first relayed byte would stop the traffic it must never stop.
 * Only node:fs here: the wrapper loads this before it relays.
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** Makes `dir` (mode for each folder made); an existing folder is fine. Throws what mkdir threw. */
export function makeDirs(dir: string, mode = 0o777): void {
  try {
    make(dir, mode);
    return;
  } catch (error) {
    const parent = dirname(dir);
    // A missing parent is made first, then this folder is tried once more; at the root there is none.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || parent === dir) throw error;
    makeDirs(parent, mode);
  }
  make(dir, mode);
}

/** mkdir, where an existing folder counts as made. */
function make(dir: string, mode: number): void {
  try {
    mkdirSync(dir, { mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST" || !isFolder(dir)) throw error;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
