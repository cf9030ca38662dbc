/**
 * The tamper-evident audit log: one record per `tools/call`, `resources/read` and `prompts/get` a client
 * makes through the wrapper, and one per administrative action (instrument, uninstrument, pin approval,
 * silence, settings change, retention deletion, backup, restore).
 *
 * Each record stores a SHA-256 digest of the canonical JSON of the call's arguments, never the arguments
 * themselves. Records form one hash chain: `hash = sha256(prev_hash + canonicalJson(fields))`, where the
 * fields are every column but `hash` (including `id` and `prev_hash`). The previous hash is read and the
 * record inserted inside one transaction (the batch writer's BEGIN IMMEDIATE), so many wrappers writing one
 * database still build a single chain.
 */
import { createHash } from "node:crypto";
import { maskValue } from "../pipeline/mask.js";
import type { BatchWriter } from "../store/batch-writer.js";
import type { Db, Row, SqlValue } from "../store/db.js";

export const AUDITED_METHODS: ReadonlySet<string> = new Set(["tools/call", "resources/read", "prompts/get"]);

/** The hash the first record chains from. */
export const GENESIS_HASH = "";

export type AuditKind = "call" | "admin";

export interface AuditFields {
  time: number;
  kind: AuditKind;
  actor: string | null;
  server: string | null;
  session_id: string | null;
  action: string;
  target: string | null;
  args_digest: string | null;
  outcome: string | null;
  /** Masked JSON text, or null. */
  details: string | null;
}

export interface AuditRecord extends AuditFields {
  id: number;
  prev_hash: string;
  hash: string;
}

export const AUDIT_COLUMNS = [
  "id",
  "time",
  "kind",
  "actor",
  "server",
  "session_id",
  "action",
  "target",
  "args_digest",
  "outcome",
  "details",
  "prev_hash",
  "hash",
] as const;

/** JSON with object keys sorted at every level (undefined members dropped), so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") {
    if (typeof value === "bigint") return value.toString();
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== "function")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The SHA-256 (hex) of the canonical JSON of a call's arguments. */
export function argumentsDigest(args: unknown): string {
  return sha256(canonicalJson(args));
}

/**
 * The arguments of an audited request: `params.arguments` for `tools/call` and `prompts/get` (`{}` when
 * absent); for `resources/read` (and anything else) the params without `_meta` (i.e. `{uri}`).
 */
export function requestArguments(method: string, request: unknown): unknown {
  const params = (request as { params?: unknown } | null)?.params;
  const record = params && typeof params === "object" ? (params as Record<string, unknown>) : {};
  if (method === "tools/call" || method === "prompts/get") return record.arguments ?? {};
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== "_meta"));
}

/** The hash of a record given its fields and id (everything but `hash`). */
export function recordHash(record: Omit<AuditRecord, "hash">): string {
  const fields: Record<string, unknown> = {};
  for (const column of AUDIT_COLUMNS) {
    if (column === "hash") continue;
    fields[column] = record[column];
  }
  return sha256(record.prev_hash + canonicalJson(fields));
}

/**
 * Appends one record to the chain. Must run inside a write transaction (the batch writer's, or
 * `db.transaction`): reading the last hash and inserting are then atomic across processes.
 */
export function appendAuditRecord(db: Db, fields: AuditFields): AuditRecord {
  const last = db.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").get();
  const id = last ? Number(last.id) + 1 : 1;
  const prev_hash = last ? String(last.hash) : GENESIS_HASH;
  const partial = { id, ...fields, prev_hash };
  const record: AuditRecord = { ...partial, hash: recordHash(partial) };
  db.prepare(
    `INSERT INTO audit_log (${AUDIT_COLUMNS.join(", ")}) VALUES (${AUDIT_COLUMNS.map(() => "?").join(", ")})`,
  ).run(...AUDIT_COLUMNS.map((c) => record[c] as SqlValue));
  return record;
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
  const fields = adminFields(action);
  if ("enqueueWrite" in target) {
    target.enqueueWrite((db) => {
      appendAuditRecord(db, fields);
    });
    return;
  }
  target.transaction(() => appendAuditRecord(target, fields));
}

function toRecord(row: Row): AuditRecord {
  const text = (v: SqlValue | undefined) => (v === null || v === undefined ? null : String(v));
  return {
    id: Number(row.id),
    time: Number(row.time),
    kind: String(row.kind) as AuditKind,
    actor: text(row.actor),
    server: text(row.server),
    session_id: text(row.session_id),
    action: String(row.action),
    target: text(row.target),
    args_digest: text(row.args_digest),
    outcome: text(row.outcome),
    details: text(row.details),
    prev_hash: String(row.prev_hash ?? ""),
    hash: String(row.hash ?? ""),
  };
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  /** The first record that breaks the chain. */
  broken?: {
    id: number;
    time: number;
    reason: "hash mismatch" | "prev mismatch" | "missing";
    message: string;
  };
  /** Where verification started when retention pruned the head of the chain (a checkpoint vouches for it). */
  from?: { id: number; time: number; prunedThrough: number; digest: string };
}

/** Walks the chain in id order and stops at the first record that does not hold. */
export function verifyChain(db: Db): VerifyResult {
  let previous: AuditRecord | null = null;
  let count = 0;
  const start = prunedStart(db);
  for (const row of db.prepare("SELECT * FROM audit_log ORDER BY id").iterate()) {
    const record = toRecord(row);
    count++;
    const expectedId = previous ? previous.id + 1 : (start?.id ?? 1);
    const expectedPrev = previous ? previous.hash : (start?.lastHash ?? GENESIS_HASH);
    if (record.id !== expectedId) {
      const gap = record.id - expectedId;
      return {
        ok: false,
        records: count,
        broken: {
          id: record.id,
          time: record.time,
          reason: "missing",
          message:
            gap > 0
              ? `${gap} record(s) before it are missing (ids ${expectedId}..${record.id - 1})`
              : `out of sequence (expected id ${expectedId})`,
        },
      };
    }
    if (record.prev_hash !== expectedPrev) {
      return {
        ok: false,
        records: count,
        broken: {
          id: record.id,
          time: record.time,
          reason: "prev mismatch",
          message: "its prev_hash is not the hash of the record before it",
        },
      };
    }
    const { hash, ...rest } = record;
    if (recordHash(rest) !== hash) {
      return {
        ok: false,
        records: count,
        broken: {
          id: record.id,
          time: record.time,
          reason: "hash mismatch",
          message: "its contents do not match its hash (the record was changed)",
        },
      };
    }
    previous = record;
  }
  if (!start) return { ok: true, records: count };
  const from = { id: start.id, time: start.time, prunedThrough: start.id - 1, digest: start.digest };
  if (!start.confirmed)
    return {
      ok: false,
      records: count,
      from,
      broken: {
        id: start.id,
        time: start.time,
        reason: "missing",
        message: `records 1..${start.id - 1} were pruned, but no ${PRUNE_ACTION} record in the chain vouches for the checkpoint`,
      },
    };
  return { ok: true, records: count, from };
}

/**
 * When retention pruned the head of the chain: the first kept record, and the checkpoint (its expected
 * `prev_hash`) if one covers everything before it. Without a checkpoint the chain starts at id 1 as usual,
 * and a gap there is reported as missing records.
 */
function prunedStart(
  db: Db,
): { id: number; time: number; lastHash: string; digest: string; confirmed: boolean } | null {
  const first = db.prepare("SELECT id, time FROM audit_log ORDER BY id LIMIT 1").get();
  if (!first || Number(first.id) === 1) return null;
  const id = Number(first.id);
  const checkpoint = db
    .prepare("SELECT last_hash, digest FROM audit_checkpoints WHERE through_id = ?")
    .get(id - 1);
  if (!checkpoint) return null;
  const confirmed =
    db
      .prepare("SELECT 1 FROM audit_log WHERE kind = 'admin' AND action = ? AND target = ? LIMIT 1")
      .get(PRUNE_ACTION, pruneTarget(id - 1)) !== undefined;
  return {
    id,
    time: Number(first.time),
    lastHash: String(checkpoint.last_hash),
    digest: String(checkpoint.digest),
    confirmed,
  };
}

/** The admin action retention records after pruning the head of the chain (audit-retention.ts). */
export const PRUNE_ACTION = "audit_prune";

/** The target an `audit_prune` record names its checkpoint by. */
export function pruneTarget(throughId: number): string {
  return `audit_log through ${throughId}`;
}

export interface AuditQuery {
  since?: number;
  until?: number;
  /** Only records after this id (the next page of an export). */
  afterId?: number;
}

/** Records in chain order, optionally within [since, until) and after an id. */
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
  const sql = `SELECT * FROM audit_log${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY id`;
  for (const row of db.prepare(sql).iterate(...params)) yield toRecord(row);
}
