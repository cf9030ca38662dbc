/**
 * Browser mode: the built renderer and the engine's API over HTTP + WebSocket (wire format in
 * shared/http.ts). Every API request needs the token; Host and Origin are checked on every request
 * (host-policy.ts) so that a web page elsewhere cannot reach the API through DNS rebinding or a
 * cross-site request. Bad requests get an answer, never a reset: 413 for a body over 1 MiB, 400 for a
 * path that does not decode. A request that names a program to run or a place outside the data dir is
 * refused unless the server was started to allow it (shared/request-policy.ts).
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { API_EVENTS, ApiInputError, isMethodName } from "../../../shared/api.js";
import {
  API_PATH,
  ASKED_EVENTS,
  EVENTS_PATH,
  type EventFrame,
  type HttpErrorBody,
  type SubscriptionFrame,
  subscriptionFrame,
} from "../../../shared/http.js";
import { browserRefusal, type Consent, REVIEWED_METHODS } from "../../../shared/request-policy.js";
import type { Engine } from "../engine-types.js";
import { MonitoringError } from "../errors.js";
import { PROMETHEUS_CONTENT_TYPE } from "../export/prom-text.js";
import { nodeHttp } from "../node-http.js";
import { exposedAddresses, type HostPolicy, hostPolicy, hostPort, isWildcard } from "./host-policy.js";
import { securityHeaders, serveStatic } from "./static-files.js";

export interface HttpServerOptions {
  engine: Engine;
  host: string;
  port: number;
  /** The token every request needs; a function is asked on each request (the token can be replaced). */
  token: string | (() => string);
  /** The built renderer (dist/renderer). */
  staticRoot: string;
  /**
   * Prometheus text for GET /metrics (absent: 404). It needs the same token as the API, as
   * `Authorization: Bearer` (Prometheus: `authorization.credentials_file: <data dir>/serve-token`): tool
   * and server names are private, and a loopback port is reachable by every local user and process.
   */
  metrics?: () => string;
  /** Serve requests that define a program to run or name a place elsewhere (`serve --allow-commands`). */
  allowCommands?: boolean;
  /** Told of each request refused for a missing or wrong token (api/auth-refusals.ts). */
  refused?: (refusal: { address: string; path: string }) => void;
  /** Runs `beat` every HEARTBEAT_MS until the returned stop is called (tests beat by hand). */
  heartbeat?: (beat: () => void) => () => void;
}

export interface RunningServer {
  /** Where this machine's browser opens it (loopback on a wildcard listen). */
  url: string;
  port: number;
  /** On a non-loopback listen: the URLs other machines can use. Empty on loopback. */
  exposedUrls: string[];
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
/** A refused body is read and dropped up to this much so that the client sees the 413, then cut off. */
const MAX_DISCARD = 16 * MAX_BODY;
const METRICS_PATH = "/metrics";
/**
 * A page that stopped reading (a suspended tab, a stalled network, a peer that is gone) is closed rather
 * than skipped, so that it neither misses events without knowing (it reloads what it shows when it
 * reconnects) nor keeps counting as a place desktop notifications are shown. A quiet engine sends too
 * little to notice: every HEARTBEAT_MS each socket is pinged, and one that did not answer the previous
 * ping, or whose unsent data stayed above STALLED_BYTES for a whole beat, is closed. A burst is allowed
 * up to SLOW_PAGE_BYTES unsent, which bounds the memory a page that stopped reading can hold.
 */
const HEARTBEAT_MS = 15_000;
const STALLED_BYTES = 1024 * 1024;
const SLOW_PAGE_BYTES = 32 * 1024 * 1024;

function everyHeartbeat(beat: () => void): () => void {
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { engine } = options;
  const tokenNow = typeof options.token === "function" ? options.token : () => options.token as string;
  let port = options.port;
  const policy: HostPolicy = hostPolicy(options.host, () => port);

  const server: Server = nodeHttp.createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 500, "internal", (error as Error).message);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!policy.hostAllowed(req.headers.host)) return sendError(res, 421, "host", "unexpected Host header");
    if (!policy.originAllowed(req.headers.origin))
      return sendError(res, 403, "origin", "requests from other sites are refused");
    const url = requestUrl(req.url);
    if (!url) return sendError(res, 400, "path", "malformed request path");
    if (url.pathname === METRICS_PATH && options.metrics) return serveMetrics(req, res, options.metrics);
    if (!url.pathname.startsWith(`${API_PATH}/`)) {
      if (req.method !== "GET" && req.method !== "HEAD")
        return sendError(res, 405, "method", "method not allowed");
      return serveStatic(options.staticRoot, url.pathname, res);
    }
    if (req.method !== "POST") return sendError(res, 405, "method", `use POST ${API_PATH}/<method>`);
    if (!checkToken(bearer(req.headers.authorization), tokenNow())) {
      noteRefused(req, url.pathname);
      return sendError(
        res,
        401,
        "auth",
        "missing or wrong token; open the URL that `mcpscope serve` printed",
      );
    }
    let method: string;
    try {
      method = decodeURIComponent(url.pathname.slice(API_PATH.length + 1));
    } catch {
      return sendError(res, 400, "path", "malformed request path: bad percent-encoding");
    }
    const body = await readBody(req);
    if (body === null) {
      res.setHeader("Connection", "close");
      sendError(res, 413, "input", "request body is over 1 MiB");
      discard(req);
      return;
    }
    let input: unknown;
    try {
      input = body.length ? JSON.parse(body) : {};
    } catch (error) {
      return sendError(res, 400, "input", `request body is not JSON: ${(error as Error).message}`);
    }
    try {
      if (!options.allowCommands && isMethodName(method) && REVIEWED_METHODS.has(method)) {
        const consent = (await engine.invoke("requests.review", { method, input })) as Consent | null;
        if (consent) return sendError(res, 400, "policy", browserRefusal(consent));
      }
      const result = await engine.invoke(method, input);
      sendJson(res, 200, { result });
    } catch (error) {
      if (error instanceof ApiInputError) return sendError(res, 400, "input", error.message);
      if (error instanceof MonitoringError)
        return sendError(res, error.kind === "input" ? 400 : 500, error.kind, error.message);
      return sendError(res, 500, "internal", (error as Error).message);
    }
  }

  /** A refused token, told without the token: the source address and the path (its query string dropped). */
  function noteRefused(req: IncomingMessage, path: string): void {
    try {
      options.refused?.({ address: req.socket.remoteAddress ?? "unknown", path });
    } catch {
      // Recording a refusal never changes the answer.
    }
  }

  function serveMetrics(req: IncomingMessage, res: ServerResponse, render: () => string): void {
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendError(res, 405, "method", "use GET /metrics");
      return;
    }
    if (!checkToken(bearer(req.headers.authorization), tokenNow())) {
      noteRefused(req, METRICS_PATH);
      res.setHeader("WWW-Authenticate", 'Bearer realm="mcpscope"');
      sendError(res, 401, "auth", "missing or wrong token: send Authorization: Bearer <token>");
      return;
    }
    const body = render();
    securityHeaders(res);
    res.writeHead(200, { "Content-Type": PROMETHEUS_CONTENT_TYPE, "Cache-Control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const answered = new WeakMap<object, boolean>();
  const stalled = new WeakMap<object, boolean>();
  /**
   * The token each socket was opened with. A socket outlives its upgrade, so the token is asked again
   * before each frame and at each beat: once it is replaced (`serve --new-token`), a page or script
   * holding the old one is cut off rather than kept fed with every new call and log line.
   */
  const openedWith = new WeakMap<object, string | null>();
  const revoked = (ws: object): boolean => !checkToken(openedWith.get(ws) ?? null, tokenNow());
  const stopHeartbeat = (options.heartbeat ?? everyHeartbeat)(() => {
    for (const ws of wss.clients) {
      const behind = ws.bufferedAmount > STALLED_BYTES;
      if (answered.get(ws) === false || (behind && stalled.get(ws)) || revoked(ws)) {
        ws.terminate();
        continue;
      }
      stalled.set(ws, behind);
      answered.set(ws, false);
      ws.ping();
    }
  });
  server.on("upgrade", (req, socket, head) => {
    const url = requestUrl(req.url);
    const refusal = !policy.hostAllowed(req.headers.host)
      ? "421 Misdirected Request"
      : !policy.originAllowed(req.headers.origin)
        ? "403 Forbidden"
        : url?.pathname !== EVENTS_PATH
          ? "404 Not Found"
          : !checkToken(url.searchParams.get("token"), tokenNow())
            ? "401 Unauthorized"
            : null;
    if (refusal) {
      if (refusal.startsWith("401")) noteRefused(req, EVENTS_PATH);
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const token = url?.searchParams.get("token") ?? null;
    wss.handleUpgrade(req, socket, head, (ws) => {
      openedWith.set(ws, token);
      ws.on("pong", () => answered.set(ws, true));
      const unsubscribes = new Map<string, () => void>();
      const follow = (event: string) => {
        if (unsubscribes.has(event)) return;
        unsubscribes.set(
          event,
          engine.subscribe(event, (payload) => {
            if (ws.bufferedAmount > SLOW_PAGE_BYTES || revoked(ws)) {
              ws.terminate();
              return;
            }
            ws.send(JSON.stringify({ event, payload } satisfies EventFrame));
          }),
        );
      };
      for (const event of Object.keys(API_EVENTS)) if (!ASKED_EVENTS.includes(event)) follow(event);
      ws.on("message", (data, isBinary) => {
        if (revoked(ws)) {
          ws.terminate();
          return;
        }
        if (isBinary) return;
        let frame: SubscriptionFrame | null = null;
        try {
          frame = subscriptionFrame(JSON.parse(String(data)));
        } catch {}
        if (frame && "subscribe" in frame && ASKED_EVENTS.includes(frame.subscribe)) follow(frame.subscribe);
        if (frame && "unsubscribe" in frame && ASKED_EVENTS.includes(frame.unsubscribe)) {
          unsubscribes.get(frame.unsubscribe)?.();
          unsubscribes.delete(frame.unsubscribe);
        }
      });
      ws.on("close", () => {
        for (const unsubscribe of unsubscribes.values()) unsubscribe();
        unsubscribes.clear();
      });
      ws.on("error", () => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      stopHeartbeat();
      reject(error);
    };
    server.once("error", fail);
    server.listen(options.port, options.host, () => {
      server.off("error", fail);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const local = isWildcard(options.host) ? (options.host === "::" ? "::1" : "127.0.0.1") : options.host;
  return {
    url: `http://${hostPort(local, port)}/`,
    port,
    exposedUrls: policy.exposed
      ? exposedAddresses(options.host).map((address) => `http://${hostPort(address, port)}/`)
      : [],
    async close() {
      stopHeartbeat();
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
    },
  };
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1] ?? null;
}

function checkToken(given: string | null, expected: string): boolean {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The request's path and query, or null when the request target is not a path (`//x`, `http://…`). */
function requestUrl(target: string | undefined): URL | null {
  if (!target?.startsWith("/") || target.startsWith("//")) return null;
  try {
    return new URL(target, "http://localhost");
  } catch {
    return null;
  }
}

/** The body as text, or null when it is over MAX_BODY (stops collecting at once, without cutting the socket). */
function readBody(req: IncomingMessage): Promise<string | null> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.off("data", onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Reads and drops the rest of a refused body, so that the client can read the answer; cuts off a flood. */
function discard(req: IncomingMessage): void {
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > MAX_DISCARD) req.destroy();
  });
  req.resume();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // Serialise before any header goes out, so a failure can still be answered with an error.
  const text = JSON.stringify(body);
  securityHeaders(res);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, kind: string, message: string): void {
  sendJson(res, status, { error: { message, kind } } satisfies HttpErrorBody);
}
