/**
 * `secret.detected`: one event per kind of secret and field it was found in, per session, raised from
 * what the masking itself found (nothing is masked twice). It names the kind and the field, never the
 * value, which was masked before storage.
 */
import type { EventTracker } from "../events/tracker.js";

/** Where in a session a secret was found; `details.field` of the event. */
export type SecretField =
  | "arguments"
  | "request"
  | "result"
  | "error"
  | "method"
  | "target"
  | "request_id"
  | "client_info"
  | "server_info"
  | "command"
  | "stderr"
  | "log";

export class SecretFindings {
  private readonly reported = new Set<string>();

  constructor(
    private readonly tracker: EventTracker,
    private readonly server: string,
    private readonly session: string,
  ) {}

  /** Reports the kinds in `found` not yet reported for this field in this session. */
  report(
    field: SecretField,
    found: Set<string>,
    time: number,
    context: { method?: string; target?: string | null } = {},
  ): void {
    for (const kind of found) {
      const key = `${field}\u0000${kind}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      const where = context.method
        ? ` of ${context.method}${context.target ? ` ${context.target}` : ""}`
        : "";
      this.tracker.track({
        time,
        category: "security",
        type: "secret.detected",
        severity: "medium",
        server: this.server,
        session: this.session,
        message: `${this.server}: a secret (${kind}) in the ${field.replace("_", " ")}${where}; it was masked before storage`,
        details: { kind, field, method: context.method ?? null, target: context.target ?? null },
      });
    }
  }
}
