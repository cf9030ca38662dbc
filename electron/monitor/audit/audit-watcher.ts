/**
 * Follows each wrapped session and appends an audit record for every client request of an audited method
 * (`tools/call`, `resources/read`, `prompts/get`): client, target, the keyed digest of the canonical
 * arguments (never the arguments; audit-key.ts), time and outcome. Records go into the batch writer's transaction and share its
 * batch's link of the chain; the session's facts are stored once per batch. Fail-open: a failing audit
 * write never loses the batch's calls.
 */
import type { CallObservation, SessionFacts } from "../protocol/observations.js";
import type { SessionContext, SessionWatcher } from "../session-watchers.js";
import type { AuditEntry, AuditSubject } from "./audit-chain.js";
import { type AuditKey, auditKey, keyedArgumentsDigest } from "./audit-key.js";
import { AUDITED_METHODS, requestArguments } from "./audit-record.js";
import { auditKeyProblem, noteKeyUnavailable } from "./key-unavailable.js";

/** A session's subjects, reused while its calls repeat them (the batch then stores and keys each once). */
const SUBJECTS_KEPT = 256;

/**
 * The keyed digest, or null when the data dir's key cannot be had (a data dir that cannot be written
 * cannot take the record either): never a bare SHA-256, which would be a guessing oracle.
 */
function argumentsDigestIn(dataDir: string, args: unknown): string | null {
  let key: AuditKey;
  try {
    key = auditKey(dataDir);
  } catch {
    return null;
  }
  return keyedArgumentsDigest(key, args);
}

export function callAuditEntry(
  call: CallObservation,
  facts: SessionFacts,
  context: Pick<SessionContext, "identity" | "client" | "dataDir">,
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
  return {
    subject,
    row: {
      time: Math.round(call.startedAt),
      args_digest: argumentsDigestIn(context.dataDir, requestArguments(call.method, call.request)),
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
