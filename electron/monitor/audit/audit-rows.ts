/**
 * The batched audit chain's rows (audit-chain.ts writes them, audit-verify.ts checks them): what a record
 * and its shared subject store, the serialization a batch link's digest and tags cover, a link's hash,
 * and a record's logical form as export shows it.
 */
import type { Row, SqlValue } from "../store/db.js";
import { type AuditRecord, sha256 } from "./audit-record.js";

/** The facts a record shares with others of its session (or admin action), stored once. */
export interface AuditSubject {
  kind: "call" | "admin";
  actor: string | null;
  server: string | null;
  session_id: string | null;
  action: string;
  target: string | null;
  client: string | null;
  client_name: string | null;
  client_version: string | null;
}

/** What one record stores besides its subject. */
export interface AuditRow {
  time: number;
  /** Keyed digest of the canonical arguments, hex (calls only; audit-key.ts). */
  args_digest: string | null;
  outcome: string | null;
  request_id: string | null;
  /** Whole microseconds (calls only). */
  duration_us: number | null;
  error_code: number | null;
  /** Masked JSON text (admin records only). */
  details: string | null;
}

export interface AuditEntry {
  subject: AuditSubject;
  row: AuditRow;
}

/** The subject's part of every record's serialization (and its lookup key). */
export function subjectKey(s: AuditSubject): string {
  return JSON.stringify([
    s.kind,
    s.actor,
    s.server,
    s.session_id,
    s.action,
    s.target,
    s.client,
    s.client_name,
    s.client_version,
  ]);
}

/** The text a record's digest and tag are computed over: its id, its subject and its stored columns. */
export function recordSerialization(id: number, subjectText: string, row: AuditRow): string {
  return `${id}${subjectText}${JSON.stringify([
    row.time,
    row.args_digest,
    row.outcome,
    row.request_id,
    row.duration_us,
    row.error_code,
    row.details,
  ])}`;
}

export interface LinkFields {
  id: number;
  first_id: number;
  last_id: number;
  min_time: number;
  max_time: number;
  /** CRC-32 of each record's serialization, 4 bytes each, in id order. */
  tags: Uint8Array;
  /** SHA-256 (hex) over the records' serializations, each followed by a newline. */
  digest: string;
  prev_hash: string;
}

export function linkHash(link: LinkFields): string {
  return sha256(
    link.prev_hash +
      JSON.stringify([
        link.id,
        link.first_id,
        link.last_id,
        link.min_time,
        link.max_time,
        Buffer.from(link.tags).toString("hex"),
        link.digest,
      ]),
  );
}

/** The record's logical form, as export and the older per-record chain show it. */
export function logicalRecord(
  id: number,
  subject: AuditSubject,
  row: AuditRow,
  link: number,
  hash: string,
): AuditRecord {
  const details =
    subject.kind === "call"
      ? // Keys in sorted order: the same text the per-record chain stored for a call.
        JSON.stringify({
          client: subject.client,
          clientName: subject.client_name,
          clientVersion: subject.client_version,
          durationMs: row.duration_us === null ? null : row.duration_us / 1000,
          errorCode: row.error_code,
          requestId: row.request_id,
        })
      : row.details;
  return {
    id,
    time: row.time,
    kind: subject.kind,
    actor: subject.actor,
    server: subject.server,
    session_id: subject.session_id,
    action: subject.action,
    target: subject.target,
    args_digest: row.args_digest,
    outcome: row.outcome,
    details,
    prev_hash: null,
    hash,
    link,
  };
}

/** A stored subject row as an `AuditSubject`. */
export function toSubject(row: Row): AuditSubject {
  const text = (v: SqlValue | undefined) => (v === null || v === undefined ? null : String(v));
  return {
    kind: String(row.kind) as AuditSubject["kind"],
    actor: text(row.actor),
    server: text(row.server),
    session_id: text(row.session_id),
    action: String(row.action),
    target: text(row.target),
    client: text(row.client),
    client_name: text(row.client_name),
    client_version: text(row.client_version),
  };
}

/** A stored record row as an `AuditRow`. */
export function toAuditRow(row: Row): AuditRow {
  const digest = row.args_digest;
  const num = (v: SqlValue | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    time: Number(row.time),
    args_digest:
      digest instanceof Uint8Array
        ? Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString("hex")
        : digest === null || digest === undefined
          ? null
          : String(digest),
    outcome: row.outcome === null || row.outcome === undefined ? null : String(row.outcome),
    request_id: row.request_id === null || row.request_id === undefined ? null : String(row.request_id),
    duration_us: num(row.duration_us),
    error_code: num(row.error_code),
    details: row.details === null || row.details === undefined ? null : String(row.details),
  };
}
