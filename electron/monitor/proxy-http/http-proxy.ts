/**
 * `mcpscope proxy`: a reverse proxy for MCP over HTTP (Streamable HTTP and the legacy HTTP+SSE
 * transport). Every request is relayed to the upstream with its path, its headers (but hop-by-hop ones)
 * and its body unchanged, and the response comes back the same way, chunk by chunk as the upstream
 * writes it. Copies go to the observer worker after forwarding; the only change the proxy ever makes is
 * to a legacy SSE stream's announced endpoint when it names the upstream's own origin. A proxy an engine
 * runs for an instrumented entry answers one reserved path with its identity; every proxy keeps that path
 * to itself (proxy-identity.ts).
 */
import https from "node:https";
import type { AddressInfo } from "node:net";
import { exposedAddresses, hostPolicy, hostPort, isWildcard } from "../api/host-policy.js";
import { nodeHttp } from "../node-http.js";
import { preciseNow } from "../proxy/clock.js";
import { urlCredentials } from "../url-credentials.js";
import { EndpointRewriter } from "./endpoint-rewriter.js";
import type { BodyStream, HttpWorkerInit, ToHttpWorker } from "./http-worker-protocol.js";
import { bodyStream } from "./http-worker-protocol.js";
import { startObserverThread } from "./observer-thread.js";
import { PROXY_IDENTITY_PATH, type ProxyIdentity } from "./proxy-identity.js";
import { forwardedHeaders, unreachableBody } from "./relay-headers.js";

export interface ProxyOptions {
  upstream: URL;
  host: string;
  port: number;
  name: string;
  dataDir: string;
  timeoutMs: number;
  captureLimit: number;
  maxLineBytes: number;
  workerUrl: URL;
  /** Where the proxy's own lines go (problems, an unreachable upstream). */
  report: (line: string) => void;
  /** Run by an engine for an instrumented entry: answered at PROXY_IDENTITY_PATH (proxy-identity.ts). */
  identity?: ProxyIdentity;
  /** The MCP client whose remote entry this proxy stands for, stored with each session it records. */
  client?: string;
  /** The id of that entry (discovery/entry.ts), stored with each session so that it counts for it alone. */
  entry?: string;
}

export interface RunningProxy {
  /** The URL a client uses instead of the upstream's. */
  url: URL;
  port: number;
  /** The URLs of the machine's network addresses, when it listens on one (empty on loopback). */
  exposedUrls: string[];
  close(): Promise<void>;
}

const now = preciseNow;

export async function startHttpProxy(options: ProxyOptions): Promise<RunningProxy> {
  // As curl and httpx send a URL's `user:password@`: a client relying on them still authenticates, and
  // nothing stored or reported carries them.
  const { bare: upstream, basicAuth } = urlCredentials(options.upstream);
  const init: HttpWorkerInit = {
    dataDir: options.dataDir,
    server: options.name,
    upstream: upstream.href,
    proxyPid: process.pid,
    client: options.client ?? null,
    entry: options.entry ?? null,
    timeoutMs: options.timeoutMs,
    captureLimit: options.captureLimit,
    maxLineBytes: options.maxLineBytes,
  };
  const observer = startObserverThread<BodyStream, ToHttpWorker>({
    workerUrl: options.workerUrl,
    workerData: init,
    report: options.report,
    label: "mcpscope proxy",
  });
  const queue = observer.queue;
  const client = upstream.protocol === "https:" ? https : nodeHttp;
  const agent = new client.Agent({ keepAlive: true });
  let exchanges = 0;
  /** Set once close() starts: exchanges it ends are the proxy's doing, not the client's or the upstream's. */
  let closing = false;
  let unreachableSince: number | null = null;
  let boundPort = 0;
  const hosts = hostPolicy(options.host, () => boundPort);

  const server = nodeHttp.createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    // Only paths on the upstream: an absolute-form target would make this an open proxy.
    if (!path.startsWith("/")) {
      res.writeHead(400, { "content-type": "text/plain" }).end("mcpscope proxy: only paths are relayed\n");
      return;
    }
    // The upstream sees the proxy's Host, not the client's, so its own DNS-rebinding check cannot
    // work: a page that rebinds its name to this address would reach it. Only this proxy's names pass.
    if (!hosts.hostAllowed(req.headers.host)) {
      res
        .writeHead(403, { "content-type": "text/plain" })
        .end(`mcpscope proxy: Host ${req.headers.host ?? "(none)"} is not this proxy's address\n`);
      return;
    }
    // Reserved for engines asking who runs this port: never relayed (an upstream that refuses it would be
    // recorded as a security event on every discovery), answered only by a proxy that has an identity.
    if (path.split("?", 1)[0] === PROXY_IDENTITY_PATH) {
      req.resume();
      if (options.identity && method === "GET") {
        res
          .writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
          .end(JSON.stringify(options.identity));
      } else {
        res.writeHead(404, { "cache-control": "no-store" }).end();
      }
      return;
    }
    const exchange = ++exchanges;
    req.socket.setNoDelay(true);
    queue.defer({
      type: "request",
      exchange,
      at: now(),
      method,
      path,
      session: single(req.headers["mcp-session-id"]),
      contentType: single(req.headers["content-type"]),
    });
    const inStream = bodyStream(exchange, "in");
    const outStream = bodyStream(exchange, "out");
    let responded = false;
    let responseEnded = false;
    // The request body, kept only until the upstream answers: a 502 echoes the request's id.
    let kept: Buffer[] | null = [];
    let keptBytes = 0;

    // Concatenated, not resolved: `//other.host/x` stays a path on the upstream.
    const upstreamReq = client.request(new URL(`${upstream.origin}${path}`), {
      method,
      headers: withBasicAuth(forwardedHeaders(req.rawHeaders, upstream.host), basicAuth),
      agent,
    });

    req.on("error", () => {}); // a client that leaves is said by the response's close
    res.on("error", () => {});
    req.on("data", (chunk: Buffer) => {
      if (!upstreamReq.destroyed && !upstreamReq.write(chunk)) {
        req.pause();
        // Or its close, when the upstream answered before the body passed (see the response's end).
        const resume = () => {
          upstreamReq.off("drain", resume);
          upstreamReq.off("close", resume);
          req.resume();
        };
        upstreamReq.once("drain", resume);
        upstreamReq.once("close", resume);
      }
      queue.offer(inStream, chunk, now());
      if (kept && keptBytes + chunk.length <= 1024 * 1024) {
        kept.push(chunk);
        keptBytes += chunk.length;
      }
    });
    req.on("end", () => {
      upstreamReq.end();
      const at = now();
      queue.postGap(inStream);
      queue.defer({ type: "end", stream: inStream, at });
    });
    // A client that leaves mid-body after its answer: the exchange, waiting for the body, ends here.
    req.on("close", () => {
      if (req.complete || !res.writableFinished) return;
      const at = now();
      queue.postGap(inStream);
      queue.defer({
        type: "broken",
        exchange,
        at,
        by: "client",
        message: "the client closed the connection before its request body had passed",
      });
    });

    upstreamReq.on("response", (upstreamRes) => {
      responded = true;
      kept = null;
      if (unreachableSince !== null) {
        unreachableSince = null;
        options.report(`mcpscope proxy: ${upstream.origin} is reachable again`);
      }
      const status = upstreamRes.statusCode ?? 502;
      const contentType = single(upstreamRes.headers["content-type"]) ?? null;
      const ownOrigin = `http://${req.headers.host ?? `${options.host}`}`;
      const headers = forwardedHeaders(upstreamRes.rawHeaders, null);
      const location = sameOriginLocation(headers, upstream, ownOrigin);
      queue.defer({
        type: "response",
        exchange,
        at: now(),
        status,
        contentType,
        contentEncoding: single(upstreamRes.headers["content-encoding"]) ?? null,
        session: single(upstreamRes.headers["mcp-session-id"]),
        wwwAuthenticate: single(upstreamRes.headers["www-authenticate"]),
        location,
      });
      res.writeHead(status, upstreamRes.statusMessage, headers);
      res.flushHeaders();
      const rewriter =
        method === "GET" && contentType?.startsWith("text/event-stream")
          ? new EndpointRewriter(upstream.origin, ownOrigin)
          : null;
      upstreamRes.on("error", () => {}); // a broken response is said by its close
      upstreamRes.on("data", (chunk: Buffer) => {
        const out = rewriter ? rewriter.push(chunk) : chunk;
        if (out.length === 0) return;
        if (!res.destroyed && !res.write(out)) {
          upstreamRes.pause();
          res.once("drain", () => upstreamRes.resume());
        }
        queue.offer(outStream, out, now());
      });
      upstreamRes.on("end", () => {
        responseEnded = true;
        // Answered before the body passed (an unknown session's 404, a 413): the upstream may read no
        // more of it, and the client's upload would stall. The rest is still read, observed, and dropped.
        if (!req.complete) upstreamReq.destroy();
        const rest = rewriter?.flush();
        if (rest && rest.length > 0) {
          res.write(rest);
          queue.offer(outStream, rest, now());
        }
        res.end();
        const at = now();
        queue.postGap(outStream);
        queue.defer({ type: "end", stream: outStream, at });
      });
      upstreamRes.on("close", () => {
        if (responseEnded || upstreamRes.complete) return;
        if (res.destroyed) return; // the client left first; said by its own close
        responseEnded = true;
        const at = now();
        queue.postGap(inStream);
        queue.postGap(outStream);
        queue.defer({
          type: "broken",
          exchange,
          at,
          by: "upstream",
          message: "the upstream closed the connection mid-response",
        });
        res.destroy();
      });
    });

    upstreamReq.on("error", (error: NodeJS.ErrnoException) => {
      if (responded) return; // a broken response is said by its close
      if (closing) return; // the proxy aborted it while stopping: the upstream is not at fault
      if (res.headersSent || res.destroyed) return;
      const reason = error.code ?? error.message;
      if (unreachableSince === null) {
        unreachableSince = Date.now();
        options.report(`mcpscope proxy: cannot reach ${upstream.origin} (${reason}); answering 502`);
      }
      const answer = () => {
        const body = unreachableBody(Buffer.concat(kept ?? []), upstream.origin, reason);
        kept = null;
        const at = now();
        queue.defer({ type: "unreachable", exchange, at, message: `${upstream.origin}: ${reason}` });
        queue.defer({
          type: "response",
          exchange,
          at,
          status: 502,
          contentType: "application/json",
          contentEncoding: null,
          session: null,
          wwwAuthenticate: null,
          location: null,
        });
        responseEnded = true;
        res.writeHead(502, { "content-type": "application/json", "content-length": body.length });
        res.end(body);
        queue.offer(outStream, body, at);
        queue.postGap(outStream);
        queue.defer({ type: "end", stream: outStream, at });
      };
      if (req.complete) answer();
      else {
        req.once("end", answer);
        req.resume();
      }
    });

    res.on("close", () => {
      if (responseEnded || res.writableFinished) return;
      responseEnded = true;
      const at = now();
      queue.postGap(inStream);
      queue.postGap(outStream);
      queue.defer({
        type: "broken",
        exchange,
        at,
        ...(closing
          ? { by: "proxy" as const, message: "the proxy stopped" }
          : { by: "client" as const, message: "the client closed the HTTP stream" }),
      });
      upstreamReq.destroy();
    });
  });

  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  boundPort = port;
  // A wildcard address is no URL to give a client: the loopback one is, and the machine's are exposed.
  const local = isWildcard(options.host) ? (options.host === "::" ? "::1" : "127.0.0.1") : options.host;
  const path = `${upstream.pathname}${upstream.search}`;
  const url = new URL(path, `http://${hostPort(local, port)}`);
  const exposedUrls = hosts.exposed
    ? exposedAddresses(options.host).map((address) => new URL(path, `http://${hostPort(address, port)}`).href)
    : [];

  return {
    url,
    port,
    exposedUrls,
    async close() {
      closing = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
      const at = now();
      queue.postGaps();
      await observer.finish({ type: "exit", at, upstreamDropped: queue.droppedChunks });
    },
  };
}

/** Adds the URL's credentials unless the client sent its own `Authorization`. */
function withBasicAuth(headers: string[], basicAuth: string | null): string[] {
  if (!basicAuth) return headers;
  for (let i = 0; i < headers.length; i += 2)
    if (headers[i]?.toLowerCase() === "authorization") return headers;
  headers.push("Authorization", basicAuth);
  return headers;
}

/**
 * A redirect to the upstream's own origin (`/mcp` → `https://host/mcp/`) points the client at the proxy
 * instead, as SDK clients follow only same-origin redirects and would otherwise leave the proxy. The
 * headers are rewritten in place. Returned is what the observer may store: the path of a same-origin
 * target, the origin and path of another (never its credentials or query, which may carry tokens).
 */
function sameOriginLocation(headers: string[], upstream: URL, ownOrigin: string): string | null {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]?.toLowerCase() !== "location") continue;
    const value = headers[i + 1] ?? "";
    let target: URL;
    try {
      target = new URL(value, upstream);
    } catch {
      return null;
    }
    if (target.origin !== upstream.origin) return `${target.origin}${target.pathname}`;
    if (/^[a-z][a-z0-9+.-]*:/i.test(value))
      headers[i + 1] = `${ownOrigin}${target.pathname}${target.search}${target.hash}`;
    return target.pathname;
  }
  return null;
}

function single(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}
