/** Every file below a folder (a data dir searched byte-wise for what must not be stored). */
import { readdir } from "node:fs/promises";
import { join } from "node:path";

export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}
