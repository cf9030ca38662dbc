/**
 * The tamper-evident audit log: one record per `tools/call`, `resources/read` and `prompts/get` a client
 * makes through the wrapper, and one per administrative action (instrument, uninstrument, pin approval,
 * silence, settings change, retention deletion, backup, restore).
 *
 * Each call record stores a digest of the canonical JSON of the call's arguments keyed with the data dir's
 * audit key (audit-key.ts), never the arguments themselves; records written before keyed digests keep
 * the bare SHA-256 they were written with. Records form one chain, sealed batch by batch (audit-chain.ts): every write
 * transaction that appends records also appends one link over them, chained to the link before. Databases
 * written before batches keep their per-record chain (`audit_log`), which the first link continues.
 */

import { maskValue } from "../pipeline/mask.js";
import type { BatchWriter } from "../store/batch-writer.js";
import type { Db, SqlValue } from "../store/db.js";
import { type AuditEntry, adminEntry, appendEntry } from "./audit-chain.js";
import { type AuditFields, type AuditRecord, canonicalJson, legacyRecord, sha256 } from "./audit-record.js";
import { logicalRecord, recordSerialization, subjectKey, toAuditRow, toSubject } from "./audit-rows.js";

export type { AuditEntry } from "./audit-chain.js";
export {
  AUDIT_COLUMNS,
  AUDITED_METHODS,
  type AuditFields,
  type AuditRecord,
  argumentsDigest,
  canonicalJson,
  GENESIS_HASH,
  PRUNE_ACTION,
  pruneTarget,
  requestArguments,
  sha256,
} from "./audit-record.js";
export { type VerifyResult, verifyChain } from "./audit-verify.js";

/**
 * Appends one record. Must run inside a write transaction (the batch writer's, or `db.transaction`):
 * reading the chain's head and appending are then atomic across processes. Returns the record's id.
 */
export function appendAuditRecord(db: Db, record: AuditFields | AuditEntry): number {
  return appendEntry(db, "subject" in record ? record : adminEntry(record));
}

export interface AdminAction {
  /** e.g. instrument, uninstrument, pin_approve, silence, settings_change, retention_delete, backup, restore */
  action: string;
  /** Who did it: a user name, `cli`, `app`, `retention`… */
  actor?: string | null;
  server?: string | null;
  target?: string | null;
  outcome?: string | null;
  /** Anything JSON; masked before it is stored. */
  details?: unknown;
  time?: number;
}

function adminFields(action: AdminAction): AuditFields {
  return {
    time: action.time ?? Date.now(),
    kind: "admin",
    actor: action.actor ?? null,
    server: action.server ?? null,
    session_id: null,
    action: action.action,
    target: action.target ?? null,
    args_digest: null,
    outcome: action.outcome ?? "ok",
    details: action.details === undefined ? null : canonicalJson(maskValue(action.details)),
  };
}

/**
 * Records an administrative action. With a `BatchWriter` it is queued into the writer's next transaction;
 * with a `Db` it is written now in a transaction of its own (throws if the database cannot be written:
 * callers that must stay fail-open catch).
 */
export function recordAdminAction(target: Db | BatchWriter, action: AdminAction): void {
  const entry = adminEntry(adminFields(action));
  if ("enqueueAudit" in target) {
    target.enqueueAudit(entry);
    return;
  }
  target.transaction(() => appendEntry(target, entry));
}

export interface AuditQuery {
  since?: number;
  until?: number;
  /** Only records after this id (the next page of an export). */
  afterId?: number;
}

/**
 * Records in chain order (the per-record form first, then batches; ids rise across both), optionally
 * within [since, until) and after an id.
 */
export function* iterateAudit(db: Db, query: AuditQuery = {}): Generator<AuditRecord> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (query.since !== undefined) {
    where.push("time >= ?");
    params.push(query.since);
  }
  if (query.until !== undefined) {
    where.push("time < ?");
    params.push(query.until);
  }
  if (query.afterId !== undefined) {
    where.push("id > ?");
    params.push(query.afterId);
  }
  const filter = where.length ? ` WHERE ${where.join(" AND ")}` : "";
  for (const row of db.prepare(`SELECT * FROM audit_log${filter} ORDER BY id`).iterate(...params))
    yield legacyRecord(row);
  // Batched records have no time index: the links' time ranges give the ids to read.
  const range = db
    .prepare(
      `SELECT min(first_id) AS first, max(last_id) AS last FROM audit_links
       WHERE max_time >= ? AND min_time < ?`,
    )
    .get(query.since ?? Number.MIN_SAFE_INTEGER, query.until ?? Number.MAX_SAFE_INTEGER);
  if (range?.first === null || range?.first === undefined) return;
  const subjects = new Map<number, ReturnType<typeof toSubject>>();
  const subjectStatement = db.prepare("SELECT * FROM audit_subjects WHERE id = ?");
  const links = db
    .prepare("SELECT id, first_id, last_id FROM audit_links WHERE last_id >= ? AND first_id <= ? ORDER BY id")
    .iterate(Number(range.first), Number(range.last));
  let link = links.next();
  // A reader that stops early (a page) returns this generator: the links' statement must end with it, or
  // it keeps a read snapshot open and this connection's next write transaction fails as busy.
  try {
    for (const row of db
      .prepare(
        `SELECT * FROM audit_records WHERE id BETWEEN ? AND ?${where.length ? ` AND ${where.join(" AND ")}` : ""} ORDER BY id`,
      )
      .iterate(Number(range.first), Number(range.last), ...params)) {
      const id = Number(row.id);
      while (!link.done && Number(link.value.last_id) < id) link = links.next();
      const subjectId = Number(row.subject);
      let subject = subjects.get(subjectId);
      if (!subject) {
        const stored = subjectStatement.get(subjectId);
        if (!stored) continue;
        subject = toSubject(stored);
        subjects.set(subjectId, subject);
      }
      const auditRow = toAuditRow(row);
      const hash = sha256(recordSerialization(id, subjectKey(subject), auditRow));
      yield logicalRecord(id, subject, auditRow, link.done ? 0 : Number(link.value.id), hash);
    }
  } finally {
    links.return?.(undefined);
  }
}
