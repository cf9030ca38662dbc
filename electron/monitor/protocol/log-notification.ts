/** A server's `notifications/message` read as a log line. */

import { isLogLevel } from "../../../shared/levels.js";
import type { LogObservation } from "./observations.js";

/** The log line of a `notifications/message` read at `at`, linked to `requestId` when that is known. */
export function logOfNotification(
  params: Record<string, unknown>,
  at: number,
  requestId: string | null,
): LogObservation {
  return {
    time: at,
    level: isLogLevel(params.level) ? params.level : "info",
    source: "mcp",
    logger: typeof params.logger === "string" ? params.logger : null,
    message: typeof params.data === "string" ? params.data : JSON.stringify(params.data ?? null),
    fields: typeof params.data === "string" ? null : (params.data ?? null),
    requestId,
  };
}
