/**
 * Notices changes to `<dataDir>/settings.json` (by the app, by hand, by another mcpscope) and records each
 * as a system event and an audit record: which keys changed, from what to what (masked: the file may hold
 * secrets), and who — `app` when this engine wrote it (storage.settings.put, a report schedule), the
 * user's name when the CLI did (`mcpscope report schedule`, named beside the file), `file` for an edit
 * mcpscope did not make. The file as last seen is kept beside it (`settings.last-seen.json`, 0600,
 * as private as the file itself), so an edit made while no engine ran is recorded when the next one
 * starts, before any retention pass uses the new values. Every engine on a data dir watches (the app and
 * `mcpscope serve`, say), and that copy is shared: each compares and updates it under the store's write
 * lock, so of several engines that see one change exactly one records it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { recordAdminAction } from "./audit/audit-log.js";
import { sha256 } from "./audit/audit-record.js";
import { EventTracker } from "./events/tracker.js";
import { describeChanges, type SettingChange, settingsChanges } from "./settings-changes.js";
import { settingsPath } from "./settings-document.js";
import { settingsWriter, writtenByThisProcess } from "./settings-write.js";
import type { BatchWriter } from "./store/batch-writer.js";
import type { Db } from "./store/db.js";
import { writePrivateFileSync } from "./store/private-files.js";

export const SETTINGS_SEEN_FILE = "settings.last-seen.json";

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The text last seen (null: there was no file), or undefined when no engine has looked yet. */
function readSeen(file: string): string | null | undefined {
  const text = readText(file);
  if (text === null) return undefined;
  try {
    const seen = JSON.parse(text) as { text?: unknown };
    return typeof seen.text === "string" ? seen.text : null;
  } catch {
    return undefined;
  }
}

function parsed(text: string | null): { ok: boolean; value: unknown } {
  if (text === null) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: null };
  }
}

/** Runs `check` every `ms` until the returned function is called: the timer (a test's own clock). */
export type Every = (check: () => void, ms: number) => () => void;

const everyInterval: Every = (check, ms) => {
  const timer = setInterval(check, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * Checks now and then every `intervalMs`; returns a function that stops it. `db` is the store, whose write
 * lock makes one engine's look at the shared copy and update of it one step.
 */
export function watchSettings(
  dataDir: string,
  writer: BatchWriter,
  db: Pick<Db, "transaction">,
  intervalMs = 2000,
  every: Every = everyInterval,
): () => void {
  const path = settingsPath(dataDir);
  const seenFile = join(dataDir, SETTINGS_SEEN_FILE);
  const tracker = new EventTracker(writer);
  /** The text this engine saw last: while the file still holds it, there is nothing to look into. */
  let last = readSeen(seenFile);
  const keep = (text: string | null) => {
    last = text;
    try {
      writePrivateFileSync(seenFile, `${JSON.stringify({ text })}\n`);
    } catch {
      // Read-only or full: the next start compares with an older copy and records the change then.
    }
  };
  const record = (before: string | null, now: string | null, atStart: boolean) => {
    const actor =
      now === null
        ? "file"
        : !atStart && writtenByThisProcess(dataDir, now)
          ? "app"
          : (settingsWriter(dataDir, now) ?? "file");
    const what = now === null ? "removed" : before === null ? "created" : "changed";
    const old = parsed(before);
    const next = parsed(now);
    let changed: SettingChange[] | null = null;
    let total = 0;
    if (old.ok && next.ok) ({ changes: changed, total } = settingsChanges(old.value, next.value));
    const summary = changed
      ? changed.length
        ? `: ${describeChanges(changed, total)}`
        : " (no setting changed)"
      : next.ok
        ? ""
        : " (not valid JSON: the settings read before stay in use)";
    const who =
      (actor === "app" ? " by the app" : actor === "file" ? "" : ` by ${actor} (the CLI)`) +
      (atStart ? " while no engine ran" : "");
    const digests = {
      sha256: now === null ? null : sha256(now),
      previousSha256: before === null ? null : sha256(before),
    };
    tracker.track({
      category: "system",
      type: "settings.changed",
      severity: "info",
      message: `settings.json ${what}${who}${summary}`,
      details: { file: path, actor, changed, changedTotal: total, ...digests },
    });
    recordAdminAction(writer, {
      action: "settings_change",
      actor,
      target: path,
      details: { changed, changedTotal: total, ...digests },
    });
  };
  /** Takes the change from the shared copy to `now` on for this engine to record: the text before it. */
  const claim = (now: string | null): { before: string | null } | null => {
    // Read again under the lock: another engine may have taken this change already.
    const seen = readSeen(seenFile);
    keep(now);
    // No copy yet (the first start of this version): what is there now is the baseline.
    return seen === undefined || seen === now ? null : { before: seen };
  };
  const check = (atStart: boolean) => {
    const now = readText(path);
    if (last !== undefined && now === last) return;
    let change: { before: string | null } | null;
    try {
      change = db.transaction(() => claim(now));
    } catch {
      // The store cannot be locked (busy past its timeout, broken): taken here all the same, since a
      // change recorded twice beats one not recorded.
      change = claim(now);
    }
    // Recorded once the lock is let go: the records go through the batch writer's own connection.
    if (change) record(change.before, now, atStart);
  };
  check(true);
  return every(() => check(false), intervalMs);
}
