/**
 * Backups of the database: one file holding a manifest line and the database, gzip-compressed.
 *
 *   MCPSCOPE-BACKUP 1\n
 *   {"schemaVersion":…,"createdAt":…,"range":…,"rows":…,"databaseBytes":…,"payloadBytes":…,"sha256":…}\n
 *   <gzip of the SQLite file>
 *
 * The copy is SQLite's online backup taken in one step: in WAL mode that holds only a read snapshot, so
 * wrappers keep writing meanwhile, and it cannot restart forever as a page-by-page copy does whenever
 * another process commits between steps. The checksum covers the compressed bytes; the row counts are
 * checked again after decompression, so an altered manifest is caught too.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fsyncSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip, gzipSync } from "node:zlib";
import { MonitoringError } from "../errors.js";
import { createFileAtomic } from "../instrument/atomic-file.js";
import { cannotWrite, writtenPath } from "../output-file.js";
import { type BackupWork, startBackupWork, sweepUnfinishedBackups } from "./backup-work.js";
import { copyDatabase, type Db, openRawDb } from "./db.js";
import { SCHEMA_VERSION } from "./migrations.js";
import { PRIVATE_FILE_MODE } from "./private-files.js";

const MAGIC = "MCPSCOPE-BACKUP 1\n";

export interface BackupManifest {
  schemaVersion: number;
  /** The mcpscope version that wrote it. */
  version: string;
  createdAt: number;
  /** Oldest and newest time of a call, log record or event in it (ms), or null when empty. */
  range: { from: number; to: number } | null;
  /** Rows per table. */
  rows: Record<string, number>;
  databaseBytes: number;
  payloadBytes: number;
  /** sha256 of the compressed payload, hex. */
  sha256: string;
}

export type Progress = (
  stage: "copy" | "compress" | "verify" | "restore",
  done: number,
  total: number,
) => void;

/** Rows per ordinary table (full-text indexes' own tables included; virtual tables are counted through them). */
export function rowCounts(db: Db): Record<string, number> {
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
    )
    .all()
    .map((r) => String(r.name));
  const rows: Record<string, number> = {};
  for (const name of tables)
    rows[name] = Number(db.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get()?.n ?? 0);
  return rows;
}

function timeRange(db: Db): { from: number; to: number } | null {
  const row = db
    .prepare(
      `SELECT min(f) AS f, max(t) AS t FROM (
         SELECT min(started_at) AS f, max(started_at) AS t FROM calls
         UNION ALL SELECT min(time), max(time) FROM logs
         UNION ALL SELECT min(time), max(time) FROM events)`,
    )
    .get();
  return row?.f == null ? null : { from: Number(row.f), to: Number(row.t) };
}

/**
 * What a backup's manifest says of the copy at `snapshot`, made a self-contained file first (rollback
 * journal, not WAL): it can then be read without a -shm beside it.
 */
function describeCopy(snapshot: string): Pick<BackupManifest, "rows" | "range" | "schemaVersion"> {
  const copy = openRawDb(snapshot);
  try {
    copy.exec("PRAGMA journal_mode = DELETE");
    return {
      rows: rowCounts(copy),
      range: timeRange(copy),
      schemaVersion: Number(copy.prepare("PRAGMA user_version").get()?.user_version ?? 0),
    };
  } finally {
    copy.close();
  }
}

/**
 * Writes a backup of the database copy at `snapshot` (which it consumes) to `file`, synchronously, for
 * whoever holds no event loop to wait on: an upgrade keeping the database as it was (store/before-upgrade.ts).
 * The copy is compressed a chunk at a time, each chunk a gzip member of its own (gunzip reads them as one
 * stream), at level 1: twice as fast as `createBackup`'s level 6 for a few percent more bytes, since the
 * upgrade waits on it. The file is put in place whole (synced, then renamed from beside it).
 */
export function writeBackupSync(
  snapshot: string,
  file: string,
  options: { version: string; now: number },
): BackupManifest {
  const { rows, range, schemaVersion } = describeCopy(snapshot);
  const databaseBytes = statSync(snapshot).size;
  const payload = `${snapshot}.gz`;
  const hash = createHash("sha256");
  const input = openSync(snapshot, "r");
  const output = openSync(payload, "w", PRIVATE_FILE_MODE);
  try {
    const chunk = Buffer.alloc(8 << 20);
    for (let n = readSync(input, chunk); n > 0; n = readSync(input, chunk)) {
      const packed = gzipSync(chunk.subarray(0, n), { level: 1 });
      hash.update(packed);
      writeSync(output, packed);
    }
  } finally {
    closeSync(input);
    closeSync(output);
  }
  rmSync(snapshot, { force: true });
  const manifest: BackupManifest = {
    schemaVersion,
    version: options.version,
    createdAt: options.now,
    range,
    rows,
    databaseBytes,
    payloadBytes: statSync(payload).size,
    sha256: hash.digest("hex"),
  };
  const temp = `${payload}.backup`;
  const out = openSync(temp, "w", PRIVATE_FILE_MODE);
  try {
    writeSync(out, `${MAGIC}${JSON.stringify(manifest)}\n`);
    const packed = openSync(payload, "r");
    try {
      const chunk = Buffer.alloc(8 << 20);
      for (let n = readSync(packed, chunk); n > 0; n = readSync(packed, chunk)) writeSync(out, chunk, 0, n);
    } finally {
      closeSync(packed);
    }
    fsyncSync(out);
  } finally {
    closeSync(out);
  }
  rmSync(payload, { force: true });
  renameSync(temp, file);
  return manifest;
}

/** Counts bytes and hashes them on their way through. */
function meter(onChunk: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onChunk(chunk);
      done(null, chunk);
    },
  });
}

/**
 * Writes a backup of the database `db` is open on to `file` whole or not at all, as every output is
 * (createFileAtomic: 0600, synced before it is put in place, a link written through). The copy is made
 * through a connection of its own (copyDatabase), so `db`'s other users are not held meanwhile; the
 * intermediate files stay in a private folder beside FILE (backup-work.ts). `replace: false` refuses
 * (EEXIST) a file there by then. Returns its manifest.
 */
export async function createBackup(
  db: Db,
  file: string,
  options: { version: string; now?: number; progress?: Progress; replace?: boolean },
): Promise<BackupManifest> {
  const target = writtenPath(file);
  options.progress?.("copy", 0, 1);
  let work: BackupWork;
  try {
    sweepUnfinishedBackups(dirname(target));
    work = startBackupWork(dirname(target));
  } catch (error) {
    throw MonitoringError.storage(
      `cannot write the backup next to ${file}: ${(error as Error).message}`,
      error,
    );
  }
  const snapshot = join(work.dir, "database");
  const payload = join(work.dir, "database.gz");
  try {
    try {
      // Not created beforehand (a backup into an empty file made first failed now and then with SQLite's
      // "not an error"): the private folder keeps it owner-only from its first byte.
      await copyDatabase(db.path, snapshot);
    } catch (error) {
      throw MonitoringError.storage(
        `cannot write the backup next to ${file}: ${(error as Error).message}`,
        error,
      );
    }
    options.progress?.("copy", 1, 1);
    const { rows, range, schemaVersion } = describeCopy(snapshot);
    let manifest: BackupManifest;
    // A full disk past the copy: the same line as any output's, the file named, nothing changed.
    try {
      const databaseBytes = statSync(snapshot).size;
      const hash = createHash("sha256");
      let read = 0;
      let step = 0;
      await pipeline(
        createReadStream(snapshot),
        meter((chunk) => {
          read += chunk.length;
          const now = Math.floor((read / Math.max(1, databaseBytes)) * 10);
          if (now > step) {
            step = now;
            options.progress?.("compress", read, databaseBytes);
          }
        }),
        createGzip({ level: 6 }),
        meter((chunk) => hash.update(chunk)),
        createWriteStream(payload, { mode: PRIVATE_FILE_MODE }),
      );
      // The uncompressed copy is not needed any more: gone before the backup is written, halving the space.
      rmSync(snapshot, { force: true });
      manifest = {
        schemaVersion,
        version: options.version,
        createdAt: options.now ?? Date.now(),
        range,
        rows,
        databaseBytes,
        payloadBytes: statSync(payload).size,
        sha256: hash.digest("hex"),
      };
      const out = await createFileAtomic(target, {
        mode: PRIVATE_FILE_MODE,
        replace: options.replace ?? true,
      });
      work.track(out.temp);
      try {
        await out.write(`${MAGIC}${JSON.stringify(manifest)}\n`);
        for await (const chunk of createReadStream(payload)) await out.write(chunk as Buffer);
      } catch (error) {
        await out.abort();
        throw error;
      }
      await out.commit();
    } catch (error) {
      throw cannotWrite(file, error);
    }
    return manifest;
  } finally {
    work.remove();
  }
}

/** Reads the manifest and where the payload starts; refuses a file that is not a backup. */
export function readManifest(file: string): { manifest: BackupManifest; offset: number; size: number } {
  let size: number;
  const head = Buffer.alloc(64 * 1024);
  let n: number;
  try {
    size = statSync(file).size;
    const fd = openSync(file, "r");
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw MonitoringError.input(`${file} does not exist; name a backup file`);
    if (code === "EISDIR") throw MonitoringError.input(`${file} is a folder; name a backup file`);
    throw MonitoringError.input(`cannot read ${file}: ${(error as Error).message}`);
  }
  const text = head.subarray(0, n).toString("latin1");
  if (!text.startsWith(MAGIC)) throw MonitoringError.input(`${file} is not an mcpscope backup`);
  const end = text.indexOf("\n", MAGIC.length);
  if (end < 0) throw MonitoringError.input(`${file} is truncated: its manifest is incomplete`);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(head.subarray(MAGIC.length, end).toString("utf8")) as BackupManifest;
  } catch {
    throw MonitoringError.input(`${file} has a damaged manifest; it was altered or damaged`);
  }
  if (typeof manifest.sha256 !== "string" || typeof manifest.payloadBytes !== "number")
    throw MonitoringError.input(`${file} has a damaged manifest; it was altered or damaged`);
  return { manifest, offset: end + 1, size };
}

/**
 * Checks a backup before anything is replaced: complete, unaltered (sha256), a schema this program knows.
 * Throws one line naming what is wrong.
 */
export async function verifyBackup(file: string, progress?: Progress): Promise<BackupManifest> {
  const { manifest, offset, size } = readManifest(file);
  const have = size - offset;
  if (have < manifest.payloadBytes)
    throw MonitoringError.input(
      `${file} is truncated (${have} of ${manifest.payloadBytes} bytes); nothing was restored`,
    );
  if (have > manifest.payloadBytes)
    throw MonitoringError.input(`${file} has ${have - manifest.payloadBytes} bytes too many; it was altered`);
  if (manifest.schemaVersion > SCHEMA_VERSION)
    throw MonitoringError.input(
      `${file} has schema version ${manifest.schemaVersion}, newer than this mcpscope understands (${SCHEMA_VERSION}); upgrade mcpscope to restore it`,
    );
  const hash = createHash("sha256");
  let read = 0;
  for await (const chunk of createReadStream(file, { start: offset, highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    read += (chunk as Buffer).length;
    progress?.("verify", read, have);
  }
  if (hash.digest("hex") !== manifest.sha256)
    throw MonitoringError.input(`${file} does not match its checksum; it was altered or damaged`);
  return manifest;
}

/**
 * Decompresses a verified backup into `target` (0600) and checks the result against the manifest: a
 * sound database with the schema version and row counts it claims.
 */
export async function extractBackup(file: string, target: string, manifest: BackupManifest): Promise<void> {
  const { offset } = readManifest(file);
  rmSync(target, { force: true });
  try {
    await pipeline(
      createReadStream(file, { start: offset }),
      createGunzip(),
      createWriteStream(target, { mode: PRIVATE_FILE_MODE }),
    );
  } catch (error) {
    rmSync(target, { force: true });
    throw MonitoringError.input(
      `${file} cannot be decompressed (${(error as Error).message}); it is damaged`,
    );
  }
  const db = openRawDb(target, { readOnly: true });
  let problem: string | null = null;
  try {
    const check = db.prepare("PRAGMA quick_check(1)").get();
    const version = Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);
    const rows = rowCounts(db);
    if (String(Object.values(check ?? {})[0]) !== "ok") problem = "the database in it is damaged";
    else if (version !== manifest.schemaVersion) problem = "its schema version differs from its manifest";
    else if (JSON.stringify(rows) !== JSON.stringify(manifest.rows))
      problem = "its row counts differ from its manifest";
  } catch (error) {
    problem = `the database in it cannot be read (${(error as Error).message})`;
  } finally {
    db.close();
  }
  if (problem) {
    rmSync(target, { force: true });
    throw MonitoringError.input(`${file}: ${problem}; it was altered or damaged`);
  }
}
