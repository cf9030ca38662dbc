/**
 * MCP semantics on top of JSON-RPC: what a request targets, what outcome a response means, and what a
 * message tells about the session (protocol version, client and server info) in both protocol eras.
 */
import type { Direction, Era, Outcome } from "../../../shared/domain.js";
import { isObject } from "./jsonrpc.js";

/** The `_meta` namespace of the 2026-07-28 (stateless) revision. */
export const META_PREFIX = "io.modelcontextprotocol/";
export const META_PROTOCOL_VERSION = `${META_PREFIX}protocolVersion`;
export const META_CLIENT_INFO = `${META_PREFIX}clientInfo`;
export const META_LOG_LEVEL = `${META_PREFIX}logLevel`;
export const META_SERVER_INFO = `${META_PREFIX}serverInfo`;
export const META_CLIENT_CAPABILITIES = `${META_PREFIX}clientCapabilities`;

/**
 * Methods whose whole result is read (the server's identity; the tool definitions that pins compare), so
 * their responses are parsed whole however long.
 */
export const WHOLE_RESULT_METHODS = new Set(["initialize", "server/discover", "tools/list"]);

/**
 * `tasks/result` (2025-11-25 tasks) blocks until its task ends and answers with the task's result: that
 * answer is the end of the call that created the task (task-calls.ts), not a call of its own when that
 * task is followed, and it is never timed out.
 */
export const TASK_RESULT_METHOD = "tasks/result";

/** Requests that stay open by design (a stream of notifications), not subject to the timeout. */
export const LONG_LIVED_METHODS = new Set(["subscriptions/listen"]);

/**
 * JSON-RPC codes that mean the client sent something the server could not accept: parse error, invalid
 * request, method not found, invalid params, MCP's -32002 (resource not found: the client asked for a
 * URI the server does not have), and the stateless revision's -32020..-32022.
 */
const CLIENT_ERROR_CODES = new Set([-32700, -32600, -32601, -32602, -32002, -32020, -32021, -32022]);

/**
 * MCP's -32042 (URL elicitation required, 2025-11-25): the server asks the client to send its user to a
 * URL and then retry, a step of the flow as HTTP's 401 is of a login, not a failure. The call is `ok`
 * with the code and message kept.
 */
const FLOW_STEP_CODES = new Set([-32042]);

/**
 * A `notifications/cancelled` reason that says the sender gave up waiting for the answer: the request
 * timed out (the server did not answer in time), it was not stopped by a user. The MCP TypeScript SDK
 * cancels with `McpError: MCP error -32001: Request timed out` (or `Maximum total timeout exceeded`) when
 * its own request timeout fires, `AbortSignal.timeout` aborts with a `TimeoutError`; other clients say "timed out", "timeout" or "time-out" in their words,
 * or give the JSON-RPC code the SDKs use for a request timeout, -32001.
 */
const TIMEOUT_REASON = /(?<![\d-])-32001(?!\d)|\btime[\s_-]?out(?:error)?\b|\btimed[\s_-]*out\b/i;

/** The outcome of a request its sender cancelled with `reason`: `timeout` when the reason says so. */
export function cancelledOutcome(reason: unknown): "cancelled" | "timeout" {
  return typeof reason === "string" && TIMEOUT_REASON.test(reason) ? "timeout" : "cancelled";
}

/** The tool, prompt or resource a request is about, when its method has one. */
export function targetOf(method: string, params: Record<string, unknown> | undefined): string | null {
  if (!params) return null;
  switch (method) {
    case "tools/call":
    case "prompts/get":
      return typeof params.name === "string" ? params.name : null;
    case "resources/read":
    case "resources/subscribe":
    case "resources/unsubscribe":
      return typeof params.uri === "string" ? params.uri : null;
    case "completion/complete": {
      const ref = isObject(params.ref) ? params.ref : undefined;
      if (!ref) return null;
      if (typeof ref.name === "string") return ref.name;
      return typeof ref.uri === "string" ? ref.uri : null;
    }
    default:
      return null;
  }
}

export interface ResponseVerdict {
  /** null when the result is an `input_required` round rather than a final answer. */
  outcome: Outcome | null;
  errorCode: number | null;
  errorMessage: string | null;
}

/**
 * The outcome of a response to a request sent in `direction`. An error answer from the client to a request
 * of the server (`s2c`: a user declining sampling, a client without roots) is `client_error` whatever its
 * code: the client answered, the server did nothing wrong.
 */
export function judgeResponse(
  direction: Direction,
  result: unknown,
  error: { code: number; message: string } | undefined,
): ResponseVerdict {
  if (error) {
    const outcome: Outcome =
      direction === "s2c" || CLIENT_ERROR_CODES.has(error.code)
        ? "client_error"
        : FLOW_STEP_CODES.has(error.code)
          ? "ok"
          : "server_error";
    return { outcome, errorCode: error.code, errorMessage: error.message };
  }
  if (isObject(result)) {
    if (result.resultType === "input_required") return { outcome: null, errorCode: null, errorMessage: null };
    if (result.isError === true)
      return { outcome: "tool_error", errorCode: null, errorMessage: toolErrorText(result) };
  }
  return { outcome: "ok", errorCode: null, errorMessage: null };
}

/** The first text block of a tool error result, as a one-line message. */
function toolErrorText(result: Record<string, unknown>): string | null {
  if (!Array.isArray(result.content)) return null;
  for (const block of result.content) {
    if (isObject(block) && block.type === "text" && typeof block.text === "string") {
      return block.text.length > 500 ? `${block.text.slice(0, 500)}…` : block.text;
    }
  }
  return null;
}

export interface PeerInfo {
  name: string | null;
  version: string | null;
}

export function peerInfo(value: unknown): PeerInfo | null {
  if (!isObject(value)) return null;
  return {
    name: typeof value.name === "string" ? value.name : null,
    version: typeof value.version === "string" ? value.version : null,
  };
}

/** What a client request says about the session: era, protocol version, client info. */
export interface RequestFacts {
  era: Era | null;
  protocolVersion: string | null;
  client: PeerInfo | null;
}

export function requestFacts(method: string, params: Record<string, unknown> | undefined): RequestFacts {
  if (method === "initialize") {
    return {
      era: "session",
      protocolVersion: typeof params?.protocolVersion === "string" ? params.protocolVersion : null,
      client: peerInfo(params?.clientInfo),
    };
  }
  const meta = isObject(params?._meta) ? params._meta : undefined;
  const version =
    meta && typeof meta[META_PROTOCOL_VERSION] === "string" ? (meta[META_PROTOCOL_VERSION] as string) : null;
  const client = meta ? peerInfo(meta[META_CLIENT_INFO]) : null;
  const stateless = method === "server/discover" || version !== null || client !== null;
  return { era: stateless ? "stateless" : null, protocolVersion: version, client };
}

/**
 * The capabilities a client request declares: `initialize`'s, or a stateless (2026-07-28) request's in
 * its `_meta`. Undefined when the request declares none (any other request of the session era).
 */
export function declaredCapabilities(
  method: string,
  params: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (method === "initialize") return isObject(params?.capabilities) ? params.capabilities : {};
  const meta = isObject(params?._meta) ? params._meta : undefined;
  const declared = meta?.[META_CLIENT_CAPABILITIES];
  return isObject(declared) ? declared : undefined;
}

/** What a response to `initialize` or `server/discover` says about the server. */
export function serverFacts(
  method: string,
  result: unknown,
): { protocolVersion: string | null; server: PeerInfo | null } | null {
  if (!isObject(result)) return null;
  const meta = isObject(result._meta) ? result._meta : undefined;
  // 2026-07-28 puts the server's identity in the result's _meta (the schema); some drafts in the body.
  const metaServer = meta ? peerInfo(meta[META_SERVER_INFO]) : null;
  if (method !== "initialize" && method !== "server/discover") {
    return metaServer ? { protocolVersion: null, server: metaServer } : null;
  }
  let version = typeof result.protocolVersion === "string" ? result.protocolVersion : null;
  if (!version && Array.isArray(result.supportedVersions)) {
    const first = result.supportedVersions.find((v) => typeof v === "string");
    version = typeof first === "string" ? first : null;
  }
  return { protocolVersion: version, server: peerInfo(result.serverInfo) ?? metaServer };
}

/** The progress token a request asked progress notifications under, if any. */
export function progressTokenOf(params: Record<string, unknown> | undefined): string | null {
  const meta = isObject(params?._meta) ? params._meta : undefined;
  const token = meta?.progressToken;
  if (typeof token === "string") return `s:${token}`;
  if (typeof token === "number") return `n:${token}`;
  return null;
}
