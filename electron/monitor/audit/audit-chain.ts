/**
 * The audit chain as it is written now: one compact row per record (`audit_records`), the facts its
 * records share stored once (`audit_subjects`: who, which server and session, which method and target),
 * and one link per committed batch (`audit_links`). A link holds the previous link's hash, the batch's
 * first and last record ids, a SHA-256 over every record's serialization and a CRC-32 tag per record
 * (which record of a batch changed, for `audit verify` to name it); its own hash covers all of that.
 * The serialization is built from what the rows store, so verification re-derives it from the tables.
 *
 * Must run inside a write transaction: reading the chain's head and appending are then atomic across
 * processes (many wrappers writing one database still build one chain).
 */
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import type { Db, Statement } from "../store/db.js";
import type { AuditFields } from "./audit-record.js";
import { GENESIS_HASH } from "./audit-record.js";
import {
  type AuditEntry,
  type AuditSubject,
  type LinkFields,
  linkHash,
  recordSerialization,
  subjectKey,
} from "./audit-rows.js";

export type { AuditEntry, AuditRow, AuditSubject } from "./audit-rows.js";

/**
 * Where the first link chains from: the last record a database kept in the per-record form, or, when
 * retention pruned all of those, the checkpoint that vouches for them; nothing in a new database.
 */
function legacyHead(db: Db): { id: number; hash: string } | null {
  const last = db.prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").get();
  if (last) return { id: Number(last.id), hash: String(last.hash) };
  const checkpoint = db
    .prepare("SELECT through_id, last_hash FROM audit_checkpoints ORDER BY through_id DESC LIMIT 1")
    .get();
  return checkpoint ? { id: Number(checkpoint.through_id), hash: String(checkpoint.last_hash) } : null;
}

interface Statements {
  head: Statement;
  subject: Statement;
  insertSubject: Statement;
  touchSubject: Statement;
  record: Statement;
  link: Statement;
  discard: Statement;
}

const statements = new WeakMap<Db, Statements>();

function prepared(db: Db): Statements {
  let s = statements.get(db);
  if (!s) {
    s = {
      head: db.prepare("SELECT id, last_id, hash FROM audit_links ORDER BY id DESC LIMIT 1"),
      subject: db.prepare("SELECT id FROM audit_subjects WHERE key = ?"),
      insertSubject: db.prepare(
        `INSERT INTO audit_subjects (key, kind, actor, server, session_id, action, target, client, client_name,
           client_version, last_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      ),
      touchSubject: db.prepare("UPDATE audit_subjects SET last_id = max(last_id, ?) WHERE id = ?"),
      record: db.prepare(
        `INSERT INTO audit_records (id, time, subject, args_digest, outcome, request_id, duration_us, error_code,
           details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      link: db.prepare(
        `INSERT INTO audit_links (id, first_id, last_id, min_time, max_time, tags, digest, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      discard: db.prepare("DELETE FROM audit_records WHERE id >= ? AND id < ?"),
    };
    statements.set(db, s);
  }
  return s;
}

/**
 * The records of one write transaction, sealed by one link. Rows are inserted as they are added (later
 * writes of the same transaction may read them); `seal` writes the link.
 */
export class AuditBatch {
  private readonly s: Statements;
  private readonly subjects = new Map<string, { id: number; text: string; lastId: number }>();
  private readonly bySubject = new Map<AuditSubject, { id: number; text: string; lastId: number }>();
  private readonly tags: number[] = [];
  private readonly hash = createHash("sha256");
  private head: { linkId: number; nextId: number; prevHash: string } | null = null;
  private firstId = 0;
  private nextId = 0;
  private minTime = Number.POSITIVE_INFINITY;
  private maxTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly db: Db) {
    this.s = prepared(db);
  }

  get size(): number {
    return this.tags.length;
  }

  add(entry: AuditEntry): number {
    if (!this.head) {
      const last = this.s.head.get();
      if (last) {
        this.head = {
          linkId: Number(last.id) + 1,
          nextId: Number(last.last_id) + 1,
          prevHash: String(last.hash),
        };
      } else {
        // The first link chains from the per-record chain a database kept before, if any.
        const legacy = legacyHead(this.db);
        this.head = { linkId: 1, nextId: (legacy?.id ?? 0) + 1, prevHash: legacy?.hash ?? GENESIS_HASH };
      }
      this.firstId = this.head.nextId;
      this.nextId = this.head.nextId;
    }
    const subject = this.subjectOf(entry.subject);
    const id = this.nextId;
    const row = entry.row;
    this.s.record.run(
      id,
      row.time,
      subject.id,
      row.args_digest === null ? null : Buffer.from(row.args_digest, "hex"),
      row.outcome,
      row.request_id,
      row.duration_us,
      row.error_code,
      row.details,
    );
    // Only a stored record takes its id: a failed insert leaves no gap in the chain.
    this.nextId++;
    subject.lastId = id;
    const text = recordSerialization(id, subject.text, row);
    this.tags.push(crc32(text));
    this.hash.update(`${text}\n`);
    if (row.time < this.minTime) this.minTime = row.time;
    if (row.time > this.maxTime) this.maxTime = row.time;
    return id;
  }

  /** Writes the batch's link (nothing for an empty batch). */
  seal(): void {
    if (!this.head || this.tags.length === 0) return;
    const tags = new Uint8Array(this.tags.length * 4);
    const view = new DataView(tags.buffer);
    for (let i = 0; i < this.tags.length; i++) view.setUint32(i * 4, this.tags[i] as number);
    const link: LinkFields = {
      id: this.head.linkId,
      first_id: this.firstId,
      last_id: this.nextId - 1,
      min_time: this.minTime,
      max_time: this.maxTime,
      tags,
      digest: this.hash.digest("hex"),
      prev_hash: this.head.prevHash,
    };
    this.s.link.run(
      link.id,
      link.first_id,
      link.last_id,
      link.min_time,
      link.max_time,
      link.tags,
      link.digest,
      link.prev_hash,
      linkHash(link),
    );
    for (const subject of this.subjects.values()) this.s.touchSubject.run(subject.lastId, subject.id);
  }

  /**
   * Removes the batch's records when its link cannot be written: a record outside every link would read
   * as missing to `audit verify`. Returns how many. Call in the transaction, instead of `seal`.
   */
  discard(): number {
    if (!this.head || this.tags.length === 0) return 0;
    this.s.discard.run(this.firstId, this.nextId);
    return this.tags.length;
  }

  private subjectOf(subject: AuditSubject): { id: number; text: string; lastId: number } {
    // A session's calls share one subject object while its facts hold: no key to build for those.
    const same = this.bySubject.get(subject);
    if (same) return same;
    const key = subjectKey(subject);
    let known = this.subjects.get(key);
    if (!known) {
      let row = this.s.subject.get(key);
      if (!row) {
        this.s.insertSubject.run(
          key,
          subject.kind,
          subject.actor,
          subject.server,
          subject.session_id,
          subject.action,
          subject.target,
          subject.client,
          subject.client_name,
          subject.client_version,
        );
        row = this.s.subject.get(key);
      }
      known = { id: Number(row?.id), text: key, lastId: 0 };
      this.subjects.set(key, known);
    }
    this.bySubject.set(subject, known);
    return known;
  }
}

const open = new WeakMap<Db, AuditBatch>();

/**
 * Opens the batch of the current transaction on `db` (the batch writer's): records appended on `db`
 * until `endAuditBatch` join it and share its link.
 */
export function beginAuditBatch(db: Db): AuditBatch {
  const batch = new AuditBatch(db);
  open.set(db, batch);
  return batch;
}

/** Seals the open batch (when `commit`) and closes it; call in the transaction, before it commits. */
export function endAuditBatch(db: Db, commit: boolean): void {
  const batch = open.get(db);
  open.delete(db);
  if (commit) batch?.seal();
}

/** Appends one record: to the transaction's open batch, or as a batch of its own. */
export function appendEntry(db: Db, entry: AuditEntry): number {
  const batch = open.get(db);
  if (batch) return batch.add(entry);
  const own = new AuditBatch(db);
  const id = own.add(entry);
  own.seal();
  return id;
}

/** An admin record's logical fields as a subject and a row. */
export function adminEntry(fields: AuditFields): AuditEntry {
  return {
    subject: {
      kind: fields.kind,
      actor: fields.actor,
      server: fields.server,
      session_id: fields.session_id,
      action: fields.action,
      target: fields.target,
      client: null,
      client_name: null,
      client_version: null,
    },
    row: {
      time: Math.round(fields.time),
      args_digest: fields.args_digest,
      outcome: fields.outcome,
      request_id: null,
      duration_us: null,
      error_code: null,
      details: fields.details,
    },
  };
}
