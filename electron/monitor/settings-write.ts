/** Writing settings.json from the app (storage settings, report schedules): one way for every section. */
import { sha256 } from "./audit/audit-record.js";
import { writeFileAtomic } from "./instrument/atomic-file.js";
import { writtenPath } from "./output-file.js";
import { settingsPath } from "./settings-document.js";
import { PRIVATE_FILE_MODE } from "./store/private-files.js";

/** Per data dir, the digest of the text this process last wrote: the settings watcher's "who". */
const written = new Map<string, string>();

/** Whether `text` is what this process last wrote to the data dir's settings.json. */
export function writtenByThisProcess(dataDir: string, text: string): boolean {
  return written.get(dataDir) === sha256(text);
}

/**
 * Writes the whole document a writer got from `readSettingsForUpdate` and changed: atomically, 0600.
 * A settings.json that is a link (kept with dotfiles, say) stays one: the file it names is replaced.
 */
export async function writeSettingsDocument(
  dataDir: string,
  document: Record<string, unknown>,
): Promise<void> {
  const path = settingsPath(dataDir);
  const target = writtenPath(path);
  const text = `${JSON.stringify(document, null, 2)}\n`;
  written.set(dataDir, sha256(text));
  await writeFileAtomic(target, Buffer.from(text), { mode: PRIVATE_FILE_MODE });
}
