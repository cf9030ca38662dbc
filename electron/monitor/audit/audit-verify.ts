/**
 * `audit verify`: walks the chain in id order and stops at the first record that does not hold. Records
 * of the per-record form (`audit_log`, databases written before batches) are checked one by one; then
 * every batch link: that it chains from the one before, that its own hash holds, that its records are
 * all there in order, and that their serializations (re-derived from the stored rows) give its digest.
 * A record whose CRC-32 tag differs is the one named; a digest that differs with every tag intact names
 * the batch's first record.
 */
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import type { Db, Row } from "../store/db.js";
import { GENESIS_HASH, legacyRecord, legacyRecordHash, PRUNE_ACTION, pruneTarget } from "./audit-record.js";
import {
  type AuditRow,
  type AuditSubject,
  type LinkFields,
  linkHash,
  recordSerialization,
  subjectKey,
  toAuditRow,
  toSubject,
} from "./audit-rows.js";

type Reason = "hash mismatch" | "prev mismatch" | "missing";

export interface VerifyResult {
  ok: boolean;
  records: number;
  /** The first record that breaks the chain. */
  broken?: { id: number; time: number; reason: Reason; message: string };
  /** Where verification started when retention pruned the head of the chain (a checkpoint vouches for it). */
  from?: { id: number; time: number; prunedThrough: number; digest: string };
}

type Broken = NonNullable<VerifyResult["broken"]>;

function missingMessage(expected: number, id: number): string {
  const gap = id - expected;
  return gap > 0
    ? `${gap} record(s) before it are missing (ids ${expected}..${id - 1})`
    : `out of sequence (expected id ${expected})`;
}

export function verifyChain(db: Db): VerifyResult {
  const start = prunedStart(db);
  const state = { count: 0, nextId: start?.id ?? 1, prevHash: start?.lastHash ?? GENESIS_HASH };
  const broken = verifyLegacy(db, state) ?? verifyBatches(db, state);
  if (broken) return { ok: false, records: state.count, broken, ...(start ? { from: fromOf(start) } : {}) };
  if (!start) return { ok: true, records: state.count };
  const from = fromOf(start);
  const why = unvouched(start);
  if (why)
    return {
      ok: false,
      records: state.count,
      from,
      broken: {
        id: start.id,
        time: start.time,
        reason: start.vouch ? "hash mismatch" : "missing",
        message: why,
      },
    };
  return { ok: true, records: state.count, from };
}

function fromOf(start: PrunedStart): NonNullable<VerifyResult["from"]> {
  return { id: start.id, time: start.time, prunedThrough: start.id - 1, digest: start.digest };
}

interface WalkState {
  count: number;
  nextId: number;
  prevHash: string;
}

/** The per-record form: each record's prev_hash is the hash of the one before; its hash covers it. */
function verifyLegacy(db: Db, state: WalkState): Broken | null {
  for (const row of db.prepare("SELECT * FROM audit_log ORDER BY id").iterate()) {
    state.count++;
    const id = Number(row.id);
    const time = Number(row.time);
    if (id !== state.nextId)
      return { id, time, reason: "missing", message: missingMessage(state.nextId, id) };
    const record = legacyRecord(row);
    if (record.prev_hash !== state.prevHash)
      return {
        id,
        time,
        reason: "prev mismatch",
        message: "its prev_hash is not the hash of the record before it",
      };
    if (legacyRecordHash(record) !== record.hash)
      return {
        id,
        time,
        reason: "hash mismatch",
        message: "its contents do not match its hash (the record was changed)",
      };
    state.prevHash = record.hash;
    state.nextId = id + 1;
  }
  return null;
}

function toLink(row: Row): LinkFields & { hash: string } {
  const tags = row.tags instanceof Uint8Array ? row.tags : new Uint8Array();
  return {
    id: Number(row.id),
    first_id: Number(row.first_id),
    last_id: Number(row.last_id),
    min_time: Number(row.min_time),
    max_time: Number(row.max_time),
    tags,
    digest: String(row.digest),
    prev_hash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

/** The batches: each link, then the records it seals. */
function verifyBatches(db: Db, state: WalkState): Broken | null {
  const records = db.prepare("SELECT * FROM audit_records ORDER BY id").iterate();
  const subjectStatement = db.prepare("SELECT * FROM audit_subjects WHERE id = ?");
  const subjects = new Map<number, { subject: AuditSubject; text: string } | null>();
  const subjectOf = (id: number) => {
    if (!subjects.has(id)) {
      const row = subjectStatement.get(id);
      const subject = row ? toSubject(row) : null;
      subjects.set(id, subject ? { subject, text: subjectKey(subject) } : null);
    }
    return subjects.get(id) ?? null;
  };
  let pending: { id: number; subject: number; row: AuditRow } | null = null;
  const next = () => {
    const step = records.next();
    pending = step.done
      ? null
      : { id: Number(step.value.id), subject: Number(step.value.subject), row: toAuditRow(step.value) };
  };
  next();
  const unlinked = (p: { id: number; row: AuditRow }, upTo: number): Broken => ({
    id: p.id,
    time: p.row.time,
    reason: "missing",
    message: `no batch link vouches for it (the link of records ${p.id}..${upTo} is missing)`,
  });

  for (const row of db.prepare("SELECT * FROM audit_links ORDER BY id").iterate()) {
    const link = toLink(row);
    const first = pending as { id: number; subject: number; row: AuditRow } | null;
    if (first && first.id < link.first_id) {
      state.count++;
      return unlinked(first, link.first_id - 1);
    }
    const firstTime = first?.id === link.first_id ? first.row.time : link.min_time;
    if (link.first_id !== state.nextId) {
      if (first) state.count++;
      return {
        id: link.first_id,
        time: firstTime,
        reason: "missing",
        message: missingMessage(state.nextId, link.first_id),
      };
    }
    if (link.prev_hash !== state.prevHash) {
      if (first) state.count++;
      return {
        id: link.first_id,
        time: firstTime,
        reason: "prev mismatch",
        message: "its batch does not chain from the batch before it (a batch was removed or changed)",
      };
    }
    if (linkHash(link) !== link.hash || link.tags.length !== (link.last_id - link.first_id + 1) * 4) {
      if (first) state.count++;
      return {
        id: link.first_id,
        time: firstTime,
        reason: "hash mismatch",
        message: `the link that seals its batch (records ${link.first_id}..${link.last_id}) was changed`,
      };
    }
    const tags = new DataView(link.tags.buffer, link.tags.byteOffset, link.tags.byteLength);
    const hash = createHash("sha256");
    for (let id = link.first_id; id <= link.last_id; id++) {
      const current = pending as { id: number; subject: number; row: AuditRow } | null;
      if (!current)
        return {
          id,
          time: link.max_time,
          reason: "missing",
          message: `records ${id}..${link.last_id}, at the end of the chain, are missing`,
        };
      state.count++;
      if (current.id !== id)
        return {
          id: current.id,
          time: current.row.time,
          reason: "missing",
          message: missingMessage(id, current.id),
        };
      const subject = subjectOf(current.subject);
      if (!subject)
        return {
          id,
          time: current.row.time,
          reason: "hash mismatch",
          message: "the facts it shares with other records (its subject) were removed",
        };
      const serialized = recordSerialization(id, subject.text, current.row);
      if (crc32(serialized) !== tags.getUint32((id - link.first_id) * 4))
        return {
          id,
          time: current.row.time,
          reason: "hash mismatch",
          message: "its contents do not match its batch link (the record was changed or moved)",
        };
      hash.update(`${serialized}\n`);
      next();
    }
    if (hash.digest("hex") !== link.digest)
      return {
        id: link.first_id,
        time: firstTime,
        reason: "hash mismatch",
        message: `a record of its batch (records ${link.first_id}..${link.last_id}) was changed`,
      };
    state.prevHash = link.hash;
    state.nextId = link.last_id + 1;
  }
  const rest = pending as { id: number; subject: number; row: AuditRow } | null;
  if (rest) {
    state.count++;
    return unlinked(rest, rest.id);
  }
  return null;
}

interface PrunedStart {
  id: number;
  time: number;
  lastHash: string;
  digest: string;
  /** The `audit_prune` record that vouches for the checkpoint, with the digest it committed to. */
  vouch: PruneRecord | null;
}

/**
 * When retention pruned the head of the chain: the first kept record, and the checkpoint (its expected
 * previous hash) if one covers everything before it. Without a checkpoint the chain starts at id 1 as
 * usual, and a gap there is reported as missing records.
 */
function prunedStart(db: Db): PrunedStart | null {
  const legacy = db.prepare("SELECT id, time FROM audit_log ORDER BY id LIMIT 1").get();
  const batched = db.prepare("SELECT id, time FROM audit_records ORDER BY id LIMIT 1").get();
  const first = legacy ?? batched;
  if (!first || Number(first.id) === 1) return null;
  const id = Number(first.id);
  const checkpoint = db
    .prepare("SELECT last_hash, digest FROM audit_checkpoints WHERE through_id = ?")
    .get(id - 1);
  if (!checkpoint) return null;
  return {
    id,
    time: Number(first.time),
    lastHash: String(checkpoint.last_hash),
    digest: String(checkpoint.digest),
    vouch: pruneRecord(db, id - 1),
  };
}

/**
 * Why the checkpoint the verification starts from is not vouched for by the chain (null: it is). The
 * checkpoint row itself sits outside the chain; the `audit_prune` record retention appended commits to its
 * digest, so a checkpoint edited afterwards no longer matches it.
 */
function unvouched(start: PrunedStart): string | null {
  const { vouch } = start;
  const through = start.id - 1;
  if (!vouch)
    return `records 1..${through} were pruned, but no ${PRUNE_ACTION} record in the chain vouches for the checkpoint`;
  let committed: unknown;
  try {
    committed = (JSON.parse(vouch.details ?? "null") as { digest?: unknown } | null)?.digest;
  } catch {
    committed = undefined;
  }
  if (committed === start.digest) return null;
  return `the checkpoint for records 1..${through} has digest ${start.digest.slice(0, 12)}, but ${PRUNE_ACTION} record ${vouch.id} committed to ${typeof committed === "string" ? committed.slice(0, 12) : "none"}: the checkpoint was altered`;
}

interface PruneRecord {
  id: number;
  details: string | null;
}

/** The `audit_prune` record in the chain that names the checkpoint through `throughId`, if any. */
function pruneRecord(db: Db, throughId: number): PruneRecord | null {
  const target = pruneTarget(throughId);
  const row =
    db
      .prepare(
        "SELECT id, details FROM audit_log WHERE kind = 'admin' AND action = ? AND target = ? ORDER BY id LIMIT 1",
      )
      .get(PRUNE_ACTION, target) ??
    db
      .prepare(
        `SELECT r.id, r.details FROM audit_subjects s JOIN audit_records r ON r.id = s.last_id AND r.subject = s.id
         WHERE s.kind = 'admin' AND s.action = ? AND s.target = ? LIMIT 1`,
      )
      .get(PRUNE_ACTION, target);
  if (!row) return null;
  return { id: Number(row.id), details: row.details === null ? null : String(row.details) };
}

/** Whether the chain holds the `audit_prune` record that vouches for the checkpoint through `throughId`. */
export function pruneRecorded(db: Db, throughId: number): boolean {
  return pruneRecord(db, throughId) !== null;
}
