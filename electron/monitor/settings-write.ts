/** Writing settings.json from the app (storage settings, report schedules): one way for every section. */
import { writeFileAtomic } from "./instrument/atomic-file.js";
import { writtenPath } from "./output-file.js";
import { settingsPath } from "./settings-document.js";
import { PRIVATE_FILE_MODE } from "./store/private-files.js";

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
  await writeFileAtomic(target, Buffer.from(`${JSON.stringify(document, null, 2)}\n`), {
    mode: PRIVATE_FILE_MODE,
  });
}
