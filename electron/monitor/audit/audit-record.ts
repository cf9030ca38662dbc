/**
 * What an audit record is, whichever form stored it: its fields, the canonical JSON and SHA-256 the
 * argument digests use, and the older per-record chain's hash (`audit_log`: each record stored
 * `hash = sha256(prev_hash + canonicalJson(fields))`; databases written before batches still verify).
 */
import { hash } from "node:crypto";
import type { Row, SqlValue } from "../store/db.js";

export const AUDITED_METHODS: ReadonlySet<string> = new Set(["tools/call", "resources/read", "prompts/get"]);

/** The hash the first record (or link) chains from. */
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
  /** The previous record's hash: records of the per-record form only (null in a batch). */
  prev_hash: string | null;
  /** The record's own hash: in a batch, the SHA-256 of the serialization its link covers. */
  hash: string;
  /** The batch link that vouches for the record (null for the per-record form). */
  link: number | null;
}

/** The columns of the per-record form, in the order its hash covers them. */
export const LEGACY_COLUMNS = [
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

/** A record's fields as export writes them. */
export const AUDIT_COLUMNS = [...LEGACY_COLUMNS, "link"] as const;

/** JSON with object keys sorted at every level (undefined members dropped), so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") {
    if (typeof value === "bigint") return value.toString();
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += `${i ? "," : ""}${canonicalJson(value[i] ?? null)}`;
    return `${out}]`;
  }
  // Computed for every audited call: no intermediate arrays of entries.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort();
  let out = "{";
  for (const key of keys) {
    const member = record[key];
    if (member === undefined || typeof member === "function") continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}

export function sha256(text: string): string {
  return hash("sha256", text, "hex");
}

/**
 * The SHA-256 (hex) of the canonical JSON of a call's arguments: the digest call records were written
 * with before they were keyed (audit-key.ts), still what those records are checked against.
 */
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

/** The hash of a per-record-form record given its fields and id (everything but `hash`). */
export function legacyRecordHash(record: Omit<AuditRecord, "hash" | "link">): string {
  const fields: Record<string, unknown> = {};
  for (const column of LEGACY_COLUMNS) {
    if (column === "hash") continue;
    fields[column] = record[column];
  }
  return sha256((record.prev_hash ?? "") + canonicalJson(fields));
}

/** A row of the per-record table (`audit_log`) as a record. */
export function legacyRecord(row: Row): AuditRecord {
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
    link: null,
  };
}

/** The admin action retention records after pruning the head of the chain (audit-retention.ts). */
export const PRUNE_ACTION = "audit_prune";

/** The target an `audit_prune` record names its checkpoint by. */
export function pruneTarget(throughId: number): string {
  return `audit_log through ${throughId}`;
}
