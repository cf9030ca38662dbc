/** What the proxy makes of an upstream's HTTP status when no JSON-RPC answer came with it. */
import { type Outcome, REFUSED_HTTP_STATUSES } from "../../../shared/domain.js";
import type { EventSeverity } from "../../../shared/events.js";

export type RefusedStatus = (typeof REFUSED_HTTP_STATUSES)[number];

/** The security event each refusal is reported as: a 401 wants credentials, a 403 denies these. */
export const DENIED: Record<RefusedStatus, { what: string; severity: EventSeverity }> = {
  401: { what: "unauthorized", severity: "low" },
  403: { what: "forbidden", severity: "medium" },
};

export function isRefused(status: number): status is RefusedStatus {
  return (REFUSED_HTTP_STATUSES as readonly number[]).includes(status);
}

/**
 * A 4xx/5xx with no JSON-RPC answer. A gateway's 502 or 504 says the server behind it did not answer
 * (it is gone, or too slow), so it is not the server's error.
 */
export function httpOutcome(status: number): Outcome {
  if (status === 502) return "disconnected";
  if (status === 504) return "timeout";
  return status >= 500 ? "server_error" : "client_error";
}
