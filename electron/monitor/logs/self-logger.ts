/**
 * mcpscope's own logs: a pino logger whose destination is the logs table (source `mcpscope`, server
 * `mcpscope`), through the same write path as every other log record. pino formats; this stream maps
 * pino's line back to a record (numeric level → RFC 5424, `msg` → message, the rest → fields).
 */
import { pino } from "pino";
import { SELF_SERVER } from "../../../shared/logs.js";
import type { LogRecorder } from "./log-recorder.js";
import { levelFromValue } from "./stderr-line.js";

export { SELF_SERVER };

export type SelfLogger = pino.Logger;

export function createSelfLogger(
  recorder: LogRecorder,
  options: { name?: string; level?: pino.Level } = {},
): SelfLogger {
  const destination: pino.DestinationStream = {
    write(line: string) {
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const { level, time, msg, name, ...fields } = value;
      recorder.record({
        time: typeof time === "number" ? time : Date.now(),
        level: levelFromValue(level) ?? "info",
        server: SELF_SERVER,
        session: null,
        source: "mcpscope",
        logger: typeof name === "string" ? name : null,
        message: typeof msg === "string" ? msg : "",
        fields: Object.keys(fields).length ? fields : null,
        requestId: null,
      });
    },
  };
  return pino(
    {
      name: options.name ?? "engine",
      level: options.level ?? "info",
      base: undefined,
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    destination,
  );
}
