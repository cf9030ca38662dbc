/**
 * Notices changes to `<dataDir>/settings.json` (by the UI, by hand, by another mcpscope) and records each
 * as a system event and an audit record, with a digest of the new content (the file may hold secrets, so
 * never its text).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { recordAdminAction } from "./audit/audit-log.js";
import { EventTracker } from "./events/tracker.js";
import { settingsPath } from "./logs/log-settings.js";
import type { BatchWriter } from "./store/batch-writer.js";

function digest(path: string): string | null {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return null;
  }
}

/** Checks every `intervalMs`; returns a function that stops it. */
export function watchSettings(dataDir: string, writer: BatchWriter, intervalMs = 2000): () => void {
  const path = settingsPath(dataDir);
  const tracker = new EventTracker(writer);
  let last = digest(path);
  const timer = setInterval(() => {
    const now = digest(path);
    if (now === last) return;
    const before = last;
    last = now;
    const what = now === null ? "removed" : before === null ? "created" : "changed";
    tracker.track({
      category: "system",
      type: "settings.changed",
      severity: "info",
      message: `settings.json ${what}`,
      details: { file: path, sha256: now, previousSha256: before },
    });
    recordAdminAction(writer, {
      action: "settings_change",
      actor: "file",
      target: path,
      details: { sha256: now, previousSha256: before },
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
