/**
 * Follows each wrapped session and appends an audit record for every client request of an audited method
 * (`tools/call`, `resources/read`, `prompts/get`): client, target, the keyed digest of the canonical
 * arguments (never the arguments; audit-key.ts), time and outcome. Records go into the batch writer's transaction and share its
 * batch's link of the chain; the session's facts are stored once per batch. Fail-open: a failing audit
 * write never loses the batch's calls.
 */
import type { CallObservation, SessionFacts } from "../protocol/observations.js";
import type { SessionContext, SessionWatcher } from "../session-watchers.js";
import type { BatchWriter } from "../store/batch-writer.js";
import type { AuditEntry, AuditSubject } from "./audit-chain.js";
import { type AuditKey, auditKey, keyedArgumentsDigest } from "./audit-key.js";
import { AUDITED_METHODS, requestArguments } from "./audit-record.js";
import { auditKeyProblem, noteKeyUnavailable } from "./key-unavailable.js";

/** A session's subjects, reused while its calls repeat them (the batch then stores and keys each once). */
const SUBJECTS_KEPT = 256;

/** The key each writer's queued records are made under (null: it could not be had); see `batchKey`. */
const batchKeys = new WeakMap<BatchWriter, AuditKey | null>();

/**
 * The data dir's key for the record about to be queued. The first record of each batch (the first queued
 * while the writer holds none) looks at the file (a stat, and a read when it changed); the rest of the
 * batch reuses what it found: one look per batch, not per call, where looking on every call cost the
 * observer thread about as much as the digest. A batch's records so share one key id, and a key removed
 * or replaced is followed from the next batch on. Null when the key cannot be had (a data dir that cannot
 * be written cannot take the record either): the digest is then left out, never made a bare SHA-256,
 * which would be a guessing oracle.
 */
function batchKey(writer: BatchWriter, dataDir: string): AuditKey | null {
  if (writer.queuedAudit > 0 && batchKeys.has(writer)) return batchKeys.get(writer) ?? null;
  let key: AuditKey | null;
  try {
    key = auditKey(dataDir);
  } catch {
    key = null;
  }
  batchKeys.set(writer, key);
  return key;
}

export function callAuditEntry(
  call: CallObservation,
  facts: SessionFacts,
  context: Pick<SessionContext, "identity" | "client" | "dataDir" | "writer">,
  subjects?: Map<string, AuditSubject>,
): AuditEntry {
  const key = `${call.method}\n${call.target}\n${facts.clientName}\n${facts.clientVersion}`;
  let subject = subjects?.get(key);
  if (!subject) {
    subject = {
      kind: "call",
      actor: facts.clientName ?? context.client ?? null,
      server: context.identity.server,
      session_id: context.identity.sessionId,
      action: call.method,
      target: call.target,
      client: context.client ?? null,
      client_name: facts.clientName ?? null,
      client_version: facts.clientVersion ?? null,
    };
    if (subjects) {
      if (subjects.size >= SUBJECTS_KEPT) subjects.clear();
      subjects.set(key, subject);
    }
  }
  const auditKeyNow = batchKey(context.writer, context.dataDir);
  return {
    subject,
    row: {
      time: Math.round(call.startedAt),
      args_digest:
        auditKeyNow && keyedArgumentsDigest(auditKeyNow, requestArguments(call.method, call.request)),
      outcome: call.outcome,
      request_id: call.requestId,
      duration_us: Math.round(call.durationMs * 1000),
      error_code: call.errorCode,
      details: null,
    },
  };
}

export function auditWatcher(context: SessionContext): SessionWatcher {
  const subjects = new Map<string, AuditSubject>();
  let said = false;
  return {
    call(call, facts) {
      if (call.direction !== "c2s" || !AUDITED_METHODS.has(call.method)) return;
      const entry = callAuditEntry(call, facts, context, subjects);
      context.writer.enqueueAudit(entry);
      if (entry.row.args_digest !== null || said) return;
      // Recorded without its digest: said once per session, not lost in silence.
      said = true;
      const why = auditKeyProblem(context.dataDir) ?? "it could not be read when the call was recorded";
      const at = {
        server: context.identity.server,
        sessionId: context.identity.sessionId,
        time: entry.row.time,
      };
      context.writer.enqueueWrite((db) => noteKeyUnavailable(db, at, why));
    },
  };
}
