/**
 * What the proxy reports of its upstream as events: an upstream it cannot reach (once per outage), and
 * each 401/403 answer.
 */
import type { EventTracker } from "../events/tracker.js";
import type { Exchange, ResponseMessage } from "./exchange.js";
import { pathOnly } from "./exchange-parts.js";
import { DENIED, type RefusedStatus } from "./http-status-outcomes.js";

export class UpstreamEvents {
  private unreachableSince: number | null = null;

  constructor(
    private readonly events: EventTracker,
    private readonly server: string,
  ) {}

  /** The upstream answered: a later failure to reach it is a new outage. */
  reached(): void {
    this.unreachableSince = null;
  }

  /** The upstream could not be reached for `ex` (if still known): reported once until it answers again. */
  unreachable(ex: Exchange | undefined, message: string, at: number): void {
    if (this.unreachableSince !== null) return;
    this.unreachableSince = at;
    this.events.track({
      time: at,
      category: "system",
      type: "proxy.upstream_unreachable",
      severity: "high",
      server: this.server,
      session: ex?.session?.id ?? null,
      message: `the proxy cannot reach the upstream: ${message}; clients get 502 until it is back`,
      details: { path: ex?.request.path ?? null },
    });
  }

  denied(ex: Exchange, response: ResponseMessage, status: RefusedStatus): void {
    const { what, severity } = DENIED[status];
    this.events.track({
      time: response.at,
      category: "security",
      type: `http.${what}`,
      severity,
      server: this.server,
      session: ex.session?.id ?? null,
      message: `the upstream answered ${response.status} (${what}) to ${ex.request.method} ${pathOnly(ex.request.path)}${response.wwwAuthenticate ? `; WWW-Authenticate: ${response.wwwAuthenticate}` : ""}`,
      details: {
        status: response.status,
        method: ex.request.method,
        path: pathOnly(ex.request.path),
        wwwAuthenticate: response.wwwAuthenticate,
      },
    });
  }
}
