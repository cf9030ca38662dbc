/** Sizes of files and folders on disk, for what the data dir holds (storage.info, the runtime copies). */
import { type Dirent, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Bytes of the file at `path`; 0 when it is not there. */
export function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Bytes of every file under `dir` (symbolic links not followed). */
export function treeBytes(dir: string): number {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(path);
    else if (entry.isFile()) total += fileBytes(path);
  }
  return total;
}
