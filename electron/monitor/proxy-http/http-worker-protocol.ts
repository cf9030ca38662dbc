/**
 * Messages between the HTTP proxy's forwarding thread and its observer worker. Body bytes travel as
 * copies on streams named `<exchange>:in` (the client's request body) and `<exchange>:out` (the
 * upstream's response body), through the same bounded copy queue as the stdio wrapper's.
 */

export interface HttpWorkerInit {
  dataDir: string;
  server: string;
  upstream: string;
  proxyPid: number;
  /** The MCP client whose remote entry this proxy stands for (an engine's proxy); null otherwise. */
  client: string | null;
  /** The id of that entry, when the registry names it; null otherwise. */
  entry?: string | null;
  timeoutMs: number;
  captureLimit: number;
  maxLineBytes: number;
}

export type BodyStream = `${number}:in` | `${number}:out`;

export function bodyStream(exchange: number, side: "in" | "out"): BodyStream {
  return `${exchange}:${side}`;
}

/** How an exchange's response ended when it did not end normally. */
export type Broken =
  /** The client closed its side before the response ended. */
  | "client"
  /** The upstream's connection broke before the response ended. */
  | "upstream"
  /** The proxy is stopping and closed the exchange itself. */
  | "proxy";

export type ToHttpWorker =
  | {
      type: "request";
      exchange: number;
      at: number;
      method: string;
      /** Path and query, as the client sent them. */
      path: string;
      /** The request's `Mcp-Session-Id`, if any. */
      session: string | null;
      contentType: string | null;
    }
  | {
      type: "response";
      exchange: number;
      at: number;
      status: number;
      contentType: string | null;
      contentEncoding: string | null;
      /** The response's `Mcp-Session-Id` (assigned on initialize), if any. */
      session: string | null;
      wwwAuthenticate: string | null;
      /** A redirect's `Location`, as the client got it. */
      location: string | null;
    }
  /** The body on this stream ended normally. */
  | { type: "end"; stream: BodyStream; at: number }
  | { type: "broken"; exchange: number; at: number; by: Broken; message: string }
  /** The upstream could not be reached; the client got a 502 whose body follows as the `out` stream. */
  | { type: "unreachable"; exchange: number; at: number; message: string }
  | { type: "exit"; at: number; upstreamDropped: number };

export type FromHttpWorker =
  | { type: "ack"; bytes: number }
  | { type: "problem"; message: string }
  | { type: "closed"; written: number; dropped: number };
