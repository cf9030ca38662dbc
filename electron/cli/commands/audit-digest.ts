/**
 * `mcpscope audit digest`: what an auditor holding a call's arguments checks them with. Call records keep
 * a digest keyed with the data dir's audit key (audit-key.ts), so it can only be computed where the key
 * is; records written before keyed digests keep the bare SHA-256 they were written with, and still match.
 */
import { readFileSync } from "node:fs";
import type { ApiClient } from "../../../shared/api.js";
import { auditKeyFile, keyedArgumentsDigest, readAuditKey } from "../../monitor/audit/audit-key.js";
import { argumentsDigest } from "../../monitor/audit/audit-record.js";
import { MonitoringError } from "../../monitor/errors.js";
import { UsageError } from "../args.js";
import type { CliIo } from "../io.js";

/** The arguments, from the word given or (for `-`, which keeps a password off the command line) stdin. */
export function readArguments(word: string | undefined): unknown {
  if (word === undefined)
    throw new UsageError("digest: give the arguments as JSON, or - to read them from stdin");
  const text = word === "-" ? readFileSync(0, "utf8") : word;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`digest: the arguments are not JSON (${(error as Error).message})`);
  }
}

/** Prints the keyed digest, or checks the arguments against record `recordId`; the exit code. */
export async function auditDigest(
  io: CliIo,
  dataDir: string,
  args: unknown,
  recordId: number | null,
  withApi: <T>(body: (api: ApiClient) => Promise<T>) => Promise<T>,
): Promise<number> {
  const key = readAuditKey(dataDir);
  const keyed = key ? keyedArgumentsDigest(key, args) : null;
  if (recordId === null) {
    if (!keyed)
      throw MonitoringError.input(
        `no audit key at ${auditKeyFile(dataDir)}: no call was recorded with a keyed digest in this data dir`,
      );
    io.stdout.write(`${keyed}\n`);
    return 0;
  }
  const page = await withApi((api) => api.call("audit.export", { after: recordId - 1, limit: 1 }));
  const record = page.records[0];
  if (!record || record.id !== recordId) throw MonitoringError.input(`no audit record ${recordId}`);
  if (!record.args_digest) throw MonitoringError.input(`audit record ${recordId} has no arguments digest`);
  if (keyed === record.args_digest) {
    io.stdout.write(`record ${recordId}: the arguments match (keyed digest)\n`);
    return 0;
  }
  if (argumentsDigest(args) === record.args_digest) {
    io.stdout.write(
      `record ${recordId}: the arguments match (plain SHA-256, written before keyed digests)\n`,
    );
    return 0;
  }
  io.stdout.write(`record ${recordId}: the arguments do not match\n`);
  return 1;
}
