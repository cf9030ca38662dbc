/** The data dir's database as the API shows it: sizes, checks, recovery and backups. */
import { z } from "zod";

export const TableUsageSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    /** Null when the table cannot be read to the end (damaged pages: see `lastCheck`). */
    rows: z.number().int().nullable(),
    /** Pages of the table and its indexes, in bytes. */
    bytes: z.number().int(),
  }),
);
export type TableUsage = z.infer<typeof TableUsageSchema>;

export const RecoveryNoticeSchema = z.lazy(() =>
  z.object({
    /** The event that reported it (a banner dismissed for one recovery shows again for the next). */
    eventId: z.number().int(),
    time: z.number(),
    /** Where the damaged database was moved. */
    movedTo: z.string(),
    reason: z.string(),
  }),
);
export type RecoveryNotice = z.infer<typeof RecoveryNoticeSchema>;

/** The newest integrity check (`quick_check`) the engine recorded: at open, or in the background. */
export const IntegrityCheckSchema = z.lazy(() =>
  z.object({
    time: z.number(),
    /** `start`: at open, after an unclean close; `background`: on the engine's schedule. */
    when: z.enum(["start", "background"]),
    ok: z.boolean(),
    /** Empty when sound, else the first findings. */
    problems: z.array(z.string()),
  }),
);
export type IntegrityCheck = z.infer<typeof IntegrityCheckSchema>;

export const BackupFileSchema = z.lazy(() =>
  z.object({
    file: z.string(),
    time: z.number(),
    bytes: z.number().int(),
  }),
);
export type BackupFile = z.infer<typeof BackupFileSchema>;

export const RetentionEntrySchema = z.lazy(() =>
  z.object({
    /** The settings.json key that sets it, e.g. `storage.retention.healthChecks`, `metrics.retention.calls`. */
    key: z.string(),
    /** What it keeps, in words. */
    label: z.string(),
    ms: z.number(),
  }),
);
export type RetentionEntry = z.infer<typeof RetentionEntrySchema>;

export const SizePruneNoticeSchema = z.lazy(() =>
  z.object({
    time: z.number(),
    message: z.string(),
  }),
);

/** The data dir's copies of the CLI (`runtime/`), which entries instrumented from a passing install run. */
export const RuntimeCopiesSchema = z.lazy(() =>
  z.object({
    dir: z.string(),
    /** Copies in it (folders named `<version>-<digest>`, or a version alone from older builds). */
    copies: z.number().int(),
    /** Bytes of everything in it. */
    bytes: z.number().int(),
  }),
);
export type RuntimeCopies = z.infer<typeof RuntimeCopiesSchema>;

/** What one pruning of the runtime folder removed, or why it kept copies nothing seemed to run. */
export const RuntimePruneSchema = z.lazy(() =>
  z.object({
    dir: z.string(),
    /** Copies removed, and leftovers of copies made or removed by a process that ended midway. */
    removed: z.array(z.object({ name: z.string(), bytes: z.number().int() })),
    bytes: z.number().int(),
    /** Why no copy was removed though some looked unused (a config that cannot be read…), or null. */
    heldBack: z.string().nullable(),
  }),
);
export type RuntimePrune = z.infer<typeof RuntimePruneSchema>;

export const StorageInfoSchema = z.lazy(() =>
  z.object({
    dataDir: z.string(),
    database: z.string(),
    schemaVersion: z.number().int(),
    /** The database file, its -wal and -shm, and every other file in the data dir, in bytes. */
    files: z.object({
      database: z.number().int(),
      wal: z.number().int(),
      shm: z.number().int(),
      other: z.number().int(),
    }),
    /** Pages in the database no table uses (returned to the file system by incremental vacuum). */
    freeBytes: z.number().int(),
    tables: z.array(TableUsageSchema),
    /** Calls stored; null when the calls table cannot be read to the end (damaged pages: see `lastCheck`). */
    calls: z.number().int().nullable(),
    /** Database bytes divided by stored calls (everything else counted in), or null with no calls. */
    bytesPerCall: z.number().nullable(),
    /** Database bytes over the days between the oldest and newest record, or null under a day of data. */
    growthPerDay: z.number().nullable(),
    oldest: z.number().nullable(),
    newest: z.number().nullable(),
    recovery: RecoveryNoticeSchema.nullable(),
    /** The newest recorded integrity check, or null before the first. */
    lastCheck: IntegrityCheckSchema.nullable(),
    /** Bytes of database pages in use, what the size cap (`maxBytes`) is measured against. */
    usedBytes: z.number().int(),
    maxBytes: z.number().int(),
    /** The newest pruning for size, if any. */
    lastSizePrune: SizePruneNoticeSchema.nullable(),
    retention: z.array(RetentionEntrySchema),
    lastBackup: BackupFileSchema.nullable(),
    backupDir: z.string(),
    /** Scheduled backups: every (ms, or null when off) and how many are kept. */
    backupSchedule: z.object({ everyMs: z.number().nullable(), keep: z.number().int() }),
    /** What is wrong with the backups, in a line, or null: the newest dated after now, or older than scheduled. */
    backupNotice: z.string().nullable(),
    runtime: RuntimeCopiesSchema,
  }),
);
export type StorageInfo = z.infer<typeof StorageInfoSchema>;

export const StorageCheckSchema = z.lazy(() =>
  z.object({
    ok: z.boolean(),
    /** Empty when sound, else up to 20 findings of SQLite's integrity check (a line each). */
    problems: z.array(z.string()),
    schemaVersion: z.number().int(),
  }),
);
export type StorageCheck = z.infer<typeof StorageCheckSchema>;

export const BackupResultSchema = z.lazy(() =>
  z.object({
    file: z.string(),
    bytes: z.number().int(),
    schemaVersion: z.number().int(),
    rows: z.record(z.string(), z.number().int()),
    databaseBytes: z.number().int(),
    sha256: z.string(),
  }),
);
export type BackupResult = z.infer<typeof BackupResultSchema>;

/** The most scheduled backups kept (the oldest beyond the chosen count are deleted). */
export const MAX_BACKUPS_KEPT = 100;

export const BackupScheduleInputSchema = z.lazy(() =>
  z
    .object({
      /** A duration (`1d`, `12h`), or null to turn scheduled backups off. */
      every: z.string().min(1).max(32).nullable(),
      keep: z.number().int().min(1).max(MAX_BACKUPS_KEPT),
    })
    .strict(),
);

/** The kinds of data `storage.retention` in settings.json sets (the rest have keys of their own). */
export const STORAGE_RETENTION_KINDS = [
  "payloads",
  "resourceSamples",
  "healthChecks",
  "toolSnapshots",
  "sessions",
  "processRuns",
  "alertHistory",
  "alertDeliveries",
  "audit",
] as const;
export type StorageRetentionKind = (typeof STORAGE_RETENTION_KINDS)[number];

export const StorageSettingInputSchema = z.lazy(() =>
  z
    .object({
      /** `maxSize`, or a kind under `storage.retention`. */
      key: z.enum(["maxSize", ...STORAGE_RETENTION_KINDS]),
      /** A duration (`30d`) or, for maxSize, a size (`2gb`); null goes back to the default. */
      value: z.string().min(1).max(32).nullable(),
    })
    .strict(),
);
export type StorageSettingInput = z.infer<typeof StorageSettingInputSchema>;

/** One backup in the data dir's backups/ folder, with what its manifest says. */
export const BackupListEntrySchema = z.lazy(() =>
  z.object({
    /** The file name inside backups/ (what storage.restore takes). */
    name: z.string(),
    file: z.string(),
    bytes: z.number().int(),
    /** When the backup was taken (its manifest), or the file's time when the manifest cannot be read. */
    time: z.number(),
    schemaVersion: z.number().int().nullable(),
    /** The mcpscope version that wrote it. */
    version: z.string().nullable(),
    /** Oldest and newest record in it (ms), or null when empty or unreadable. */
    range: z.object({ from: z.number(), to: z.number() }).nullable(),
    rows: z.record(z.string(), z.number().int()),
    /** Why it cannot be restored as it is (not a backup, damaged manifest, truncated, newer schema), or null. */
    problem: z.string().nullable(),
  }),
);
export type BackupListEntry = z.infer<typeof BackupListEntrySchema>;

export const RestoreInputSchema = z.lazy(() => z.object({ name: z.string().min(1).max(255) }).strict());

export const RestoreResultSchema = z.lazy(() =>
  z.object({
    ok: z.boolean(),
    message: z.string(),
    /** Where the database it replaced was copied (`mcpscope.db.before-restore-<time>`), or null. */
    previous: z.string().nullable(),
    rows: z.record(z.string(), z.number().int()),
  }),
);
export type RestoreResult = z.infer<typeof RestoreResultSchema>;
