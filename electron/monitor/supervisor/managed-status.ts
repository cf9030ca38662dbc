/** What the supervisor tells about a managed server (the engine API and the UI show it). */
import type { TransportKind } from "../../../shared/discovery.js";
import type { ProtocolEra } from "./era-transport.js";
import type { RunEndReason } from "./run-store.js";

/**
 * `starting` (spawning, handshake), `running` (session open), `backoff` (waiting to restart after a
 * crash), `stopping`, `stopped`, `crash_loop` (gave up restarting), `failed` (cannot start at all).
 */
export type ManagedState =
  | "starting"
  | "running"
  | "backoff"
  | "stopping"
  | "stopped"
  | "crash_loop"
  | "failed";

export interface ManagedStatus {
  id: string;
  name: string;
  transport: TransportKind;
  state: ManagedState;
  pid: number | null;
  /** When the current run started (epoch ms). */
  startedAt: number | null;
  /** Automatic restarts since the server was last started by hand. */
  restarts: number;
  nextRestartAt: number | null;
  lastExit: {
    at: number;
    code: number | null;
    signal: string | null;
    uptimeMs: number;
    reason: RunEndReason;
  } | null;
  era: ProtocolEra | null;
  protocolVersion: string | null;
  serverName: string | null;
  serverVersion: string | null;
  /** The last failure, one line. */
  lastError: string | null;
}

/**
 * mcpscope's own copy crashed or cannot start, and is not (yet) running again: down, whatever a probe
 * found before it died.
 */
export function ownCopyDown(managed: Pick<ManagedStatus, "state" | "restarts">): boolean {
  switch (managed.state) {
    case "backoff":
    case "crash_loop":
    case "failed":
      return true;
    case "starting":
      return managed.restarts > 0;
    default:
      return false;
  }
}
