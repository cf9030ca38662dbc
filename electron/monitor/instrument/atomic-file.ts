/** Replacing a file atomically: a temp file in the same folder, fsync, then rename over the original. */
import { randomBytes } from "node:crypto";
import { lstatSync, realpathSync } from "node:fs";
import { link, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** Permission bits of the new file (the replaced file's, to keep them). */
  mode: number;
  /**
   * Owner and group of the new file (the replaced file's, to keep them). When the temp file cannot be
   * given them, the write is cancelled with an `OwnerNotKeptError` rather than changing who owns the file.
   */
  owner?: { uid: number; gid: number };
  /** Runs after the data is on disk and just before the rename; throwing cancels the write. */
  beforeRename?: () => Promise<void>;
  /**
   * False: the file is put in place only where none exists (a hard link, which fails with EEXIST rather
   * than replacing one created meanwhile). Default true.
   */
  replace?: boolean;
}

/** The new file could not be given the replaced file's owner and group; nothing was written. */
export class OwnerNotKeptError extends Error {
  constructor(
    readonly owner: { uid: number; gid: number },
    cause: unknown,
  ) {
    super(`cannot keep owner ${owner.uid} and group ${owner.gid} (${(cause as Error).message})`, { cause });
  }
}

/**
 * The file a write to `path` replaces: where `path` is a link, the file it names (the rename then replaces
 * that file and the link stays, as a user who keeps the file elsewhere expects); else `path` itself. Null
 * when `path` is a link to nothing (writing there would replace the link with a file).
 */
export function replacedPath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ? null : path;
  }
}

export async function writeFileAtomic(
  path: string,
  data: Uint8Array,
  opts: AtomicWriteOptions,
): Promise<void> {
  const file = await createFileAtomic(path, opts);
  try {
    await file.write(data);
  } catch (error) {
    await file.abort();
    throw error;
  }
  await file.commit();
}

/** A file being written in pieces (an export of any length): nothing is at `path` until `commit`. */
export interface AtomicFile {
  /** Where the bytes go until `commit` (a hidden file beside `path`); absent where written straight in. */
  readonly temp?: string;
  write(data: Uint8Array | string): Promise<void>;
  /** Puts the file in place (as `writeFileAtomic` does); the temp file is removed when this fails. */
  commit(): Promise<void>;
  /** Drops what was written; `path` is left as it was. */
  abort(): Promise<void>;
}

/** The pid of the process that made the temp file named `name` (createFileAtomic's), or null for another name. */
export function atomicTempOwner(name: string): number | null {
  const match = /^\..+\.mcpscope-(\d+)-[0-9a-f]{8}\.tmp$/.exec(name);
  return match ? Number(match[1]) : null;
}

export async function createFileAtomic(
  path: string,
  opts: AtomicWriteOptions,
): Promise<AtomicFile & { readonly temp: string }> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.mcpscope-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", opts.mode);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const abort = async () => {
    await close().catch(() => undefined);
    await rm(temp, { force: true });
  };
  return {
    temp,
    async write(data) {
      await handle.writeFile(data); // whole (write() may stop short), after what was written before
    },
    abort,
    async commit() {
      try {
        try {
          if (opts.owner) {
            const { uid, gid } = await handle.stat();
            if (uid !== opts.owner.uid || gid !== opts.owner.gid)
              await handle.chown(opts.owner.uid, opts.owner.gid).catch((error: unknown) => {
                throw new OwnerNotKeptError(opts.owner!, error);
              });
          }
          await handle.chmod(opts.mode); // open()'s mode is reduced by the umask (and chown clears setuid bits)
          await handle.sync();
        } finally {
          await close();
        }
        await opts.beforeRename?.();
        if (opts.replace === false) await placeNew(temp, path);
        else await rename(temp, path);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      if (opts.replace === false) await rm(temp, { force: true });
      await syncFolder(dir);
    },
  };
}

/** Codes of a file system without hard links (FAT, some network shares). */
const NO_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

/** `temp` put at `path` only where nothing is there: EEXIST rather than replacing a file made meanwhile. */
async function placeNew(temp: string, path: string): Promise<void> {
  try {
    await link(temp, path);
  } catch (error) {
    if (!NO_LINKS.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
    // Without hard links, an empty file created exclusively holds the name until the rename fills it.
    await (await open(path, "wx")).close();
    await rename(temp, path).catch(async (failed: unknown) => {
      await rm(path, { force: true });
      throw failed;
    });
  }
}

/** Makes the rename durable; not possible (nor needed) on Windows. */
async function syncFolder(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await open(dir, "r").catch(() => null);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}
