/**
 * The shape of the `logs` key of `<dataDir>/settings.json`, checked by hand: the wrapper's observer thread
 * reads this key at every start, and a schema library would be most of the code that thread loads. Every
 * part is optional; defaults are in docs/cli.md (logs). A problem names the first wrong key's path and what
 * is wrong with it, in the words the app's other settings use.
 */
import { LOG_LEVELS, type LogLevel } from "../../../shared/levels.js";

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

export interface InputProblem {
  path: string[];
  message: string;
}

/** Bytes as a number or with a unit: `200MB`, `512KB`, `1GB`. */
const BYTE_SIZE = /^\d+(?:\.\d+)?\s*(?:B|KB|MB|GB)$/i;
/** A duration like the CLI's: `30s`, `12h`, `14d`. */
const DURATION = /^\d+(?:\.\d+)?(?:ms|s|m|h|d|w)$/;

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
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function expected(path: string[], type: string, value: unknown): never {
  throw new Invalid(path, `Invalid input: expected ${type}, received ${kind(value)}`);
}

function object(path: string[], value: unknown): Record<string, unknown> {
  if (kind(value) !== "object") expected(path, "object", value);
  return value as Record<string, unknown>;
}

/** Unknown keys are reported after the known ones are checked: a wrong value says more than a stray key. */
function strict(path: string[], value: Record<string, unknown>, keys: readonly string[]): void {
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length === 0) return;
  const names = unknown.map((key) => JSON.stringify(key)).join(", ");
  throw new Invalid(path, `Unrecognized key${unknown.length > 1 ? "s" : ""}: ${names}`);
}

function pattern(path: string[], value: unknown, regex: RegExp): void {
  if (typeof value !== "string") expected(path, "string", value);
  if (!regex.test(value)) throw new Invalid(path, `Invalid string: must match pattern ${regex}`);
}

function byteSize(path: string[], value: unknown): void {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) expected(path, "string", value);
    if (value <= 0) throw new Invalid(path, "Too small: expected number to be >0");
    return;
  }
  pattern(path, value, BYTE_SIZE);
}

function level(path: string[], value: unknown): void {
  if (!LOG_LEVELS.includes(value as LogLevel)) {
    const options = LOG_LEVELS.map((name) => JSON.stringify(name)).join("|");
    throw new Invalid(path, `Invalid option: expected one of ${options}`);
  }
}

function stringRecord(path: string[], value: unknown, each: (path: string[], value: unknown) => void): void {
  if (kind(value) !== "object") expected(path, "record", value);
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) each([...path, key], item);
}

function retentionLimits(path: string[], value: unknown, extra: readonly string[] = []): void {
  const keys = ["maxAge", "maxBytes", ...extra];
  const limits = object(path, value);
  if (limits.maxAge !== undefined) pattern([...path, "maxAge"], limits.maxAge, DURATION);
  if (limits.maxBytes !== undefined) byteSize([...path, "maxBytes"], limits.maxBytes);
  if (extra.includes("servers") && limits.servers !== undefined)
    stringRecord([...path, "servers"], limits.servers, (at, item) => retentionLimits(at, item));
  strict(path, limits, keys);
}

function files(path: string[], value: unknown): void {
  const keys = ["enabled", "dir", "maxBytes", "rotateEvery", "keep"];
  const f = object(path, value);
  if (f.enabled !== undefined && typeof f.enabled !== "boolean") {
    if (!Array.isArray(f.enabled)) expected([...path, "enabled"], "array", f.enabled);
    f.enabled.forEach((item, i) => {
      if (typeof item !== "string") expected([...path, "enabled", String(i)], "string", item);
    });
  }
  if (f.dir !== undefined && typeof f.dir !== "string") expected([...path, "dir"], "string", f.dir);
  if (f.maxBytes !== undefined) byteSize([...path, "maxBytes"], f.maxBytes);
  if (f.rotateEvery !== undefined) pattern([...path, "rotateEvery"], f.rotateEvery, DURATION);
  if (f.keep !== undefined) {
    const at = [...path, "keep"];
    if (typeof f.keep !== "number") expected(at, "number", f.keep);
    if (!Number.isInteger(f.keep)) expected(at, "int", f.keep);
    if (f.keep < 1) throw new Invalid(at, "Too small: expected number to be >=1");
    if (f.keep > 1000) throw new Invalid(at, "Too big: expected number to be <=1000");
  }
  strict(path, f, keys);
}

/** Checks the `logs` value; the path of a problem is relative to it. */
export function checkLogSettings(
  value: unknown,
): { ok: true; value: LogSettingsInput } | { ok: false; problem: InputProblem } {
  try {
    const keys = ["minLevel", "retention", "files"];
    const logs = object([], value);
    if (logs.minLevel !== undefined && typeof logs.minLevel !== "string")
      stringRecord(["minLevel"], logs.minLevel, level);
    else if (logs.minLevel !== undefined && !LOG_LEVELS.includes(logs.minLevel as LogLevel))
      expected(["minLevel"], "record", logs.minLevel);
    if (logs.retention !== undefined) retentionLimits(["retention"], logs.retention, ["servers"]);
    if (logs.files !== undefined) files(["files"], logs.files);
    strict([], logs, keys);
    return { ok: true, value: logs as LogSettingsInput };
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    return { ok: false, problem: { path: error.path, message: error.message } };
  }
}
