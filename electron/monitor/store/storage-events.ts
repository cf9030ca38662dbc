/**
 * The events the storage service raises for the user (events list, notifications, the app's banner):
 * what pruning for size removed, old CLI copies removed, damage found, a damaged database recovered (an upgrade's is
 * store/before-upgrade.ts's, which wrappers' threads load without these modules).
 */
import { plural } from "../../../shared/plural.js";
import type { BackupFile, IntegrityCheck, RuntimePrune, TableUsage } from "../../../shared/storage.js";
import { formatBytes } from "../alerts/template.js";
import type { TrackedEvent } from "../events/tracker.js";
import { datedAheadLine } from "./backup-schedule.js";
import type { Recovery } from "./recovery.js";
import type { SizePrune } from "./size-cap.js";
import {
  BACKUP_AHEAD_EVENT,
  CHECK_FAILED_EVENT,
  RECOVERED_EVENT,
  RUNTIME_PRUNED_EVENT,
  SIZE_PRUNED_EVENT,
} from "./storage-info.js";

/**
 * The event that says what pruning for size removed, and, when even that left the database over its cap,
 * that the cap cannot be met and which tables hold the rest (`tables`: largest first).
 */
export function sizePruneEvent(prune: SizePrune, now: number, tables: TableUsage[] = []): TrackedEvent {
  const what = Object.entries(prune.pruned)
    .map(
      ([kind, n]) =>
        `${n} ${kind === "payloads" ? "payload texts" : kind === "minuteRollups" ? "minute rollups" : kind}`,
    )
    .join(", ");
  const met = prune.afterBytes <= prune.maxBytes;
  const largest = tables
    .filter((t) => t.bytes > 0)
    .slice(0, 3)
    .map((t) => `${t.name} ${formatBytes(t.bytes)}`)
    .join(", ");
  const unmet = met
    ? ""
    : `; the cap cannot be met: ${formatBytes(prune.afterBytes)} is left, mostly what is never pruned for size${largest ? ` (${largest})` : ""}; raise storage.maxSize or shorten retention`;
  return {
    category: "system",
    type: SIZE_PRUNED_EVENT,
    severity: met ? "medium" : "high",
    message: `the database was over its size cap (${formatBytes(prune.beforeBytes)} of ${formatBytes(prune.maxBytes)}); pruned the oldest ${what || "nothing (nothing left to prune)"}${unmet}`,
    time: now,
    details: { ...prune, capMet: met },
  };
}

/** The event that says the newest backup is dated after now (so the schedule does not wait for it). */
export function backupAheadEvent(ahead: BackupFile, now: number): TrackedEvent {
  return {
    category: "system",
    type: BACKUP_AHEAD_EVENT,
    severity: "medium",
    message: datedAheadLine(ahead, now),
    time: now,
    details: { file: ahead.file, time: ahead.time },
  };
}

/** The error event that tells the user a background check found damage, and what happens next. */
export function damageEvent(check: IntegrityCheck, path: string): TrackedEvent {
  return {
    category: "error",
    type: CHECK_FAILED_EVENT,
    severity: "critical",
    message: `the database check found damage in ${path} (${check.problems.slice(0, 3).join("; ")}); restart the app or \`mcpscope serve\` to move it aside and start a fresh one, or restore a backup`,
    time: check.time,
    details: { problems: check.problems },
  };
}

/** The error event that tells the user (events list, notifications, the app's banner) about a recovery. */
export function recoveryEvent(recovery: Recovery): TrackedEvent {
  return {
    category: "error",
    type: RECOVERED_EVENT,
    severity: "critical",
    message: `the database was damaged (${recovery.reason}); it was moved aside to ${recovery.movedTo} and a fresh one started`,
    time: recovery.time,
    details: { movedTo: recovery.movedTo, reason: recovery.reason },
  };
}

/**
 * The removal in one line: `removed 2 old copies of the mcpscope CLI (15.1 MB) from DIR: A, B`, and why
 * others were kept, when some were.
 */
export function runtimePruneText(prune: RuntimePrune): string | null {
  if (prune.removed.length > 0)
    return `removed ${plural(prune.removed.length, "old copy", "old copies")} of the mcpscope CLI (${formatBytes(prune.bytes)}) from ${prune.dir}: ${prune.removed.map((r) => r.name).join(", ")}${prune.heldBack ? `; kept the others: ${prune.heldBack}` : ""}`;
  return prune.heldBack ? `kept the old copies of the mcpscope CLI in ${prune.dir}: ${prune.heldBack}` : null;
}

/** The event of a pruning that removed something; null otherwise. */
export function runtimePrunedEvent(prune: RuntimePrune | null, now = Date.now()): TrackedEvent | null {
  const message = prune && prune.removed.length > 0 ? runtimePruneText(prune) : null;
  if (!prune || !message) return null;
  return {
    category: "system",
    type: RUNTIME_PRUNED_EVENT,
    severity: "info",
    message,
    time: now,
    details: { dir: prune.dir, removed: prune.removed, bytes: prune.bytes },
  };
}
