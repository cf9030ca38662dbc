/**
 * Where `mcpscope report --output` writes, and how: a folder gets the suggested file name inside it, an
 * existing file is kept unless the user says --force, and the file is written whole or not at all (a temp
 * file put in place of the target, owner-only as scheduled reports are), so a full disk never leaves half a
 * report behind nor destroys the one that was there. A link is followed (the file it names is replaced,
 * not the link), and a pipe, device or socket (`/dev/stdout`, `>(gzip > r.gz)`) is written straight into:
 * there is no file there to keep.
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { MonitoringError } from "../../monitor/errors.js";
import { writeFileAtomic } from "../../monitor/instrument/atomic-file.js";
import { PRIVATE_FILE_MODE } from "../../monitor/store/private-files.js";

/** Where the report goes: a regular file (written whole) or a stream (a pipe, a device, a socket). */
export interface ReportTarget {
  path: string;
  stream: boolean;
}

/** The file to write for `--output` (undefined: the suggested name, here); refuses what cannot or should not be written. */
export function reportTarget(output: string | undefined, suggested: string, force: boolean): ReportTarget {
  let path = resolve(output ?? suggested);
  const given = statSync(path, { throwIfNoEntry: false });
  if (given?.isDirectory() || (output !== undefined && /[/\\]$/.test(output))) path = join(path, suggested);
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isFIFO() || existing?.isCharacterDevice() || existing?.isSocket())
    return { path, stream: true };
  if (existing?.isDirectory())
    throw MonitoringError.input(`cannot write ${path}: it is a folder; name a file, or drop --output`);
  if (existing) path = realpathSync(path);
  else if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink())
    throw MonitoringError.input(
      `cannot write ${path}: it is a link to ${readlinkSync(path)}, which does not exist`,
    );
  const folder = statSync(dirname(path), { throwIfNoEntry: false });
  if (!folder)
    throw MonitoringError.input(`cannot write ${path}: the folder ${dirname(path)} does not exist`);
  if (!folder.isDirectory())
    throw MonitoringError.input(`cannot write ${path}: ${dirname(path)} is not a folder`);
  if (existing && !force) throw exists(path);
  return { path, stream: false };
}

function exists(path: string): MonitoringError {
  return MonitoringError.input(`${path} exists; pass --force to replace it, or name another file`);
}

/** Before the report is built: refuses what would be refused after, the suggested name included. */
export function checkReportTarget(output: string | undefined, suggested: string, force: boolean): void {
  if (output === "-") return;
  reportTarget(output, suggested, force);
}

export async function writeReportFile(
  target: ReportTarget,
  bytes: Uint8Array,
  force: boolean,
): Promise<void> {
  const { path } = target;
  try {
    if (target.stream) await writeFile(path, bytes);
    else await writeFileAtomic(path, bytes, { mode: PRIVATE_FILE_MODE, replace: force });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw exists(path);
    throw MonitoringError.storage(
      `cannot write ${path}: ${(error as Error).message}; nothing was changed`,
      error,
    );
  }
}
