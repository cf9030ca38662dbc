/**
 * A response line longer than what is kept of it is not parsed whole (that work and its garbage grew with
 * the payload, though only the first capture-limit bytes are stored). Its envelope is read in place and
 * gives exactly what a full parse gives for every field the observer reads: the id, result or error, the
 * error's code and message, the result's `isError`, `resultType`, `requestState` and `_meta`, a tool
 * error's first text block. What is stored of it is the value of its first bytes (json-scan's
 * closedPrefix), marked as partial. Whatever cannot be read that way exactly (a request, a batch, invalid
 * UTF-8 or structure, a field too large to read in place) gives null: the caller parses the line whole.
 */
import { isUtf8 } from "node:buffer";
import { keptBytes } from "../pipeline/capture.js";
import { eachElement, objectMembers, type Span, stringPrefix, ws } from "./json-scan.js";
import { isObject, type JsonRpcId, type JsonRpcMessage } from "./jsonrpc.js";
import { OversizedPayload, PARTIAL_PAYLOAD, type PartialPayload } from "./observations.js";
import { prefixValue } from "./prefix-value.js";

/** A field read in place is parsed only up to this size; a larger one sends the line to the full parse. */
const FIELD_BYTES = 64 * 1024;
/** A tool error's message keeps this many characters (as `judgeResponse` does); a few more are read. */
const ERROR_TEXT_UNITS = 501;

type Response = Extract<JsonRpcMessage, { kind: "response" }>;

export interface LargeResponse {
  message: Response;
  /**
   * The value of the message's first `keep` bytes plus the masking margin, marked with PARTIAL_PAYLOAD
   * (to be cut at `keep`).
   */
  kept(keep: number): unknown;
}

export const TOO_BIG = Symbol("too big");
const REQUEST_KEYS = new Set(["method"]);

/** Reads a response line in place, or null when only the full parse can tell what it holds. */
export function readLargeResponse(line: Buffer): LargeResponse | null {
  try {
    return read(line);
  } catch {
    return null;
  }
}

function read(b: Buffer): LargeResponse | null {
  if (!isUtf8(b)) return null;
  const object = objectMembers(b, ws(b, 0), REQUEST_KEYS);
  // One value and nothing but whitespace around it, as JSON.parse requires.
  if (!object || ws(b, object.end) !== b.length) return null;
  const top = object.members;
  if (!(top.has("result") || top.has("error"))) return null;
  if (field(b, top.get("jsonrpc")) !== "2.0") return null;
  const rawId = field(b, top.get("id"));
  if (rawId === TOO_BIG) return null;
  const id: JsonRpcId | null =
    typeof rawId === "string" || (typeof rawId === "number" && Number.isFinite(rawId)) ? rawId : null;

  let message: Response;
  const errorSpan = top.get("error");
  const error = errorSpan ? objectMembers(b, errorSpan.start)?.members : undefined;
  if (error) {
    const code = field(b, error.get("code"));
    const text = field(b, error.get("message"));
    if (code === TOO_BIG || text === TOO_BIG) return null;
    message = {
      kind: "response",
      id,
      error: { code: typeof code === "number" ? code : 0, message: typeof text === "string" ? text : "" },
    };
  } else {
    const result = resultFields(b, top.get("result"));
    if (result === TOO_BIG) return null;
    message = { kind: "response", id, result };
  }
  return {
    message,
    kept(keep) {
      let value: unknown = null;
      try {
        value = prefixValue(b, keptBytes(keep));
      } catch {
        // Only a long string's end was checked: its content may still be invalid JSON.
      }
      if (!isObject(value)) return new OversizedPayload(b.length);
      const mark: PartialPayload = { bytes: b.length, keep };
      Object.defineProperty(value, PARTIAL_PAYLOAD, { value: mark });
      return value;
    },
  };
}

/** The value at `span` (undefined when absent), or TOO_BIG. */
export function field(b: Buffer, span: Span | undefined): unknown {
  if (!span) return undefined;
  if (span.end - span.start > FIELD_BYTES) return TOO_BIG;
  return JSON.parse(b.toString("utf8", span.start, span.end));
}

/**
 * What the observer reads of a result, read in place: the result itself when small; else, of an object,
 * the members it reads (a tool error's content down to its first text block); of anything else, null.
 */
export function resultFields(b: Buffer, span: Span | undefined): unknown {
  if (!span || span.end - span.start <= FIELD_BYTES) return field(b, span);
  const members = objectMembers(b, span.start)?.members;
  if (!members) return null;
  const out: Record<string, unknown> = {};
  for (const key of ["resultType", "isError", "requestState", "_meta"]) {
    const value = field(b, members.get(key));
    if (value === TOO_BIG) return TOO_BIG;
    if (value !== undefined) out[key] = value;
  }
  if (out.isError === true && members.has("content")) {
    const content = firstTextBlock(b, members.get("content") as Span);
    if (content === TOO_BIG) return TOO_BIG;
    out.content = content;
  }
  return out;
}

/**
 * A tool error's content as far as its first text block (`judgeResponse` takes the first block with a
 * string `text`; the blocks before it stand as nulls), its text cut past what the message keeps.
 */
export function firstTextBlock(b: Buffer, span: Span): unknown {
  if (span.end - span.start <= FIELD_BYTES) return field(b, span);
  const blocks: unknown[] = [];
  let failed = false;
  const isArray = eachElement(b, span.start, (element) => {
    if (element.end - element.start <= FIELD_BYTES) {
      blocks.push(field(b, element));
      return isTextBlock(blocks[blocks.length - 1]);
    }
    const members = objectMembers(b, element.start)?.members;
    const type = members ? field(b, members.get("type")) : undefined;
    const text = members?.get("text");
    if (type !== "text" || !text || b[text.start] !== 0x22) {
      if (type === TOO_BIG) failed = true;
      blocks.push(null);
      return failed;
    }
    const prefix = stringPrefix(b, text, ERROR_TEXT_UNITS);
    if (prefix === null) failed = true;
    blocks.push({ type, text: prefix });
    return true;
  });
  if (failed) return TOO_BIG;
  return isArray ? blocks : null;
}

function isTextBlock(block: unknown): boolean {
  return isObject(block) && block.type === "text" && typeof block.text === "string";
}
