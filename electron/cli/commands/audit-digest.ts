/**
 * `mcpscope audit digest`: what an auditor holding a call's arguments checks them with. Call records keep
 * a digest keyed with the data dir's audit key (audit-key.ts), so it can only be computed where the key
 * is; a record names its key, so one made under another key is "cannot check", not "do not match".
 * Records written before keyed digests keep the bare SHA-256 they were written with, and still match.
 */
import { readFileSync } from "node:fs";
import type { ApiClient } from "../../../shared/api.js";
import {
  AUDIT_KEY_FILE,
  auditKeyFile,
  auditKeyInPlaceSince,
  digestKeyId,
  keyedArgumentsDigest,
  keyedDigestMatches,
  readAuditKey,
} from "../../monitor/audit/audit-key.js";
import { argumentsDigest, canonicalJson } from "../../monitor/audit/audit-record.js";
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

/** Whether the data dir's key file was in place by `time` (ms), so a digest made then was made under it. */
function keyHeldAt(dataDir: string, time: number): boolean {
  const since = auditKeyInPlaceSince(dataDir);
  return since !== null && Math.floor(since) <= time;
}

/** What `--record` answers when the record's key is not this data dir's: neither a match nor a mismatch. */
export const CANNOT_CHECK_EXIT = 3;

/**
 * Prints the keyed digest, or checks the arguments against record `recordId`; the exit code: 0 they
 * match, 1 they do not, 3 the record was keyed under a key this data dir does not hold — or names no key
 * and is older than the key file, so may have been keyed under one removed or replaced since.
 */
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
        `no audit key at ${auditKeyFile(dataDir)}: it is made when the first call is recorded`,
      );
    io.stdout.write(`${keyed}\n`);
    return 0;
  }
  const page = await withApi((api) => api.call("audit.export", { after: recordId - 1, limit: 1 }));
  const record = page.records[0];
  if (!record || record.id !== recordId) throw MonitoringError.input(`no audit record ${recordId}`);
  const digest = record.args_digest;
  if (!digest) throw MonitoringError.input(`audit record ${recordId} has no arguments digest`);
  const recordKey = digestKeyId(digest);
  if (recordKey !== null && recordKey !== key?.id) {
    const here = key
      ? `this data dir's ${AUDIT_KEY_FILE} is key ${key.id}`
      : `there is no ${auditKeyFile(dataDir)}`;
    io.stdout.write(
      `record ${recordId}: cannot check: it was keyed with audit key ${recordKey}, and ${here}\n`,
    );
    return CANNOT_CHECK_EXIT;
  }
  // Records written before digests named their key hold the bare HMAC (or, older still, a plain SHA-256).
  if (key && keyedDigestMatches(key, canonicalJson(args), digest)) {
    io.stdout.write(`record ${recordId}: the arguments match (keyed digest)\n`);
    return 0;
  }
  if (recordKey === null && argumentsDigest(args) === digest) {
    io.stdout.write(
      `record ${recordId}: the arguments match (plain SHA-256, written before keyed digests)\n`,
    );
    return 0;
  }
  if (recordKey === null && !keyHeldAt(dataDir, record.time)) {
    // A bare HMAC under a key since removed or replaced looks like any other mismatch: say neither.
    const here = key
      ? `this data dir's ${AUDIT_KEY_FILE} (key ${key.id}) was put in place after it`
      : `there is no ${auditKeyFile(dataDir)}`;
    io.stdout.write(
      `record ${recordId}: cannot check: it was written before digests named their key, matches neither a plain SHA-256 nor this data dir's key, and ${here}\n`,
    );
    return CANNOT_CHECK_EXIT;
  }
  io.stdout.write(`record ${recordId}: the arguments do not match\n`);
  return 1;
}
