/**
 * Parses one framed line into a JSON-RPC message, or says why it is not one. Never throws: whatever the
 * line holds was already forwarded; this only decides what we can learn from a copy of it.
 */
import { NOT_READ, wholeValue } from "./prefix-value.js";

export type JsonRpcId = string | number;

export type JsonRpcMessage =
  | { kind: "request"; id: JsonRpcId; method: string; params: Record<string, unknown> | undefined }
  | { kind: "notification"; method: string; params: Record<string, unknown> | undefined }
  | {
      kind: "response";
      id: JsonRpcId | null;
      result?: unknown;
      error?: { code: number; message: string; data?: unknown };
    };

export type InvalidReason = "invalid_utf8" | "invalid_json" | "not_jsonrpc";

export type ParsedLine =
  | { kind: "message"; message: JsonRpcMessage; value: unknown; lossy?: boolean }
  | { kind: "batch"; items: ParsedLine[]; lossy?: boolean }
  | { kind: "blank" }
  | { kind: "invalid"; reason: InvalidReason; detail: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lossyUtf8 = new TextDecoder("utf-8");
const NOT_UTF8 = { kind: "invalid", reason: "invalid_utf8", detail: "line is not valid UTF-8" } as const;

/**
 * A line that is not valid UTF-8 is read as a server reading it leniently would (each bad byte a U+FFFD):
 * a message in it is still a message, marked `lossy` so that the anomaly is reported too.
 */
export function parseLine(bytes: Buffer): ParsedLine {
  const whole = wholeValue(bytes);
  if (whole !== NOT_READ) return classifyParsed(whole);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const parsed = parseText(lossyUtf8.decode(bytes));
    return parsed.kind === "message" || parsed.kind === "batch" ? { ...parsed, lossy: true } : NOT_UTF8;
  }
  return parseText(text);
}

function parseText(text: string): ParsedLine {
  if (text.trim() === "") return { kind: "blank" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8's message quotes part of the line, which may hold a secret: keep only the position.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    return {
      kind: "invalid",
      reason: "invalid_json",
      detail: `line is not valid JSON${position ? ` (at byte ${position})` : ""}`,
    };
  }
  return classifyParsed(value);
}

/** A line's parsed value: a message, a batch, or why it is neither. */
export function classifyParsed(value: unknown): ParsedLine {
  if (Array.isArray(value)) {
    const items = value.map(classifyValue);
    // `[1, 2, 3]` is JSON, not a batch of JSON-RPC messages.
    if (items.length > 0 && items.every((item) => item.kind === "invalid"))
      return {
        kind: "invalid",
        reason: "not_jsonrpc",
        detail: "a JSON array that holds no JSON-RPC message",
      };
    return { kind: "batch", items };
  }
  return classifyValue(value);
}

export function classifyValue(value: unknown): ParsedLine {
  if (!isObject(value) || value.jsonrpc !== "2.0") {
    return {
      kind: "invalid",
      reason: "not_jsonrpc",
      detail: 'not a JSON-RPC 2.0 object (missing "jsonrpc": "2.0")',
    };
  }
  const params = isObject(value.params) ? value.params : undefined;
  if (typeof value.method === "string") {
    if (isId(value.id))
      return {
        kind: "message",
        value,
        message: { kind: "request", id: value.id, method: value.method, params },
      };
    if (value.id === undefined)
      return { kind: "message", value, message: { kind: "notification", method: value.method, params } };
    return { kind: "invalid", reason: "not_jsonrpc", detail: "request id must be a string or a number" };
  }
  if ("result" in value || "error" in value) {
    const id = isId(value.id) ? value.id : null;
    if (isObject(value.error)) {
      const code = typeof value.error.code === "number" ? value.error.code : 0;
      const message = typeof value.error.message === "string" ? value.error.message : "";
      return {
        kind: "message",
        value,
        message: { kind: "response", id, error: { code, message, data: value.error.data } },
      };
    }
    return { kind: "message", value, message: { kind: "response", id, result: value.result } };
  }
  return {
    kind: "invalid",
    reason: "not_jsonrpc",
    detail: "neither a request, a notification nor a response",
  };
}

/** A map key that keeps `1` and `"1"` apart, as JSON-RPC does. */
export function idKey(id: JsonRpcId): string {
  return typeof id === "number" ? `n:${id}` : `s:${id}`;
}

/** The id an `idKey` was made from. */
export function idOfKey(key: string): JsonRpcId {
  return key.startsWith("n:") ? Number(key.slice(2)) : key.slice(2);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is JsonRpcId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}
