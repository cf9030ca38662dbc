/**
 * A copy of each client config before mcpscope changes it: `<dataDir>/backups/<client>/<name>.<tag>.<time>.bak`
 * (mode 0600: configs hold secrets), listed with its sha256 in `<dataDir>/backups/manifest.json`. Each
 * copy holds every secret of that config, so only the newest few of each config file are kept: a secret
 * rotated out of the config is gone from the backups a few changes later. One more is kept: the newest
 * copy taken while mcpscope had changed no entry of the file, the way back to the config as the user
 * wrote it, which instrumenting a few entries one by one would otherwise push out.
 */
import { createHash } from "node:crypto";
import { open, readdir, readFile, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import { MonitoringError } from "../errors.js";
import { ensurePrivateDir } from "../store/private-files.js";
import { writeFileAtomic } from "./atomic-file.js";
import type { ConfigAction } from "./change-record.js";
import { acquireLock } from "./lock-file.js";

export const BackupRecordSchema = z.object({
  file: z.string(),
  backup: z.string(),
  sha256: z.string(),
  time: z.string(),
  /** A ConfigAction; read as any text, so that a manifest a later release wrote still reads. */
  action: z.string(),
  /** Taken while mcpscope had changed no entry of the file (kept beyond the newest few). */
  untouched: z.boolean().optional(),
});
export type BackupRecord = z.infer<typeof BackupRecordSchema>;

const ManifestSchema = z.object({ backups: z.array(BackupRecordSchema) });

/** Backups kept per config file; older ones are deleted as a new one is listed. */
export const BACKUPS_KEPT_PER_FILE = 5;

export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function manifestPath(dataDir: string): string {
  return join(dataDir, "backups", "manifest.json");
}

/** The backup file alone, not yet in the manifest: a change that then fails removes it again. */
export async function writeBackupCopy(
  dataDir: string,
  client: string,
  file: string,
  data: Uint8Array,
  action: ConfigAction,
  now: Date = new Date(),
): Promise<BackupRecord> {
  const dir = join(dataDir, "backups", client);
  ensurePrivateDir(dir);
  const stem = `${copyPrefix(file)}${now.toISOString().replace(/:/g, "-")}`;
  let backup = "";
  for (let n = 0; ; n++) {
    backup = join(dir, n === 0 ? `${stem}.bak` : `${stem}-${n}.bak`);
    const handle = await open(backup, "wx", 0o600).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "EEXIST") return null;
      throw error;
    });
    if (!handle) continue;
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    break;
  }
  return { file, backup, sha256: sha256(data), time: now.toISOString(), action };
}

export interface OpenManifest {
  /**
   * Lists a written backup, keeping every other line read when the manifest was opened, and deletes that
   * config's backups beyond the newest `BACKUPS_KEPT_PER_FILE` but its newest untouched one.
   */
  append(record: BackupRecord): Promise<void>;
  release(): Promise<void>;
}

/**
 * Locks the manifest and reads it, so that an unreadable manifest stops a change before the config is
 * touched; the lock is held until `release` so nothing else appends in between.
 */
export async function openManifest(dataDir: string): Promise<OpenManifest> {
  const manifest = manifestPath(dataDir);
  ensurePrivateDir(dirname(manifest));
  const release = await acquireLock(manifest);
  let backups: BackupRecord[];
  try {
    backups = await readManifest(dataDir);
  } catch (error) {
    await release();
    throw error;
  }
  return {
    async append(record) {
      const all = [...backups, record];
      const same = all.filter((b) => b.file === record.file);
      const pruned = new Set(same.slice(0, Math.max(0, same.length - BACKUPS_KEPT_PER_FILE)));
      // A manifest of a release before the flag lists none: its oldest copy of the file is the one
      // taken before mcpscope first changed it, as far as it still holds one.
      const untouched = same.findLast((b) => b.untouched) ?? same[0];
      if (untouched) pruned.delete(untouched);
      const kept = all.filter((b) => !pruned.has(b));
      const text = `${JSON.stringify({ backups: kept }, null, 2)}\n`;
      await writeFileAtomic(manifest, Buffer.from(text), { mode: 0o600 });
      // Only after the manifest no longer lists them; one that cannot be removed now goes at a later change.
      // Never anything outside the backups folder, whatever a hand-edited manifest names.
      const root = resolve(dataDir, "backups");
      for (const old of pruned) {
        const path = resolve(old.backup);
        if (dirname(dirname(path)) === root && path.endsWith(".bak"))
          await rm(path, { force: true }).catch(() => undefined);
      }
      // An unlisted copy may be the only state from before its change: it goes once five newer are kept.
      if (same.length >= BACKUPS_KEPT_PER_FILE) {
        const window = same[same.length - BACKUPS_KEPT_PER_FILE] as BackupRecord;
        await pruneUnlisted(dirname(resolve(record.backup)), record.file, kept, window);
      }
    },
    release,
  };
}

/**
 * How a copy of `file` is named up to its time: `<name>.<tag>.`, the tag the first 8 hex digits of the
 * SHA-256 of the config's path. Configs of one client often share a name (Cursor's global and every
 * project's `mcp.json`): the tag tells whose a copy is when no manifest line does.
 */
function copyPrefix(file: string): string {
  return `${basename(file)}.${sha256(file).slice(0, 8)}.`;
}

/** `<name>.<tag>.<time>.bak` as writeBackupCopy names a copy of `file`: the time (sortable as text), or null. */
function copyTime(name: string, file: string): string | null {
  const prefix = copyPrefix(file);
  if (!name.startsWith(prefix)) return null;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z)(?:-\d+)?\.bak$/.exec(
    name.slice(prefix.length),
  );
  return match?.[1] ?? null;
}

/**
 * Deletes the copies of `file` in its backups folder that no manifest line lists and that are older than
 * `oldestKept`, the oldest of its newest copies: a copy whose listing failed, one whose deletion failed
 * before, one a manifest from another location lost track of. Each holds the config's secrets as they
 * were, so they go as the listed ones do. Only copies named with this config's tag: another config's of
 * the same name, or one named before copies carried the tag, may be someone's only way back. Listed-ness
 * is told by the copy's name in its client's folder, whatever spelling of the data dir listed it.
 */
async function pruneUnlisted(
  folder: string,
  file: string,
  kept: BackupRecord[],
  oldestKept: BackupRecord,
): Promise<void> {
  const oldest = copyTime(basename(oldestKept.backup), file);
  if (oldest === null) return;
  const client = basename(folder);
  const listed = new Set(
    kept.filter((b) => basename(dirname(b.backup)) === client).map((b) => basename(b.backup)),
  );
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    const time = copyTime(name, file);
    if (time !== null && time < oldest && !listed.has(name))
      await rm(join(folder, name), { force: true }).catch(() => undefined);
  }
}

export async function readManifest(dataDir: string): Promise<BackupRecord[]> {
  const path = manifestPath(dataDir);
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (text === null) return [];
  let parsed: ReturnType<typeof ManifestSchema.safeParse>;
  try {
    parsed = ManifestSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = ManifestSchema.safeParse(null);
  }
  if (!parsed.success)
    throw MonitoringError.storage(`${path} is not a backup manifest; move it aside and retry`);
  return parsed.data.backups;
}
