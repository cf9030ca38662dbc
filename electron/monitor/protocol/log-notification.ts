/** A server's `notifications/message` read as a log line. */

import { isLogLevel } from "../../../shared/levels.js";
import { levelFromValue } from "../logs/stderr-line.js";
import { isObject } from "./jsonrpc.js";
import type { LogObservation } from "./observations.js";

/**
 * The log line of a `notifications/message` read at `at`, linked to `requestId` when that is known. A level
 * outside MCP's eight (`warn`, `FATAL`, `Warning`: a logging bridge forwarding its logger's names) is read
 * with the stderr parser's vocabulary, and kept as written in the fields' `rawLevel`.
 */
export function logOfNotification(
  params: Record<string, unknown>,
  at: number,
  requestId: string | null,
): LogObservation {
  const { level, data } = params;
  const text = typeof data === "string";
  let fields: unknown = text ? null : (data ?? null);
  if (level !== undefined && !isLogLevel(level)) {
    const object = isObject(fields) ? fields : fields === null ? {} : { data: fields };
    fields = { ...object, rawLevel: level };
  }
  return {
    time: at,
    level: levelFromValue(level) ?? "info",
    source: "mcp",
    logger: typeof params.logger === "string" ? params.logger : null,
    message: text ? data : JSON.stringify(data ?? null),
    fields,
    requestId,
  };
}
