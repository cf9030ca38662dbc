/**
 * Turns copies of HTTP exchanges into the lines a SessionObserver reads: a POST's JSON body is one
 * message (or batch), a JSON response is one, and each SSE event's data is one. It binds each exchange
 * to its MCP session, gives the requests an exchange carried an outcome when the exchange ends without
 * their answers, and reports 401/403 answers and an unreachable upstream as events.
 */
import type { EventTracker } from "../events/tracker.js";
import { readElidedMessage } from "../protocol/elided-response.js";
import { type JsonRpcId, type ParsedLine, parseLine } from "../protocol/jsonrpc.js";
import type { ObservationSink } from "../protocol/observations.js";
import type { SessionObserver } from "../protocol/session-observer.js";
import {
  type BrokenBy,
  type Exchange,
  endOf,
  letGoOfBodies,
  openExchange,
  type RequestMessage,
  type ResponseMessage,
} from "./exchange.js";
import {
  append,
  cancelledIdOf,
  decode,
  isAnswer,
  isEventStream,
  isJson,
  isNullIdError,
  legacySessionOf,
  requestIdsOf,
} from "./exchange-parts.js";
import type { HttpSession, HttpSessions } from "./http-sessions.js";
import { LEGACY_SSE_KEY, STATELESS } from "./http-sessions.js";
import { isRefused } from "./http-status-outcomes.js";
import type { Broken } from "./http-worker-protocol.js";
import { type SseEvent, SseParser } from "./sse-parser.js";
import { UpstreamEvents } from "./upstream-events.js";

export class ExchangeObserver {
  private readonly exchanges = new Map<number, Exchange>();
  private readonly upstream: UpstreamEvents;

  constructor(
    private readonly sessions: HttpSessions,
    events: EventTracker,
    server: string,
    private readonly maxBodyBytes: number,
  ) {
    this.upstream = new UpstreamEvents(events, server);
  }

  request(message: RequestMessage): void {
    const ex = openExchange(message);
    this.exchanges.set(message.exchange, ex);
    // A JSON-RPC POST is read as soon as its body is whole, so that a call the upstream never answers (or
    // answers after the client gave up) is still stored: its session is the one the request names.
    if (message.method === "POST" && isJson(message.contentType)) {
      const key = message.session ?? legacySessionOf(message.path);
      if (key) ex.session = this.sessions.open(key, message.at);
      else ex.own = this.sessions.exchangeObserver(this.ownSink(ex));
    }
  }

  /** The session an exchange's observations are written to; the stateless one if nothing named another. */
  private bind(ex: Exchange, key: string, at: number): HttpSession {
    if (ex.session) return ex.session;
    const session = this.sessions.open(key, at);
    ex.session = session;
    for (const { facts, at: factsAt } of ex.ownFacts.splice(0)) session.sink.session(facts, factsAt);
    return session;
  }

  private ownSink(ex: Exchange): ObservationSink {
    const target = () => ex.session ?? this.bind(ex, STATELESS, ex.request.at);
    return {
      // Its own status, not the session's table: ids of independent exchanges collide there.
      call: (call) => target().recorder.call({ ...call, httpStatus: ex.response?.status ?? null }),
      log: (log) => target().sink.log(log),
      protocolEvent: (event) => target().sink.protocolEvent(event),
      session: (facts, at) => {
        if (ex.session) ex.session.sink.session(facts, at);
        else ex.ownFacts.push({ facts, at });
      },
      unobserved: (calls) => target().sink.unobserved?.(calls),
    };
  }

  /** Gives `timeout` to the requests of exchanges with observers of their own, and to their tasks. */
  tick(now: number): void {
    for (const ex of this.exchanges.values()) ex.own?.tick(now);
    this.sessions.expireStatelessTasks(now, () => {
      const waited = new Set<string>();
      for (const ex of this.exchanges.values())
        for (const key of ex.own?.taskResultsWaiting() ?? []) waited.add(key);
      return waited;
    });
  }

  /** The proxy stopped: every exchange still open ends with it, before its sessions do. */
  closeAll(at: number): void {
    for (const ex of [...this.exchanges.values()]) {
      this.feedRequest(ex, true);
      ex.sse?.end();
      this.settle(ex, at, { by: "proxy", message: "the proxy stopped" });
    }
  }

  response(message: ResponseMessage): void {
    const ex = this.exchanges.get(message.exchange);
    if (!ex) return;
    ex.response = message;
    if (!ex.unreachable) this.upstream.reached();
    const key = message.session ?? ex.request.session ?? legacySessionOf(ex.request.path);
    const streamsEvents = isEventStream(message.contentType);
    const method = ex.request.method;
    // Only MCP traffic belongs to a session: JSON-RPC POSTs, event streams, DELETE of a known session —
    // not the OAuth endpoints or metadata documents an MCP server's origin may also serve.
    if (ex.session) {
      for (const id of ex.requestIds) this.statusFor(ex, id, message.status);
    } else if (ex.own) {
      this.bind(ex, message.session ?? STATELESS, ex.request.at);
    } else if (method === "DELETE") {
      if (key && this.sessions.get(key)) ex.session = this.sessions.open(key, ex.request.at);
    } else if (method === "GET" ? streamsEvents : isJson(ex.request.contentType)) {
      // A legacy SSE stream announces its session in its first event; a stateless GET has none at all.
      if (key || method !== "GET") ex.session = this.sessions.open(key ?? STATELESS, ex.request.at);
    }
    if (ex.session && !ex.unreachable && message.status < 400) ex.session.served = true;
    if (streamsEvents && message.status < 300) {
      ex.sse = new SseParser((event) => this.event(ex, event), this.maxBodyBytes);
    }
    if (isRefused(message.status)) this.upstream.denied(ex, message, message.status);
    this.feedRequest(ex);
  }

  chunk(exchange: number, side: "in" | "out", bytes: Buffer, at: number): void {
    const ex = this.exchanges.get(exchange);
    if (!ex) return;
    if (side === "in") {
      append(ex.requestBody, bytes, this.maxBodyBytes);
      return;
    }
    this.feedRequest(ex);
    if (ex.sse && !ex.response?.contentEncoding) {
      ex.chunkAt = at;
      ex.sse.push(bytes);
    } else {
      append(ex.responseBody, bytes, this.maxBodyBytes);
    }
  }

  end(exchange: number, side: "in" | "out", at: number): void {
    const ex = this.exchanges.get(exchange);
    if (!ex) return;
    const body = side === "in" ? ex.requestBody : ex.responseBody;
    body.ended = true;
    body.endedAt = at;
    if (side === "in") {
      this.feedRequest(ex);
      if (ex.responseEndedAt !== null) this.finish(ex, ex.responseEndedAt, at);
      return;
    }
    // The upstream may answer (404 for an unknown session, 401, 413) before it read the whole body: the
    // request is read when its body has passed, and its answer after it, or it would never be stored.
    if (!ex.requestBody.ended && ex.request.method === "POST") {
      ex.responseEndedAt = at;
      return;
    }
    this.finish(ex, at, at);
  }

  /** Both sides of the exchange ended: its answer is read, then what it left unanswered ends. */
  private finish(ex: Exchange, responseAt: number, at: number): void {
    this.feedRequest(ex);
    ex.sse?.end();
    if (!ex.sse || ex.response?.contentEncoding) this.feedResponse(ex, responseAt);
    this.settle(ex, at, null);
  }

  broken(exchange: number, by: Broken, message: string, at: number): void {
    const ex = this.exchanges.get(exchange);
    if (!ex) return;
    // A legacy POST broken before its 202 (the client closing as its answer came on the stream): its
    // session is the one its URL names, so its request is still read, and paired with that answer.
    const legacy = ex.request.method === "POST" && !ex.session ? legacySessionOf(ex.request.path) : null;
    if (legacy && this.sessions.get(legacy)) ex.session = this.sessions.open(legacy, ex.request.at);
    this.feedRequest(ex, true);
    ex.sse?.end();
    this.settle(ex, at, { by, message });
  }

  /**
   * Copies of this exchange were dropped (the copy queue was full): what it carried is not observed, as
   * the stdio wrapper skips to the next line; requests it carried are answered unseen, or time out.
   */
  gap(exchange: number, droppedBytes: number, at: number): void {
    const ex = this.exchanges.get(exchange);
    if (!ex) return;
    ex.done = true;
    this.exchanges.delete(exchange);
    if (ex.own) this.bind(ex, ex.response?.session ?? STATELESS, ex.request.at);
    if (ex.session) this.sessions.release(ex.session, at);
    // The exchange's calls are not stored with a guessed outcome: they are counted as unobserved (the
    // requests already seen leave the observer; a request never seen counts as one).
    const observer = ex.own ?? ex.session?.observer;
    if (observer && ex.requestFed && ex.requestIds.length > 0) observer.forget("in", ex.requestIds);
    else if (!ex.requestFed) ex.session?.recorder.unobserved(1);
    ex.own?.close(at);
    letGoOfBodies(ex);
    ex.session?.recorder.protocolEvent({
      time: at,
      type: "observation_gap",
      stream: "out",
      message: `${droppedBytes} bytes of an HTTP exchange not observed (copy queue full); traffic itself was forwarded`,
      bytes: droppedBytes,
    });
  }

  unreachable(exchange: number, message: string, at: number): void {
    const ex = this.exchanges.get(exchange);
    if (ex) ex.unreachable = message;
    this.upstream.unreachable(ex, message, at);
  }

  /** The request body goes to the observer once the exchange knows its observer and the body is whole. */
  private feedRequest(ex: Exchange, force = false): void {
    let observer = ex.own ?? ex.session?.observer;
    if (ex.requestFed || !observer || !ex.requestBody.ended) return;
    // The legacy transport may answer on its stream before the POST's 202: the call waits for that status.
    if (!ex.response && !force && ex.session?.key.startsWith(LEGACY_SSE_KEY)) return;
    ex.requestFed = true;
    const body = ex.requestBody;
    if (body.bytes === 0) return;
    const status = ex.response?.status ?? null;
    if (body.chunks.length === 0) {
      observer.oversized("in", body.head, body.tail, body.bytes, body.endedAt);
      // Read from its head: a request it registered is this exchange's to end, with its status.
      const cut = readElidedMessage(body.head, body.bytes, body.head.length);
      if (cut?.message.kind === "request" && observer.isPending("in", cut.message.id)) {
        ex.requestIds.push(cut.message.id);
        if (status !== null) this.statusFor(ex, cut.message.id, status);
      }
      return;
    }
    const bytes = Buffer.concat(body.chunks, body.bytes);
    const parsed = parseLine(bytes);
    ex.requestInvalid = parsed.kind === "invalid";
    const ids = requestIdsOf(parsed);
    // A client's answer to a request its server sent on another session-less exchange: that request
    // waits in the stateless session (see observerFor), so the answer is read there.
    if (ex.own && ids.length === 0 && isAnswer(parsed))
      observer = this.bind(ex, STATELESS, ex.request.at).observer;
    else if (ex.own) observer = this.cancelled(ex, parsed, body.endedAt) ?? observer;
    ex.requestIds.push(...ids);
    // Set first: a legacy call may pair at once with an answer its stream already carried.
    const table = status !== null && !ex.own ? ex.session?.statusOf : undefined;
    for (const id of ids) table?.set(`c2s:${String(id)}`, status ?? 0);
    observer.line("in", bytes, body.endedAt);
    for (const id of ids) if (!observer.isPending("in", id)) table?.delete(`c2s:${String(id)}`);
  }

  /**
   * Where a session-less `notifications/cancelled` is read: the client of a stateless server POSTs it on
   * its own, while the request it cancels waits in the observer of the session-less exchange that carried
   * it. Read there when exactly one such exchange waits on that id; with several (clients of the stateless
   * session whose ids collide) it cancels none and says so. Null when it is no such cancellation.
   */
  private cancelled(ex: Exchange, parsed: ParsedLine, at: number): SessionObserver | null {
    const id = cancelledIdOf(parsed);
    if (id === null) return null;
    const waiting = [...this.exchanges.values()].filter(
      (other) =>
        other !== ex &&
        other.own?.isPending("in", id) === true &&
        (!other.session || other.session.key === STATELESS),
    );
    if (waiting.length === 1) return waiting[0]?.own ?? null;
    if (waiting.length > 1) {
      this.bind(ex, STATELESS, ex.request.at).sink.protocolEvent({
        time: at,
        type: "ambiguous_cancel",
        stream: "in",
        message: `a notifications/cancelled for request id ${String(id)} without a session matches ${waiting.length} pending requests: none is cancelled`,
        bytes: ex.requestBody.bytes,
      });
    }
    return null;
  }

  /**
   * The HTTP status a session-bound call is stored with, kept until the call is: only for a request still
   * pending, as one that already ended (timed out, cancelled) would never take it out of the table.
   */
  private statusFor(ex: Exchange, id: JsonRpcId, status: number): void {
    if (ex.own || !ex.session?.observer.isPending("in", id)) return;
    ex.session.statusOf.set(`c2s:${String(id)}`, status);
  }

  /** Where a message of the exchange's response is read: a request from the server goes to its session. */
  private observerFor(ex: Exchange, session: HttpSession, parsed: ParsedLine): SessionObserver {
    if (!ex.own) return session.observer;
    return requestIdsOf(parsed).length > 0 ? session.observer : ex.own;
  }

  private feedResponse(ex: Exchange, at: number): void {
    const session = ex.session;
    const body = ex.responseBody;
    // The proxy's own 502 is not the server's answer: the server said nothing (see settle).
    if (!session || !ex.response || body.bytes === 0 || ex.unreachable !== null) return;
    if (!isJson(ex.response.contentType) && !isEventStream(ex.response.contentType)) return;
    if (body.chunks.length === 0) {
      // Past the body limit only its edges were kept: enough to tell the id and outcome of most answers.
      if (!ex.response.contentEncoding)
        (ex.own ?? session.observer).oversized("out", body.head, body.tail, body.bytes, at);
      else (ex.own ?? session.observer).oversized("out", Buffer.alloc(0), Buffer.alloc(0), body.bytes, at);
      return;
    }
    let bytes: Buffer;
    try {
      bytes = decode(Buffer.concat(body.chunks, body.bytes), ex.response.contentEncoding);
    } catch {
      return;
    }
    if (isEventStream(ex.response.contentType)) {
      const parser = new SseParser((event) => this.event(ex, event), this.maxBodyBytes);
      ex.chunkAt = at;
      parser.push(bytes);
      parser.push(Buffer.from("\n\n"));
      return;
    }
    const parsed = parseLine(bytes);
    // An error page in JSON that is not JSON-RPC (an OAuth error, a gateway's) is not the server's answer.
    if (ex.response.status >= 400 && parsed.kind !== "message") return;
    if (this.nullIdError(ex, session, parsed, bytes, at)) return;
    this.observerFor(ex, session, parsed).line("out", bytes, at);
  }

  /**
   * A JSON-RPC error with a null id (the server could not read the request's id, or refused the whole
   * exchange, as for an unknown session) answers the one request the exchange carried; on a GET or a
   * DELETE it refuses the exchange itself, which is no response to an unknown request. True when handled.
   */
  private nullIdError(
    ex: Exchange,
    session: HttpSession,
    parsed: ParsedLine,
    bytes: Buffer,
    at: number,
  ): boolean {
    if (parsed.kind !== "message" || !isNullIdError(parsed.message)) return false;
    const only = ex.requestIds.length === 1 ? ex.requestIds[0] : undefined;
    if (only !== undefined) {
      (ex.own ?? session.observer).answer("out", only, bytes, at);
      return true;
    }
    // The parse error answering a body that was not JSON: its invalid_json anomaly already says it.
    if (ex.requestInvalid && ex.request.method === "POST") return true;
    // The legacy transport's GET stream carries the answers to every POST: there it is read as any line.
    if (session.key.startsWith(LEGACY_SSE_KEY)) return false;
    return ex.requestIds.length === 0 && ex.request.method !== "POST";
  }

  private event(ex: Exchange, event: SseEvent): void {
    const at = ex.chunkAt;
    if (event.event === "endpoint") {
      // The legacy transport's first event: where to POST, carrying the session id.
      const key = legacySessionOf(event.data);
      if (!ex.session) {
        ex.session = this.sessions.open(key ?? STATELESS, ex.request.at);
        for (const early of ex.early.splice(0)) this.message(ex, ex.session, early.event, early.at);
      }
      return;
    }
    if (!ex.session) {
      ex.early.push({ event, at });
      if (ex.early.length > 16) ex.session = this.sessions.open(STATELESS, ex.request.at);
      else return;
      for (const early of ex.early.splice(0)) this.message(ex, ex.session, early.event, early.at);
      return;
    }
    this.message(ex, ex.session, event, at);
  }

  private message(ex: Exchange, session: HttpSession, event: SseEvent, at: number): void {
    if (event.oversized) {
      (ex.own ?? session.observer).oversized("out", Buffer.alloc(0), Buffer.alloc(0), event.bytes, at);
      return;
    }
    if (event.data.trim() === "") return;
    const bytes = Buffer.from(event.data);
    const parsed = parseLine(bytes);
    if (this.nullIdError(ex, session, parsed, bytes, at)) return;
    // A request from the server (sampling, elicitation): its answer comes back in a later POST.
    for (const id of requestIdsOf(parsed)) session.statusOf.set(`s2c:${String(id)}`, 200);
    this.observerFor(ex, session, parsed).line("out", bytes, at);
  }

  /** The exchange is over: requests it carried that got no answer on it end now, and so may its session. */
  private settle(ex: Exchange, at: number, broken: BrokenBy | null): void {
    if (ex.done) return;
    ex.done = true;
    this.exchanges.delete(ex.request.exchange);
    const ended = endOf(ex, broken);
    const observer = ex.own ?? ex.session?.observer;
    if (observer && ended && ex.requestIds.length > 0) {
      observer.abandon("in", ex.requestIds, ended.outcome, at, ended.message);
    }
    // A request whose body never passed whole (the client left mid-body) is not lost silently.
    if (!ex.requestFed && ex.request.method === "POST" && isJson(ex.request.contentType)) {
      if (ex.own) this.bind(ex, ex.response?.session ?? STATELESS, ex.request.at);
      ex.session?.recorder.unobserved(1);
    }
    // What an exchange's own observer still waits for can no longer come.
    ex.own?.close(at);
    letGoOfBodies(ex);
    const session = ex.session;
    if (!session) return;
    this.sessions.release(session, at);
    const status = ex.response?.status ?? null;
    const legacyStream = ex.request.method === "GET" && session.key.startsWith(LEGACY_SSE_KEY);
    const deleted = ex.request.method === "DELETE" && status !== null && status < 300;
    if (legacyStream) this.sessions.close(session, at, "stream_closed");
    else if (deleted) this.sessions.close(session, at, "client_closed");
  }
}
