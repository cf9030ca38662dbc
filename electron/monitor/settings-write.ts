/** Writing settings.json from the app (storage settings, report schedules): one way for every section. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "./audit/audit-record.js";
import { writeFileAtomic } from "./instrument/atomic-file.js";
import { writtenPath } from "./output-file.js";
import { settingsPath } from "./settings-document.js";
import { PRIVATE_FILE_MODE, writePrivateFileSync } from "./store/private-files.js";

/**
 * Who wrote settings.json last through mcpscope, beside it: the digest of the text and the writer's
 * actor, so that an engine watching the file records a write by the CLI (another process) as the CLI's,
 * not as an edit by hand.
 */
export const SETTINGS_WRITER_FILE = "settings.writer.json";

/** Per data dir, the digest of the text this process last wrote: the settings watcher's "who". */
const written = new Map<string, string>();

/** Whether `text` is what this process last wrote to the data dir's settings.json. */
export function writtenByThisProcess(dataDir: string, text: string): boolean {
  return written.get(dataDir) === sha256(text);
}

/** The actor that wrote exactly `text` through mcpscope, or null (an edit by hand, or unknown). */
export function settingsWriter(dataDir: string, text: string): string | null {
  try {
    const writer = JSON.parse(readFileSync(join(dataDir, SETTINGS_WRITER_FILE), "utf8")) as {
      sha256?: unknown;
      actor?: unknown;
    };
    return writer.sha256 === sha256(text) && typeof writer.actor === "string" && writer.actor
      ? writer.actor
      : null;
  } catch {
    return null;
  }
}

/**
 * Writes the whole document a writer got from `readSettingsForUpdate` and changed: atomically, 0600.
 * A settings.json that is a link (kept with dotfiles, say) stays one: the file it names is replaced.
 * `actor` is who asked (`app` for the engine, the user's name for the CLI), as the audit trail names it.
 */
export async function writeSettingsDocument(
  dataDir: string,
  document: Record<string, unknown>,
  actor = "app",
): Promise<void> {
  const path = settingsPath(dataDir);
  const target = writtenPath(path);
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const digest = sha256(text);
  written.set(dataDir, digest);
  try {
    // Before the file itself: a watcher that sees the new text finds its writer already named.
    writePrivateFileSync(
      join(dataDir, SETTINGS_WRITER_FILE),
      `${JSON.stringify({ sha256: digest, actor })}\n`,
    );
  } catch {
    // Unwritable: the change is still made, and recorded as an edit of the file.
  }
  await writeFileAtomic(target, Buffer.from(text), { mode: PRIVATE_FILE_MODE });
}
