/**
 * The `storage` key of `<dataDir>/settings.json`: how long each kind of data without a key of its own is
 * kept, and the size cap. (Calls and rollups are under `metrics.retention`, logs under `logs.retention`,
 * events under `events.retention`.) Read again at each retention pass. A missing key means its default;
 * so does an invalid one, named in the problem message, while every valid key applies. Alert history is
 * the one kind with an older setting elsewhere: alerts.yaml's deprecated `history_retention`, read in
 * place of the default while `retention.alertHistory` is not set here.
 *
 *   "storage": { "maxSize": "1gb", "retention": { "resourceSamples": "14d", "audit": "365d" } }
 */
import { z } from "zod";
import { parseByteSize } from "../../../shared/byte-sizes.js";
import {
  MAX_BACKUPS_KEPT,
  type StorageRetentionKind,
  type StorageSettingInput,
} from "../../../shared/storage.js";
import { loadAlertConfig } from "../alerts/loaded-config.js";
import { MonitoringError } from "../errors.js";
import {
  keepValid,
  problemLine,
  readSettingsDocument,
  readSettingsForUpdate,
  schemaCheck,
} from "../settings-document.js";
import { PositiveDurationSetting, PositiveSizeSetting } from "../settings-values.js";
import { writeSettingsDocument } from "../settings-write.js";
import { parseDuration } from "../time.js";

const DAY = 86_400_000;

/** Retention per kind, in ms. */
export const DEFAULT_STORAGE_RETENTION: Record<StorageRetentionKind, number> = {
  /** The request and response text of calls (the call rows stay until `metrics.retention.calls`). */
  payloads: 7 * DAY,
  resourceSamples: 14 * DAY,
  healthChecks: 14 * DAY,
  /** Tool-definition snapshots; the newest of each server is always kept. */
  toolSnapshots: 180 * DAY,
  /** Sessions ended this long ago, once none of their calls remain. */
  sessions: 90 * DAY,
  processRuns: 90 * DAY,
  alertHistory: 180 * DAY,
  /** Delivered or failed notifications and their attempts (pending ones are never deleted). */
  alertDeliveries: 30 * DAY,
  /** Audit records; a checkpoint keeps the chain provable from the oldest kept record. */
  audit: 365 * DAY,
};
export type StorageRetention = Record<StorageRetentionKind, number>;
export type RetentionKind = StorageRetentionKind;

export const DEFAULT_MAX_SIZE = 1024 ** 3;

export interface BackupSchedule {
  /** A backup when the newest in `<dataDir>/backups/` is older than this (ms); null: no scheduled backups. */
  everyMs: number | null;
  /** Scheduled backups kept (the oldest beyond this are deleted). */
  keep: number;
}

export const DEFAULT_BACKUP_SCHEDULE: BackupSchedule = { everyMs: null, keep: 7 };

export interface StorageSettings {
  retention: StorageRetention;
  /** `retention.alertHistory` is alerts.yaml's `history_retention` (settings.json does not set it). */
  alertHistoryFromAlertsYaml: boolean;
  /** Bytes the database may use before the oldest raw material is pruned. */
  maxBytes: number;
  backup: BackupSchedule;
}

const Duration = PositiveDurationSetting;
const Size = PositiveSizeSetting;

export const StorageSettingsSchema = z
  .object({
    maxSize: Size.optional(),
    backup: z
      .object({
        every: Duration.nullable().optional(),
        keep: z.number().int().min(1).max(MAX_BACKUPS_KEPT).optional(),
      })
      .strict()
      .optional(),
    retention: z
      .object(
        Object.fromEntries(
          Object.keys(DEFAULT_STORAGE_RETENTION).map((k) => [k, Duration.optional()]),
        ) as Record<RetentionKind, z.ZodOptional<typeof Duration>>,
      )
      .strict()
      .optional(),
  })
  .strict();

export interface StorageSettingsRead {
  settings: StorageSettings;
  problem: string | null;
  /** false while settings.json has not been read (it does not parse): retention waits. */
  chosen: boolean;
}

export function defaultStorageSettings(): StorageSettings {
  return {
    retention: { ...DEFAULT_STORAGE_RETENTION },
    alertHistoryFromAlertsYaml: false,
    maxBytes: DEFAULT_MAX_SIZE,
    backup: { ...DEFAULT_BACKUP_SCHEDULE },
  };
}

/** `historyRetentionMs`: alerts.yaml's `history_retention`, or null when it does not set one. */
export function parseStorageSettings(
  value: unknown,
  historyRetentionMs: number | null = null,
): StorageSettingsRead {
  const settings = defaultStorageSettings();
  const valid = keepValid<z.infer<typeof StorageSettingsSchema>>(
    "storage",
    value,
    schemaCheck(StorageSettingsSchema),
  );
  const data = valid.value ?? {};
  if (data.maxSize !== undefined) settings.maxBytes = parseByteSize(data.maxSize);
  if (data.backup?.every) settings.backup.everyMs = parseDuration(data.backup.every);
  if (data.backup?.keep) settings.backup.keep = data.backup.keep;
  for (const [kind, text] of Object.entries(data.retention ?? {}))
    if (text) settings.retention[kind as RetentionKind] = parseDuration(text);
  if (!data.retention?.alertHistory && historyRetentionMs !== null) {
    settings.retention.alertHistory = historyRetentionMs;
    settings.alertHistoryFromAlertsYaml = true;
  }
  return { settings, problem: problemLine(valid.problems), chosen: true };
}

export function readStorageSettings(dataDir: string): StorageSettingsRead {
  const { document, problem } = readSettingsDocument(dataDir);
  if (!document) return { settings: defaultStorageSettings(), problem, chosen: false };
  const read = parseStorageSettings(document.storage, loadAlertConfig(dataDir).config.historyRetentionMs);
  const problems = [problem, read.problem].filter(Boolean);
  return { ...read, problem: problems.length ? problems.join("; ") : null };
}

/**
 * Changes the `storage` key of settings.json (from the app), keeping every other key as it is; checked
 * against the schema first, written atomically, 0600. A settings file that is not valid JSON is refused
 * rather than overwritten.
 */
async function updateStorageSettings(
  dataDir: string,
  change: (storage: Record<string, unknown>) => void,
): Promise<void> {
  const current = readSettingsForUpdate(dataDir, "changing settings here");
  const held = current.storage;
  // A value that is not an object is invalid and unused; the change replaces it.
  const storage: Record<string, unknown> =
    held && typeof held === "object" && !Array.isArray(held)
      ? structuredClone(held as Record<string, unknown>)
      : {};
  change(storage);
  const parsed = StorageSettingsSchema.safeParse(storage);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw MonitoringError.input(`storage.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  const next = { ...current, storage };
  await writeSettingsDocument(dataDir, next);
}

export function writeBackupSchedule(dataDir: string, every: string | null, keep: number): Promise<void> {
  return updateStorageSettings(dataDir, (storage) => {
    storage.backup = { every, keep };
  });
}

/** Sets `storage.maxSize` or `storage.retention.<kind>`; null removes it (the default applies). */
export function writeStorageSetting(dataDir: string, input: StorageSettingInput): Promise<void> {
  return updateStorageSettings(dataDir, (storage) => {
    if (input.key === "maxSize") {
      if (input.value === null) delete storage.maxSize;
      else storage.maxSize = input.value;
      return;
    }
    const retention = { ...((storage.retention as Record<string, unknown> | undefined) ?? {}) };
    if (input.value === null) delete retention[input.key];
    else retention[input.key] = input.value;
    if (Object.keys(retention).length > 0) storage.retention = retention;
    else delete storage.retention;
  });
}
