/**
 * One change to a client's config file, done safely: under the file's lock, the bytes are read once; the
 * change is written atomically (temp file + fsync + rename, keeping the file's mode) after a backup, and
 * only if the file still holds exactly the bytes that were read — otherwise nothing is written.
 */
import { readFile, realpath, stat } from "node:fs/promises";
import { MonitoringError } from "../errors.js";
import { writeFileAtomic } from "./atomic-file.js";
import { type BackupRecord, backupConfig, sha256 } from "./backups.js";
import { acquireLock, type LockOptions } from "./lock-file.js";

export interface TransactionHooks {
  /** Runs after the backup and before the file is checked and replaced (tests change the file here). */
  beforeWrite?: () => Promise<void> | void;
}

export interface TransactionOptions {
  dataDir: string;
  client: string;
  hooks?: TransactionHooks;
  now?: () => Date;
  lock?: LockOptions;
}

export interface ConfigTransaction {
  /** The path as given (for messages and records). */
  file: string;
  /** The file's text as read under the lock. */
  text: string;
  /** Backs up the bytes read, then replaces the file with `next` if it has not changed since. */
  commit(next: string, action: "instrument" | "uninstrument"): Promise<BackupRecord>;
}

export async function withConfigFile<T>(
  file: string,
  opts: TransactionOptions,
  use: (tx: ConfigTransaction) => Promise<T>,
): Promise<T> {
  // Write through a symlink (dotfile managers link configs), never replace the link itself.
  const target = await realpath(file).catch((error: NodeJS.ErrnoException) => {
    throw error.code === "ENOENT" ? MonitoringError.input(`${file} does not exist any more`) : error;
  });
  const release = await acquireLock(target, opts.lock);
  try {
    const bytes = await readFile(target);
    const text = decodeUtf8(bytes, file);
    const { mode } = await stat(target);
    return await use({
      file,
      text,
      async commit(next, action) {
        const backup = await backupConfig(opts.dataDir, opts.client, file, bytes, action, opts.now?.());
        await opts.hooks?.beforeWrite?.();
        await writeFileAtomic(target, Buffer.from(next, "utf8"), {
          mode: mode & 0o7777,
          beforeRename: async () => {
            const current = await readFile(target).catch(() => null);
            if (current === null || sha256(current) !== sha256(bytes)) {
              throw MonitoringError.input(
                `${file} changed while mcpscope was editing it (another program wrote it); nothing was written — run the command again`,
              );
            }
          },
        });
        return backup;
      },
    });
  } finally {
    await release();
  }
}

function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw MonitoringError.input(`${file} is not valid UTF-8; mcpscope will not edit it`);
  }
}
