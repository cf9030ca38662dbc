/**
 * The pieces of an HTTP exchange the observer reads: its bodies (kept up to a limit, then only their
 * edges), its content types and encodings, and the session a legacy SSE path names.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import type { JsonRpcId, JsonRpcMessage, ParsedLine } from "../protocol/jsonrpc.js";
import { EDGE_BYTES } from "../protocol/line-splitter.js";
import { LEGACY_SSE_KEY } from "./http-sessions.js";

export interface Body {
  chunks: Buffer[];
  /** Past the limit, only the body's edges are kept: an oversized answer is read from them. */
  head: Buffer;
  tail: Buffer;
  bytes: number;
  ended: boolean;
  endedAt: number;
}

export function emptyBody(): Body {
  return { chunks: [], head: Buffer.alloc(0), tail: Buffer.alloc(0), bytes: 0, ended: false, endedAt: 0 };
}

/** Keeps a body up to the limit; beyond it only its edges and its size (it becomes an oversized message). */
export function append(body: Body, bytes: Buffer, limit: number): void {
  const before = body.bytes;
  body.bytes += bytes.length;
  if (body.bytes <= limit) {
    body.chunks.push(bytes);
    return;
  }
  if (before <= limit) {
    const all = Buffer.concat([...body.chunks, bytes]);
    body.chunks = [];
    body.head = Buffer.from(all.subarray(0, EDGE_BYTES));
    body.tail = Buffer.from(all.subarray(-EDGE_BYTES));
    return;
  }
  body.tail = Buffer.from(Buffer.concat([body.tail, bytes]).subarray(-EDGE_BYTES));
}

/** A client's answer (or a batch holding one), as a POST carries to a server's request. */
export function isAnswer(parsed: ParsedLine): boolean {
  if (parsed.kind === "message") return parsed.message.kind === "response";
  return parsed.kind === "batch" && parsed.items.some(isAnswer);
}

/** The request id a `notifications/cancelled` names, or null when the message is no such notification. */
export function cancelledIdOf(parsed: ParsedLine): JsonRpcId | null {
  if (parsed.kind !== "message" || parsed.message.kind !== "notification") return null;
  if (parsed.message.method !== "notifications/cancelled") return null;
  const id = parsed.message.params?.requestId;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/** A JSON-RPC error the server could not give an id (an unreadable request, a refused exchange). */
export function isNullIdError(message: JsonRpcMessage): boolean {
  return message.kind === "response" && message.id === null && message.error !== undefined;
}

export function requestIdsOf(parsed: ParsedLine): JsonRpcId[] {
  if (parsed.kind === "message") return parsed.message.kind === "request" ? [parsed.message.id] : [];
  if (parsed.kind === "batch") return parsed.items.flatMap(requestIdsOf);
  return [];
}

/** The legacy transport's session: the `sessionId` query parameter of its POST endpoint. */
export function legacySessionOf(pathOrUrl: string): string | null {
  const query = pathOrUrl.indexOf("?");
  if (query === -1) return null;
  const id = new URLSearchParams(pathOrUrl.slice(query + 1)).get("sessionId");
  return id ? `${LEGACY_SSE_KEY}${id}` : null;
}

/** The path without its query (which may carry a session id or a token). */
export function pathOnly(path: string): string {
  const query = path.indexOf("?");
  return query === -1 ? path : path.slice(0, query);
}

export function isEventStream(contentType: string | null): boolean {
  return contentType?.toLowerCase().startsWith("text/event-stream") ?? false;
}

export function isJson(contentType: string | null): boolean {
  return /^application\/([\w.+-]*\+)?json/i.test(contentType ?? "");
}

export function decode(bytes: Buffer, encoding: string | null): Buffer {
  switch (encoding?.toLowerCase().trim()) {
    case undefined:
    case "":
    case "identity":
      return bytes;
    case "gzip":
    case "x-gzip":
      return gunzipSync(bytes);
    case "deflate":
      return inflateSync(bytes);
    case "br":
      return brotliDecompressSync(bytes);
    default:
      throw new Error(`unsupported content-encoding ${encoding}`);
  }
}
