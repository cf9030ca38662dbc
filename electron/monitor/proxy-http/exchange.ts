/**
 * One HTTP exchange as the exchange observer follows it: its request and response, their bodies, the
 * session it is bound to; and how the requests it carried end when it ends without their answers.
 */
import type { Outcome } from "../../../shared/domain.js";
import type { JsonRpcId } from "../protocol/jsonrpc.js";
import type { SessionFacts } from "../protocol/observations.js";
import type { SessionObserver } from "../protocol/session-observer.js";
import { type Body, emptyBody, isEventStream, isJson, pathOnly } from "./exchange-parts.js";
import type { HttpSession } from "./http-sessions.js";
import { LEGACY_SSE_KEY } from "./http-sessions.js";
import { httpOutcome } from "./http-status-outcomes.js";
import type { Broken, ToHttpWorker } from "./http-worker-protocol.js";
import type { SseEvent, SseParser } from "./sse-parser.js";

export type RequestMessage = Extract<ToHttpWorker, { type: "request" }>;
export type ResponseMessage = Extract<ToHttpWorker, { type: "response" }>;

/** Who broke an exchange, and why. */
export type BrokenBy = { by: Broken; message: string };

export interface Exchange {
  request: RequestMessage;
  response: ResponseMessage | null;
  session: HttpSession | null;
  /**
   * A POST that names no session has an observer of its own (its answers come on its own response), writing
   * to the session the exchange is bound to once known: the one its response assigns, or the stateless one.
   */
  own: SessionObserver | null;
  /** Facts its own observer read before the exchange knew its session (the client of an `initialize`). */
  ownFacts: { facts: SessionFacts; at: number }[];
  requestBody: Body;
  requestFed: boolean;
  /** Client requests this exchange's body carried: their answers belong on its response. */
  requestIds: JsonRpcId[];
  /** The request body was not JSON: a null-id error on its response is the answer to it. */
  requestInvalid: boolean;
  responseBody: Body;
  sse: SseParser | null;
  /** When the chunk being parsed was read. */
  chunkAt: number;
  /** Events read before the exchange knew its session (a legacy SSE stream before its endpoint). */
  early: { event: SseEvent; at: number }[];
  /** Why the upstream could not be reached, when the response is the proxy's own 502. */
  unreachable: string | null;
  /** When the response ended while the request body was still passing: the exchange ends with the body. */
  responseEndedAt: number | null;
  done: boolean;
}

/** A new exchange, from its request's head. */
export function openExchange(request: RequestMessage): Exchange {
  return {
    request,
    response: null,
    session: null,
    own: null,
    ownFacts: [],
    requestBody: emptyBody(),
    requestFed: false,
    requestIds: [],
    requestInvalid: false,
    responseBody: emptyBody(),
    sse: null,
    chunkAt: request.at,
    early: [],
    unreachable: null,
    responseEndedAt: null,
    done: false,
  };
}

/** How the requests an exchange carried end when it ends without their answers; null: they wait. */
export function endOf(ex: Exchange, broken: BrokenBy | null): { outcome: Outcome; message: string } | null {
  const response = ex.response;
  const legacy = ex.session?.key.startsWith(LEGACY_SSE_KEY) ?? false;
  if (broken) {
    if (broken.by !== "client") return { outcome: "disconnected", message: broken.message };
    // A dropped event stream is not a cancellation: the client may resume it (Last-Event-ID) and get
    // the answer replayed, or cancel with notifications/cancelled; until then, or the timeout, it waits.
    const resumable =
      !ex.own && !legacy && response !== null && response.status < 300 && isEventStream(response.contentType);
    return resumable ? null : { outcome: "cancelled", message: broken.message };
  }
  if (ex.unreachable !== null)
    return {
      outcome: "disconnected",
      message: `the proxy could not reach the upstream (${ex.unreachable})`,
    };
  if (!response) return null;
  const status = response.status;
  if (status >= 400) return { outcome: httpOutcome(status), message: `HTTP ${status}` };
  if (isJson(response.contentType) || isEventStream(response.contentType))
    return { outcome: "disconnected", message: "the response ended without an answer" };
  // The legacy transport answers a POST on its GET stream, after a 202.
  if (legacy) return null;
  const redirect = response.location ? ` (redirect to ${pathOnly(response.location)})` : "";
  return {
    outcome: "disconnected",
    message: `the server answered ${status}${redirect} without a JSON-RPC answer`,
  };
}

/**
 * An exchange that ended keeps nothing of its traffic: the sink of a task it created is kept, with the
 * exchange, until the task is let go (task-calls.ts: its bound after its end, an hour without a ttl).
 */
export function letGoOfBodies(ex: Exchange): void {
  ex.requestBody = emptyBody();
  ex.responseBody = emptyBody();
  ex.sse = null;
  ex.early = [];
}
