/**
 * Parts of mcpscope that follow every wrapped session (events, security checks, the audit log) plug in
 * here instead of into the recorder. Each factory gets the session's identity and the batch writer and
 * returns the hooks it wants; the wrapper's observer worker builds them all for each session.
 *
 * Hooks see observations BEFORE masking (so they can detect secrets and hash arguments): they must never
 * store a raw payload — mask with pipeline/capture.ts or store only digests.
 */
import { auditWatcher } from "./audit/audit-watcher.js";
import { serverVersionWatcher } from "./events/server-version.js";
import { sessionEventsWatcher } from "./events/session-events.js";
import type { CallObservation, ProtocolEventObservation, SessionFacts } from "./protocol/observations.js";
import { securityWatcher } from "./security/security-watcher.js";
import type { BatchWriter } from "./store/batch-writer.js";
import type { SessionEnd, SessionIdentity } from "./store/session-recorder.js";

export interface SessionContext {
  identity: SessionIdentity;
  writer: BatchWriter;
  /** The data dir written to: its audit key keys the call records' argument digests. */
  dataDir: string;
  /** The client (from `run --client`) when an instrumented entry launched this session. */
  client: string | null;
  /** What recorded it: the stdio wrapper (the default) or `mcpscope proxy` (one HTTP session). */
  via?: "run" | "proxy";
}

export interface SessionWatcher {
  call?(call: CallObservation, facts: SessionFacts): void;
  /**
   * `at`: when the message that told these facts was read (the traffic's clock); `changed`: they name
   * another client identity than the session had (store/session-clients.ts).
   */
  session?(facts: SessionFacts, at: number, changed?: boolean): void;
  protocolEvent?(event: ProtocolEventObservation): void;
  ended?(end: SessionEnd, facts: SessionFacts): void;
}

export type SessionWatcherFactory = (context: SessionContext) => SessionWatcher;

/** Every part that follows sessions. Add a factory here (one line) to plug a new one in. */
export const SESSION_WATCHERS: SessionWatcherFactory[] = [
  auditWatcher,
  sessionEventsWatcher,
  serverVersionWatcher,
  securityWatcher,
];

/** Calls each watcher's hook; one failing watcher never stops the recording or the others. */
export function notifyWatchers<K extends keyof SessionWatcher>(
  watchers: SessionWatcher[],
  hook: K,
  ...args: Parameters<NonNullable<SessionWatcher[K]>>
): void {
  for (const watcher of watchers) {
    try {
      (watcher[hook] as ((...a: unknown[]) => void) | undefined)?.(...args);
    } catch {
      // A bug in one watcher must not lose calls.
    }
  }
}
