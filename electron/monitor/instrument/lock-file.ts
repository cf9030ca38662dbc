/**
 * An advisory lock between mcpscope processes: `<file>.mcpscope.lock`, created with O_EXCL. A lock older
 * than 30 s is taken to be left over from a crashed process and removed.
 */
import { randomUUID } from "node:crypto";
import { open, readFile, rm, stat } from "node:fs/promises";
import { MonitoringError } from "../errors.js";

export const STALE_LOCK_MS = 30_000;

export interface LockOptions {
  staleMs?: number;
  /** How long to wait for another process to finish. */
  waitMs?: number;
}

export function lockPathFor(file: string): string {
  return `${file}.mcpscope.lock`;
}

/** Takes the lock on `file`; the returned function releases it (only if it is still ours). */
export async function acquireLock(file: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  const lock = lockPathFor(file);
  const token = `${process.pid} ${randomUUID()}\n`;
  const deadline = Date.now() + (opts.waitMs ?? 2_000);
  for (;;) {
    try {
      const handle = await open(lock, "wx", 0o600);
      await handle.writeFile(token);
      await handle.close();
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") {
        throw MonitoringError.input(
          `cannot create ${lock} (${code ?? (error as Error).message}); mcpscope needs write access to the folder of ${file}`,
        );
      }
      const held = await stat(lock).catch(() => null);
      if (!held || Date.now() - held.mtimeMs > (opts.staleMs ?? STALE_LOCK_MS)) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw MonitoringError.input(
          `${file} is being changed by another mcpscope (${lock} exists); try again, or delete that lock file if no mcpscope is running`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return async () => {
    if ((await readFile(lock, "utf8").catch(() => null)) === token) await rm(lock, { force: true });
  };
}
