/**
 * The one writer of files mcpscope makes for the user: a command's `--output FILE` (`report`, `audit
 * export`), a file saved from the desktop app's Save dialog, a scheduled report in its folder. Where it
 * goes, and how: a folder gets the suggested
 * file name inside it, an existing file is kept unless the user says --force, and the file is written
 * whole or not at all (a temp file put in place of the target, owner-only as scheduled reports are), so a
 * full disk or a failure half-way never leaves half a file behind nor destroys the one that was there. A
 * link is followed (the file it names is replaced, not the link), and a pipe, device or socket
 * (`>(gzip > r.gz)`) is written straight into: there is no file there to keep. `/dev/stdout`, `/dev/stderr`
 * and `/dev/fd/N` name a descriptor the shell opened (`> f`, `>> f`), so they are written straight into
 * whatever they are, a regular file included: through the descriptor itself, at its offset, never
 * truncated nor replaced, nor opened again by name. The data
 * dir's own database files are never a target, --force or not: an export must not destroy what it exports.
 */
import {
  createWriteStream,
  fstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { open, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { MonitoringError } from "./errors.js";
import { type AtomicFile, createFileAtomic, replacedPath } from "./instrument/atomic-file.js";
import { DATABASE_FILE, databasePath } from "./paths.js";
import { PRIVATE_FILE_MODE } from "./store/private-files.js";

/** Where the output goes: a regular file (written whole) or a stream (a pipe, a device, a socket). */
export interface OutputTarget {
  path: string;
  stream: boolean;
  /** The descriptor `/dev/stdout`, `/dev/stderr` or `/dev/fd/N` names, written through as it is. */
  fd?: number;
}

/** The descriptor a name like `/dev/stdout` or `/dev/fd/3` stands for; null for any other path. */
export function descriptorOf(output: string): number | null {
  if (process.platform === "win32") return null;
  if (output === "/dev/stdout") return 1;
  if (output === "/dev/stderr") return 2;
  const match = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(output);
  return match ? Number(match[1]) : null;
}

export interface OutputOptions {
  /** The file name used when --output is a folder or not given. */
  suggested?: string;
  force: boolean;
  /** The data dir the command reads: its database files are refused. */
  dataDir: string;
}

/** The file to write for `--output` (undefined: the suggested name, here); refuses what cannot or should not be written. */
export function outputTarget(output: string | undefined, opts: OutputOptions): OutputTarget {
  const { suggested, force } = opts;
  const fd = output === undefined ? null : descriptorOf(output);
  if (output !== undefined && fd !== null) {
    checkDescriptor(output, fd, opts.dataDir);
    return { path: output, stream: true, fd };
  }
  let path = resolve(output ?? suggested ?? ".");
  const given = statTarget(path);
  if (suggested && (given?.isDirectory() || (output !== undefined && /[/\\]$/.test(output))))
    path = join(path, suggested);
  const existing = statTarget(path);
  if (existing?.isFIFO() || existing?.isCharacterDevice() || existing?.isSocket())
    return { path, stream: true };
  if (existing?.isDirectory())
    throw MonitoringError.input(`cannot write ${path}: it is a folder; name a file`);
  path = writtenPath(path);
  const folder = statSync(dirname(path), { throwIfNoEntry: false });
  if (!folder)
    throw MonitoringError.input(`cannot write ${path}: the folder ${dirname(path)} does not exist`);
  if (!folder.isDirectory())
    throw MonitoringError.input(`cannot write ${path}: ${dirname(path)} is not a folder`);
  refuseDatabaseFile(path, opts.dataDir);
  if (existing && !force) throw exists(path);
  return { path, stream: false };
}

/**
 * Refuses a descriptor the shell did not open: none at that number when the command starts (the database
 * is opened later, so its descriptors are refused), or one of the event loop's own: its epoll/eventfd
 * descriptors (no file type) and its wake-up pipes (this process holds their reading end too).
 */
function checkDescriptor(path: string, fd: number, dataDir: string): void {
  const notOurs = () =>
    MonitoringError.input(
      `cannot write ${path}: descriptor ${fd} is not one the shell opened for writing; redirect it (${fd}> FILE) or name a file`,
    );
  let stat: ReturnType<typeof fstatSync>;
  try {
    stat = fstatSync(fd);
  } catch {
    throw notOurs();
  }
  if (!(stat.isFile() || stat.isFIFO() || stat.isSocket() || stat.isCharacterDevice())) throw notOurs();
  if (readOnly(fd) || (stat.isFIFO() && readsOwnPipe(fd))) throw notOurs();
  if (stat.isFile()) refuseDatabaseFile(path, dataDir);
}

/** The access mode in /proc's fdinfo (Linux; elsewhere null): 0 read-only, 1 write-only, 2 both. */
function accessMode(fd: number | string): number | null {
  if (process.platform !== "linux") return null;
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"));
    return flags ? Number.parseInt(flags[1] ?? "0", 8) & 3 : null;
  } catch {
    return null;
  }
}

function readOnly(fd: number): boolean {
  return accessMode(fd) === 0;
}

/** Whether another descriptor of this process reads the pipe `fd` writes (Linux; elsewhere: no way to tell). */
function readsOwnPipe(fd: number): boolean {
  if (process.platform !== "linux") return false;
  const name = (n: string) => {
    try {
      return readlinkSync(`/proc/self/fd/${n}`);
    } catch {
      return null;
    }
  };
  const pipe = name(String(fd));
  for (const other of readdirSync("/proc/self/fd")) {
    if (other === String(fd) || name(other) !== pipe) continue;
    if (accessMode(other) === 0) return true;
  }
  return false;
}

function loops(path: string, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== "ELOOP") return error;
  return MonitoringError.input(`cannot write ${path}: it is a link that loops back on itself`);
}

/** What is at `path` (undefined: nothing), a link followed; a link that loops said in one line. */
function statTarget(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw loops(path, error);
  }
}

/**
 * The file a write to `path` replaces (a link's target, the link kept), with the one line for a link that
 * leads nowhere: to nothing, or round in a loop.
 */
export function writtenPath(path: string): string {
  let replaced: string | null;
  try {
    replaced = replacedPath(path);
  } catch (error) {
    throw loops(path, error);
  }
  if (replaced === null)
    throw MonitoringError.input(
      `cannot write ${path}: it is a link to ${readlinkSync(path)}, which does not exist`,
    );
  return replaced;
}

/**
 * A file only, for a writer that cannot stream (a backup is checked and put in place whole): the checks
 * `outputTarget` makes, and a pipe, device or descriptor refused in one line.
 */
export function fileTarget(output: string, opts: OutputOptions): string {
  const target = outputTarget(output, opts);
  if (target.stream)
    throw MonitoringError.input(
      `cannot write ${output}: it is a pipe, device or descriptor, and this writes a file; name a file`,
    );
  return target.path;
}

/** The database and the files SQLite keeps beside it: writing over any of them destroys recorded data. */
const DATABASE_FILES = ["", "-wal", "-shm", "-journal"].map((suffix) => `${DATABASE_FILE}${suffix}`);

/**
 * Refuses `path` when it is (by name or, for a hard link, by inode) the data dir's database or one of its
 * companion files, whether or not they exist now.
 */
export function refuseDatabaseFile(path: string, dataDir: string): void {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const dir = real(dataDir);
  const target = join(real(dirname(path)), basename(path));
  const stat = statSync(target, { throwIfNoEntry: false });
  for (const name of DATABASE_FILES) {
    const file = join(dir, name);
    const other = stat && statSync(file, { throwIfNoEntry: false });
    if (target === file || (other && other.ino === stat.ino && other.dev === stat.dev))
      throw MonitoringError.input(
        `cannot write ${path}: it is mcpscope's database (${databasePath(dataDir)}${name.slice(DATABASE_FILE.length)}); name another file`,
      );
  }
}

function exists(path: string): MonitoringError {
  return MonitoringError.input(`${path} exists; pass --force to replace it, or name another file`);
}

/** Before the output is built: refuses what would be refused after, the suggested name included. */
export function checkOutputTarget(output: string | undefined, opts: OutputOptions): void {
  if (output === "-") return;
  outputTarget(output, opts);
}

function isRegularFile(fd: number, path: string): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch (error) {
    throw cannotWrite(path, error);
  }
}

/**
 * The one line for a write that failed. `partial`: the bytes went straight into the target (a descriptor,
 * a pipe), so what got there before the failure stays; otherwise the temp file is dropped, the target
 * untouched.
 */
export function cannotWrite(path: string, error: unknown, partial = false): MonitoringError {
  if ((error as NodeJS.ErrnoException).code === "EEXIST") return exists(path);
  const outcome = partial ? "what was written so far is incomplete" : "nothing was changed";
  return MonitoringError.storage(`cannot write ${path}: ${(error as Error).message}; ${outcome}`, error);
}

/**
 * Writes into a stream straight, waiting when it is full. A reader that closes the pipe early ends the
 * output quietly, as `-` does (`| head`): the rest is dropped, the command succeeds.
 */
function streamWriter(stream: NodeJS.WritableStream, path: string, owned: boolean): AtomicFile {
  let failure: Error | null = null;
  let closed = false;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") closed = true;
    else failure = error;
  });
  const settled = (event: string) =>
    new Promise<void>((done) => {
      const end = () => {
        stream.off(event, end);
        stream.off("error", end);
        done();
      };
      stream.on(event, end);
      stream.on("error", end);
    });
  const check = () => {
    if (failure) throw cannotWrite(path, failure, true);
  };
  return {
    write: async (data) => {
      check();
      if (closed) return;
      if (!stream.write(data)) await settled("drain");
      check();
    },
    commit: async () => {
      if (owned && !closed && !failure) {
        const finished = settled("finish");
        stream.end();
        await finished;
      }
      check();
    },
    abort: async () => {
      if (owned) stream.end();
    },
  };
}

/** How a command stops on a signal: runs `cleanup` then exits (the CLI's), until the returned function is called. */
export type OnStop = (cleanup: () => void) => () => void;

export interface WriteOptions {
  /** Replace a file already there. */
  force: boolean;
  /**
   * A command that exits on Ctrl-C passes its handler, so the temp file goes with it; a long-lived process
   * (the app, the engine, `serve`) stops its own way, and any temp file still open is removed at its exit.
   */
  onStop?: OnStop;
}

export async function writeOutputFile(
  target: OutputTarget,
  bytes: Uint8Array,
  opts: WriteOptions,
): Promise<void> {
  const file = await openOutputFile(target, opts);
  try {
    await file.write(bytes);
  } catch (error) {
    await file.abort();
    throw error;
  }
  await file.commit();
}

/**
 * Writes `bytes` to `path`, a file the user chose elsewhere than on a command line (the desktop app's Save
 * dialog, a report schedule's folder), replacing the one there as the same writer does for `--force`.
 */
export async function saveOutputFile(path: string, bytes: Uint8Array, dataDir: string): Promise<void> {
  await writeOutputFile(outputTarget(path, { force: true, dataDir }), bytes, { force: true });
}

/** `saveOutputFile`'s file opened to be written in pieces (an export of any length). */
export function openSavedFile(path: string, dataDir: string): Promise<AtomicFile> {
  return openOutputFile(outputTarget(path, { force: true, dataDir }), { force: true });
}

/** Temp files being written: a partial copy of private data, removed if the process exits first. */
const openTemps = new Set<string>();
let exitHook = false;

function trackTemp(temp: string, onStop: OnStop | undefined): () => void {
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const path of openTemps) rmSync(path, { force: true });
    });
  }
  openTemps.add(temp);
  const off = onStop?.(() => rmSync(temp, { force: true }));
  return () => {
    openTemps.delete(temp);
    off?.();
  };
}

/** The target opened to be written in pieces; `commit` puts a regular file in place, `abort` drops it. */
export async function openOutputFile(target: OutputTarget, opts: WriteOptions): Promise<AtomicFile> {
  const { path, fd } = target;
  const { force } = opts;
  if (fd !== undefined && isRegularFile(fd, path)) {
    // Written at the descriptor's offset, as the shell set it (`>>` appends); a regular file never blocks.
    const write = (data: string | Uint8Array) => {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      try {
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
      } catch (error) {
        throw cannotWrite(path, error, true);
      }
    };
    return { write: async (data) => write(data), commit: async () => {}, abort: async () => {} };
  }
  // Never opened again by name: Linux refuses to open a socket that way (ENXIO), and stdout often is one.
  if (fd === 1) return streamWriter(process.stdout, path, false);
  if (fd === 2) return streamWriter(process.stderr, path, false);
  if (fd !== undefined) return streamWriter(createWriteStream("", { fd, autoClose: false }), path, true);
  if (target.stream) {
    const handle = await open(path, "w").catch((error: unknown) => {
      throw cannotWrite(path, error);
    });
    return {
      write: (data) =>
        writeFile(handle, data).catch((error: unknown) => {
          throw cannotWrite(path, error, true);
        }),
      commit: () => handle.close(),
      abort: () => handle.close(),
    };
  }
  const file = await createFileAtomic(path, { mode: PRIVATE_FILE_MODE, replace: force }).catch(
    (error: unknown) => {
      throw cannotWrite(path, error);
    },
  );
  // Ctrl-C mid-export must not leave the hidden temp file (a partial copy of private data) behind.
  const off = trackTemp(file.temp, opts.onStop);
  return {
    write: (data) =>
      file.write(data).catch((error: unknown) => {
        throw cannotWrite(path, error);
      }),
    abort: () => file.abort().finally(off),
    commit: () =>
      file
        .commit()
        .catch((error: unknown) => {
          throw cannotWrite(path, error);
        })
        .finally(off),
  };
}
