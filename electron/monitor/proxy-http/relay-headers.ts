/** What the proxy changes in what it relays: hop-by-hop headers, and the 502 it answers itself. */
import { type JsonRpcId, parseLine } from "../protocol/jsonrpc.js";

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus `Host`. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

/**
 * The raw header list (as `rawHeaders` gives it: names with their case, repeats kept) without the
 * hop-by-hop ones and those the `Connection` header names; `host` replaces the Host header when given.
 */
export function forwardedHeaders(raw: string[], host: string | null): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === "connection") {
      for (const token of (raw[i + 1] ?? "").split(",")) named.add(token.trim().toLowerCase());
    }
  }
  const out: string[] = [];
  if (host) out.push("Host", host);
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? "";
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out.push(name, raw[i + 1] ?? "");
  }
  return out;
}

/** JSON-RPC's "server error" range, implementation-defined: the upstream is unreachable. */
export const UNREACHABLE_CODE = -32000;

/** The body of the proxy's own 502: a JSON-RPC error for the request's id, saying what happened. */
export function unreachableBody(request: Buffer, origin: string, reason: string): Buffer {
  let id: JsonRpcId | null = null;
  if (request.length > 0) {
    const parsed = parseLine(request);
    if (parsed.kind === "message" && parsed.message.kind === "request") id = parsed.message.id;
  }
  return Buffer.from(
    JSON.stringify({
      jsonrpc: "2.0",
      id,
      error: {
        code: UNREACHABLE_CODE,
        message: `mcpscope proxy: the upstream ${origin} is unreachable (${reason})`,
      },
    }),
  );
}
