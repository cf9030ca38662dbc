/**
 * Where `mcpscope report --output` writes, and how: a folder gets the suggested file name inside it, an
 * existing file is kept unless the user says --force, and the file is written whole or not at all (a temp
 * file renamed over the target, owner-only as scheduled reports are), so a full disk never leaves half a
 * report behind nor destroys the one that was there.
 */
import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { MonitoringError } from "../../monitor/errors.js";
import { writeFileAtomic } from "../../monitor/instrument/atomic-file.js";
import { PRIVATE_FILE_MODE } from "../../monitor/store/private-files.js";

/** The file to write for `--output` (undefined: the suggested name, here); refuses what cannot or should not be written. */
export function reportTarget(output: string | undefined, suggested: string, force: boolean): string {
  let path = resolve(output ?? suggested);
  const given = statSync(path, { throwIfNoEntry: false });
  if (given?.isDirectory() || (output !== undefined && /[/\\]$/.test(output))) path = join(path, suggested);
  const folder = statSync(dirname(path), { throwIfNoEntry: false });
  if (!folder)
    throw MonitoringError.input(`cannot write ${path}: the folder ${dirname(path)} does not exist`);
  if (!folder.isDirectory())
    throw MonitoringError.input(`cannot write ${path}: ${dirname(path)} is not a folder`);
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory())
    throw MonitoringError.input(`cannot write ${path}: it is a folder; name a file, or drop --output`);
  if (existing && !force)
    throw MonitoringError.input(`${path} exists; pass --force to replace it, or name another file`);
  return path;
}

/** Before the report is built: refuses a named file that would be refused after (a folder's file name comes later). */
export function checkReportTarget(output: string | undefined, force: boolean): void {
  if (output === undefined || output === "-" || /[/\\]$/.test(output)) return;
  if (statSync(resolve(output), { throwIfNoEntry: false })?.isDirectory()) return;
  reportTarget(output, "", force);
}

export async function writeReportFile(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, bytes, { mode: PRIVATE_FILE_MODE });
  } catch (error) {
    throw MonitoringError.storage(
      `cannot write ${path}: ${(error as Error).message}; nothing was changed`,
      error,
    );
  }
}
