/**
 * One change to a client's config file, done safely: under the file's lock, the bytes are read once; the
 * change is written atomically (temp file + fsync + rename, keeping the file's mode) after a backup, and
 * only if the file still holds exactly the bytes that were read — otherwise nothing is written.
 */
import { access, constants, readFile, realpath, rm, stat } from "node:fs/promises";
import { MonitoringError } from "../errors.js";
import { OwnerNotKeptError, writeFileAtomic } from "./atomic-file.js";
import { type BackupRecord, manifestPath, openManifest, sha256, writeBackupCopy } from "./backups.js";
import type { ConfigAction } from "./change-record.js";
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

/** A change made: its backup, and when that backup could not be listed in the manifest, what to tell. */
export interface CommittedChange extends BackupRecord {
  /** One line (the change is made; where its backup is and how to undo by hand), or null. */
  unlisted: string | null;
}

export interface ConfigTransaction {
  /** The path as given (for messages and records). */
  file: string;
  /** The file's text as read under the lock. */
  text: string;
  /**
   * Backs up the bytes read, then replaces the file with `next` if it has not changed since. `untouched`:
   * no entry of the file was changed by mcpscope before (that backup is kept longer; backups.ts).
   */
  commit(next: string, action: ConfigAction, untouched?: boolean): Promise<CommittedChange>;
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
    const { mode, uid, gid } = await stat(target);
    return await use({
      file,
      text,
      async commit(next, action, untouched = false) {
        await refuseReadOnly(target, file, mode);
        // The manifest is read before the config is touched: a change it cannot list must not happen.
        const manifest = await openManifest(opts.dataDir);
        try {
          const backup = await writeBackupCopy(opts.dataDir, opts.client, file, bytes, action, opts.now?.());
          if (untouched) backup.untouched = true;
          try {
            await opts.hooks?.beforeWrite?.();
            await writeFileAtomic(target, Buffer.from(next, "utf8"), {
              mode: mode & 0o7777,
              owner: process.platform === "win32" ? undefined : { uid, gid },
              beforeRename: async () => {
                const current = await readFile(target).catch(() => null);
                if (current === null || sha256(current) !== sha256(bytes)) {
                  throw MonitoringError.input(
                    `${file} changed while mcpscope was editing it (another program wrote it); nothing was written — run the command again`,
                  );
                }
              },
            });
          } catch (error) {
            // Nothing changed, so nothing is left behind: no temp file (the write removed it), no backup.
            await rm(backup.backup, { force: true });
            throw writeError(error, file);
          }
          // The config has changed, so this must not fail the change (its caller would drop the record
          // that undoes it); the backup file is on disk either way, and the caller says where.
          const unlisted = await manifest.append(backup).then(
            () => null,
            (error: unknown) => unlistedMessage(error, file, backup.backup, opts.dataDir),
          );
          return { ...backup, unlisted };
        } finally {
          await manifest.release();
        }
      },
    });
  } finally {
    await release();
  }
}

/**
 * A file without write permission is one the user asked programs not to change (a rename would replace it
 * anyway): refused, like a careful editor does, whoever runs mcpscope.
 */
async function refuseReadOnly(target: string, file: string, mode: number): Promise<void> {
  const writable =
    (mode & 0o222) !== 0 &&
    (await access(target, constants.W_OK).then(
      () => true,
      () => false,
    ));
  if (!writable)
    throw MonitoringError.input(
      `${file} is read-only; nothing was changed — make it writable (chmod u+w) and run the command again`,
    );
}

/** A backup the manifest could not list, after the config changed: where it is, and how to undo by hand. */
function unlistedMessage(error: unknown, file: string, backup: string, dataDir: string): string {
  // An errno message goes on with both paths ("EPERM: operation not permitted, rename '…' -> '…'").
  const why = (error instanceof Error ? error.message : String(error)).split(",")[0];
  return `its backup could not be listed in ${manifestPath(dataDir)} (${why}); the backup is kept at ${backup} — to undo the change by hand, copy it over ${file}`;
}

/** A failed replace in one plain line (mcpscope's own refusals pass as they are). */
function writeError(error: unknown, file: string): unknown {
  if (error instanceof MonitoringError) return error;
  if (error instanceof OwnerNotKeptError)
    return MonitoringError.input(
      `cannot write ${file} with its owner and group kept (uid ${error.owner.uid}, gid ${error.owner.gid}); nothing was changed — run the command as its owner`,
    );
  const { code, message } = error as NodeJS.ErrnoException;
  const why = code === "EPERM" || code === "EACCES" ? "the file or its folder does not allow it" : message;
  return MonitoringError.input(
    `cannot replace ${file} (${code ? `${code}: ` : ""}${why}); nothing was changed`,
  );
}

function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw MonitoringError.input(`${file} is not valid UTF-8; mcpscope will not edit it`);
  }
}
