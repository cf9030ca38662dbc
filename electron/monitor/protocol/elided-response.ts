/**
 * A response line the copy cut (proxy/line-elider.ts): the observer has its head (what is kept, plus the
 * masking margin) and its last bytes, and knows whether the bytes between hold an `"isError"` name. What
 * the head and the tail hold whole is read exactly, as large-response.ts reads a whole line in place: the
 * id, result or error, the error's code and message, the result's `isError` (from its first members or its
 * last), `resultType`, `requestState` and `_meta`, a tool error's first text block. Where the outcome is
 * not there to read (no `result` or `error` in either end, a member other than `jsonrpc`, `id`, `result`
 * and `error` at the top, or `isError` or `resultType` in the middle), the answer is `unknown`, never a guess; the caller
 * then counts the call as unobserved. The middle is not checked as JSON.
 */
import { keptBytes } from "../pipeline/capture.js";
import { BUDGET_MARGIN } from "../pipeline/mask.js";
import { type Span, stringPrefix, ws } from "./json-scan.js";
import { type LeadingMembers, leadingMembers, trailingMembers, wsBack } from "./json-scan-back.js";
import { classifyParsed, isObject, type JsonRpcId, type JsonRpcMessage } from "./jsonrpc.js";
import { field, firstTextBlock, resultFields, TOO_BIG } from "./large-response.js";
import { OversizedPayload, PARTIAL_PAYLOAD, type PartialPayload } from "./observations.js";
import { prefixValue } from "./prefix-value.js";

type Response = Extract<JsonRpcMessage, { kind: "response" }>;

export type ElidedRead =
  | {
      kind: "response";
      message: Response;
      /** The value of the head's first `keep` bytes (at most what the head holds), marked partial. */
      kept(keep: number): unknown;
    }
  /** A response whose outcome the two ends do not tell (`id` when they tell that much). */
  | { kind: "unknown"; id: JsonRpcId | null };

const ENVELOPE = new Set(["jsonrpc", "id", "result", "error"]);
const RESULT_FIELDS = ["resultType", "isError", "requestState", "_meta"];
/** The result's members that decide its outcome: one the two ends may not hold is not guessed. */
const OUTCOME_FIELDS = new Set(["isError", "resultType"]);
const ERROR_TEXT_UNITS = 501;

/** A value's bytes: in the head or in the tail. */
interface Located {
  b: Buffer;
  span: Span;
}

/** Null when the line is not a response (a request or notification, or no object at all). */
export function readElidedResponse(
  head: Buffer,
  tail: Buffer,
  totalBytes: number,
  hidden: boolean,
): ElidedRead | null {
  try {
    return read(head, tail, totalBytes, hidden);
  } catch {
    return null;
  }
}

function read(head: Buffer, tail: Buffer, totalBytes: number, hidden: boolean): ElidedRead | null {
  const top = leadingMembers(head, ws(head, 0));
  const end = wsBack(tail, tail.length - 1) + 1;
  const back = trailingMembers(tail, end);
  if (!top || !back || top.closed) return null;
  if (top.members.has("method") || top.open?.name === "method" || back.members.has("method")) return null;
  const find = (name: string): Located | undefined => {
    const inHead = top.members.get(name);
    if (inHead) return { b: head, span: inHead };
    const inTail = back.members.get(name);
    return inTail ? { b: tail, span: inTail } : undefined;
  };
  const rawId = at(find("id"));
  const id: JsonRpcId | null =
    typeof rawId === "string" || (typeof rawId === "number" && Number.isFinite(rawId)) ? rawId : null;
  const unknown = { kind: "unknown", id } as const;
  const names = [...top.members.keys(), ...back.members.keys(), ...(top.open ? [top.open.name] : [])];
  if (names.some((name) => !ENVELOPE.has(name)) || at(find("jsonrpc")) !== "2.0") return unknown;
  // The member the cut runs through ends in the tail where the tail's top level stops.
  const openTail = back.openEnd === null ? null : back.openEnd;

  let message: Response;
  if (find("error") || top.open?.name === "error") {
    const error = find("error");
    let code: unknown;
    let text: unknown;
    if (error) {
      const members = leadingMembers(error.b, error.span.start)?.members;
      code = at(members && { b: error.b, span: members.get("code") as Span });
      text = at(members && { b: error.b, span: members.get("message") as Span });
    } else {
      const first = leadingMembers(head, (top.open as { start: number }).start);
      const last = openTail === null ? null : trailingMembers(tail, openTail);
      const pick = (name: string) => {
        const span = first?.members.get(name);
        if (span) return at({ b: head, span });
        const later = last?.members.get(name);
        return later ? at({ b: tail, span: later }) : undefined;
      };
      code = pick("code");
      text = pick("message");
    }
    // The code decides the outcome: one the two ends do not hold whole is not guessed.
    if (typeof code !== "number") return unknown;
    message = {
      kind: "response",
      id,
      error: {
        code,
        message: typeof text === "string" ? text : "",
      },
    };
  } else if (find("result")) {
    const result = find("result") as Located;
    const fields = resultFields(result.b, result.span);
    if (fields === TOO_BIG) return unknown;
    message = { kind: "response", id, result: fields };
  } else if (top.open?.name === "result") {
    const fields = openResult(head, tail, top.open.start, openTail, hidden);
    if (fields === TOO_BIG) return unknown;
    message = { kind: "response", id, result: fields };
  } else return unknown;

  return {
    kind: "response",
    message,
    kept(keep) {
      const limit = Math.min(keptBytes(keep), head.length);
      const kept = Math.max(0, limit - BUDGET_MARGIN);
      let value: unknown = null;
      try {
        value = prefixValue(head, limit, true);
      } catch {
        // The head's strings were only checked for their ends: one may still be invalid JSON.
      }
      if (!isObject(value)) return new OversizedPayload(totalBytes);
      const mark: PartialPayload = { bytes: totalBytes, keep: kept };
      Object.defineProperty(value, PARTIAL_PAYLOAD, { value: mark });
      return value;
    },
  };
}

function at(located: Located | undefined): unknown {
  if (!located?.span) return undefined;
  const value = field(located.b, located.span);
  return value === TOO_BIG ? undefined : value;
}

/**
 * What the observer reads of a result cut in its middle: its fields from its first members and its last
 * (TOO_BIG when `isError` may be in the middle, or is cut); null for a result that is not an object.
 */
function openResult(
  head: Buffer,
  tail: Buffer,
  start: number,
  openTail: number | null,
  hidden: boolean,
): unknown {
  const first = leadingMembers(head, start);
  if (!first) return null;
  const last = openTail === null ? null : trailingMembers(tail, openTail);
  const out: Record<string, unknown> = {};
  for (const key of RESULT_FIELDS) {
    const inHead = first.members.get(key);
    const inTail = last?.members.get(key);
    const value = inHead ? field(head, inHead) : inTail ? field(tail, inTail) : undefined;
    if (OUTCOME_FIELDS.has(key) && value === undefined && (hidden || first.open?.name === key))
      return TOO_BIG;
    if (value !== undefined && value !== TOO_BIG) out[key] = value;
  }
  if (out.isError === true) out.content = contentStart(head, first);
  return out;
}

/** A tool error's content from the head: its first text block (its text cut), as judgeResponse reads it. */
function contentStart(head: Buffer, result: LeadingMembers): unknown {
  const whole = result.members.get("content");
  if (whole) return firstTextBlock(head, whole);
  if (result.open?.name !== "content" || head[result.open.start] !== 0x5b) return null;
  // The array is cut: its first element, read as far as the head holds it.
  const first = ws(head, result.open.start + 1);
  const block = leadingMembers(head, first);
  if (!block) return null;
  const type = block.members.get("type");
  const typeValue = type ? field(head, type) : undefined;
  const text = block.members.get("text") ?? (block.open?.name === "text" ? block.open : null);
  if (typeValue !== "text" || !text || head[text.start] !== 0x22) return [null];
  const end = "end" in text ? text.end : head.length;
  const prefix = stringPrefix(
    head,
    { start: text.start, end: Math.max(end, text.start + 2) },
    ERROR_TEXT_UNITS,
  );
  return [{ type: "text", text: prefix ?? "" }];
}

/**
 * A request or notification the copy cut: the message its head's first `keep` bytes make (its params cut,
 * the value marked partial), or null when they make none (then it is a line too long to parse).
 */
export function readElidedMessage(
  head: Buffer,
  totalBytes: number,
  keep: number,
): { message: Exclude<JsonRpcMessage, { kind: "response" }>; value: unknown } | null {
  const limit = Math.min(keptBytes(keep), head.length);
  let value: unknown;
  try {
    value = prefixValue(head, limit, true);
  } catch {
    return null;
  }
  const parsed = classifyParsed(value);
  if (parsed.kind !== "message" || parsed.message.kind === "response" || !isObject(parsed.value)) return null;
  const mark: PartialPayload = { bytes: totalBytes, keep: Math.max(0, limit - BUDGET_MARGIN) };
  Object.defineProperty(parsed.value, PARTIAL_PAYLOAD, { value: mark });
  return { message: parsed.message, value: parsed.value };
}
