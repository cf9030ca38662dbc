/**
 * Follows each wrapped session and appends an audit record for every client request of an audited method
 * (`tools/call`, `resources/read`, `prompts/get`): client, target, the SHA-256 of the canonical arguments
 * (never the arguments), time and outcome. Fail-open: a failing audit write never loses the batch's calls.
 */
import type { CallObservation, SessionFacts } from "../protocol/observations.js";
import type { SessionContext, SessionWatcher } from "../session-watchers.js";
import {
  AUDITED_METHODS,
  type AuditFields,
  appendAuditRecord,
  argumentsDigest,
  canonicalJson,
  requestArguments,
} from "./audit-log.js";

export function callAuditFields(
  call: CallObservation,
  facts: SessionFacts,
  context: Pick<SessionContext, "identity" | "client">,
): AuditFields {
  const details = {
    client: context.client,
    clientName: facts.clientName ?? null,
    clientVersion: facts.clientVersion ?? null,
    requestId: call.requestId,
    durationMs: call.durationMs,
    errorCode: call.errorCode,
  };
  return {
    time: call.startedAt,
    kind: "call",
    actor: facts.clientName ?? context.client ?? null,
    server: context.identity.server,
    session_id: context.identity.sessionId,
    action: call.method,
    target: call.target,
    args_digest: argumentsDigest(requestArguments(call.method, call.request)),
    outcome: call.outcome,
    details: canonicalJson(details),
  };
}

export function auditWatcher(context: SessionContext): SessionWatcher {
  return {
    call(call, facts) {
      if (call.direction !== "c2s" || !AUDITED_METHODS.has(call.method)) return;
      const fields = callAuditFields(call, facts, context);
      context.writer.enqueueWrite((db) => {
        try {
          appendAuditRecord(db, fields);
        } catch (error) {
          // Lock problems surface at BEGIN IMMEDIATE, before this runs; anything else (a missing table in
          // an older database) must not roll back the calls of the batch.
          if (/busy|locked/i.test((error as Error).message)) throw error;
        }
      });
    },
  };
}
