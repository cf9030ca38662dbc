/**
 * The shape of the `logs` key of `<dataDir>/settings.json`, checked by hand: the wrapper's observer thread
 * reads this key at every start, and a schema library would be most of the code that thread loads. Every
 * part is optional; defaults are in docs/cli.md (logs). A problem names the first wrong key's path and what
 * is wrong with it in plain words; `keepValid` (settings-document.ts) drops that key and asks again.
 */
import { positiveSizeProblem } from "../../../shared/byte-sizes.js";
import { positiveDurationSettingProblem } from "../../../shared/durations.js";
import { LOG_LEVELS, type LogLevel } from "../../../shared/levels.js";
import type { SettingsProblem } from "../settings-document.js";

interface RetentionLimitsInput {
  maxAge?: string;
  maxBytes?: number | string;
}

export interface LogSettingsInput {
  /** One level for every server, or per server with `"*"` as the default. Applied when writing. */
  minLevel?: LogLevel | Record<string, LogLevel>;
  retention?: RetentionLimitsInput & { servers?: Record<string, RetentionLimitsInput> };
  /** Per-server JSON-lines files, written by the engine (the app or `mcpscope serve`). */
  files?: {
    /** true for every server, or the servers to write. Default false. */
    enabled?: boolean | string[];
    dir?: string;
    maxBytes?: number | string;
    rotateEvery?: string;
    keep?: number;
  };
}

const LEVEL_CHOICE = `use one of ${LOG_LEVELS.join(", ")}`;

class Invalid extends Error {
  constructor(
    readonly path: string[],
    message: string,
  ) {
    super(message);
  }
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** `what` starts with an article: "is not an object", "is not a string". */
function expected(path: string[], what: string, value: unknown): never {
  throw new Invalid(path, `is ${kind(value)}, not ${what}`);
}

function object(path: string[], value: unknown): Record<string, unknown> {
  if (kind(value) !== "an object") expected(path, "an object", value);
  return value as Record<string, unknown>;
}

/** Unknown keys are reported after the known ones are checked: a wrong value says more than a stray key. */
function strict(path: string[], value: Record<string, unknown>, keys: readonly string[]): void {
  const unknown = Object.keys(value).find((key) => !keys.includes(key));
  if (unknown === undefined) return;
  throw new Invalid([...path, unknown], `unknown key, ignored (known here: ${keys.join(", ")})`);
}

function duration(path: string[], value: unknown): void {
  if (typeof value !== "string") expected(path, "a duration like 30s, 12h or 14d", value);
  const problem = positiveDurationSettingProblem(value);
  if (problem) throw new Invalid(path, problem);
}

function byteSize(path: string[], value: unknown): void {
  const problem = positiveSizeProblem(value);
  if (problem) throw new Invalid(path, problem);
}

function level(path: string[], value: unknown): void {
  if (!LOG_LEVELS.includes(value as LogLevel)) throw new Invalid(path, `is not a level: ${LEVEL_CHOICE}`);
}

function stringRecord(path: string[], value: unknown, each: (path: string[], value: unknown) => void): void {
  if (kind(value) !== "an object") expected(path, "an object", value);
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) each([...path, key], item);
}

function retentionLimits(path: string[], value: unknown, extra: readonly string[] = []): void {
  const keys = ["maxAge", "maxBytes", ...extra];
  const limits = object(path, value);
  if (limits.maxAge !== undefined) duration([...path, "maxAge"], limits.maxAge);
  if (limits.maxBytes !== undefined) byteSize([...path, "maxBytes"], limits.maxBytes);
  if (extra.includes("servers") && limits.servers !== undefined)
    stringRecord([...path, "servers"], limits.servers, (at, item) => retentionLimits(at, item));
  strict(path, limits, keys);
}

function files(path: string[], value: unknown): void {
  const keys = ["enabled", "dir", "maxBytes", "rotateEvery", "keep"];
  const f = object(path, value);
  if (f.enabled !== undefined && typeof f.enabled !== "boolean") {
    if (!Array.isArray(f.enabled))
      expected([...path, "enabled"], "true, false or a list of servers", f.enabled);
    f.enabled.forEach((item, i) => {
      if (typeof item !== "string") expected([...path, "enabled", String(i)], "a server name", item);
    });
  }
  if (f.dir !== undefined && typeof f.dir !== "string") expected([...path, "dir"], "a folder path", f.dir);
  if (f.maxBytes !== undefined) byteSize([...path, "maxBytes"], f.maxBytes);
  if (f.rotateEvery !== undefined) duration([...path, "rotateEvery"], f.rotateEvery);
  if (
    f.keep !== undefined &&
    !(Number.isInteger(f.keep) && (f.keep as number) >= 1 && (f.keep as number) <= 1000)
  )
    throw new Invalid([...path, "keep"], "is not a file count: use a whole number from 1 to 1000");
  strict(path, f, keys);
}

/** The first problem of the `logs` value (its path relative to it), or none. */
export function checkLogSettings(value: unknown): SettingsProblem[] {
  try {
    const keys = ["minLevel", "retention", "files"];
    const logs = object([], value);
    if (logs.minLevel !== undefined && kind(logs.minLevel) === "an object")
      stringRecord(["minLevel"], logs.minLevel, level);
    else if (logs.minLevel !== undefined && !LOG_LEVELS.includes(logs.minLevel as LogLevel))
      throw new Invalid(
        ["minLevel"],
        `is not a level: ${LEVEL_CHOICE} (or one per server: {"*": "info", "name": "warning"})`,
      );
    if (logs.retention !== undefined) retentionLimits(["retention"], logs.retention, ["servers"]);
    if (logs.files !== undefined) files(["files"], logs.files);
    strict([], logs, keys);
    return [];
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    return [{ path: error.path, message: error.message }];
  }
}
