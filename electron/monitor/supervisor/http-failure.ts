/**
 * One line a user can act on when a remote server answers with an HTTP error or the TLS handshake fails:
 * the status, what it usually means and what to try, and at most a short plain-text reason from the body.
 * An HTML error page is never shown (it is what a web framework says to a wrong path, not the server).
 */
import { SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { maskString } from "../pipeline/mask.js";

export interface HttpFailureContext {
  /** The URL connected to (shown without its query, credentials or fragment). */
  url: string | null;
  transport: "http" | "sse";
  /** A URL named on the command line (`check --url`): hints name its flags; else the config entry's. */
  adHoc: boolean;
  /** Added in the app's Add server dialog: no config file to edit, the dialog's choices instead. */
  addedInApp?: boolean;
  /** Headers sent with each request (for "credentials refused" rather than "credentials wanted"). */
  headers: Record<string, string>;
  /** The URL's `user:password@` went as the Authorization header (url-credentials.ts). */
  urlCredentials?: boolean;
  /** A GET of the URL answered an event stream: an old-style SSE endpoint. */
  answersEventStream?: boolean;
}

const REASON_MAX = 120;

/** The HTTP status of a failed request, when the error carries one. */
export function httpStatus(error: unknown): number | null {
  // A JSON-RPC error is the server's own answer, whatever its text says.
  if (error instanceof McpError) return null;
  if ((error instanceof StreamableHTTPError || error instanceof SseError) && typeof error.code === "number")
    return error.code >= 100 && error.code < 600 ? error.code : null;
  const posted = /Error POSTing to endpoint \(HTTP (\d{3})\)/.exec((error as Error)?.message ?? "");
  return posted ? Number(posted[1]) : null;
}

/** The statuses after which a GET is worth trying, to tell an SSE endpoint hit with POST. */
export function mayBeSseEndpoint(status: number, ctx: HttpFailureContext): boolean {
  return ctx.transport === "http" && (status === 400 || status === 404 || status === 405);
}

export function looksLikeSsePath(url: string | null): boolean {
  return /\/sse\/?$/i.test(pathOf(url));
}

export function httpFailureMessage(status: number, error: unknown, ctx: HttpFailureContext): string {
  const where = shownUrl(ctx.url);
  const reason = bodyReason(error);
  const said = reason ? ` (${reason})` : "";
  if (ctx.transport === "http" && (ctx.answersEventStream || looksLikeSsePath(ctx.url)) && status < 500) {
    const fix = ctx.adHoc
      ? "pass --transport sse"
      : ctx.addedInApp
        ? "choose SSE in Add server"
        : 'give the entry "type": "sse"';
    return `HTTP ${status} at ${where}: it looks like an SSE endpoint; ${fix}`;
  }
  const sentAuth = Object.keys(ctx.headers).some((name) => name.toLowerCase() === "authorization");
  switch (status) {
    case 401:
      if (sentAuth)
        return `HTTP 401${said}: the server refused the credentials sent (${ctx.urlCredentials ? "the URL's user and password" : "the Authorization header"})`;
      return ctx.adHoc
        ? `HTTP 401${said}: the server wants credentials; pass --header 'Authorization: …'`
        : `HTTP 401${said}: the server wants credentials; add an Authorization header to the entry's headers`;
    case 403:
      return `HTTP 403${said}: the server refuses access`;
    case 404:
      return `HTTP 404 at ${where}${said} (is the path right?)`;
    default:
      if (status >= 500) return `HTTP ${status}${said}: the server failed`;
      return `HTTP ${status} at ${where}${said}`;
  }
}

const CERTIFICATE_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed chain",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unknown issuer",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unknown issuer",
  CERT_HAS_EXPIRED: "expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "issued for another host name",
};

/** A TLS failure, in words; null when the error is not one. */
export function tlsFailureMessage(error: unknown): string | null {
  if (error instanceof McpError) return null;
  const cause = (error as { cause?: { code?: string } })?.cause;
  const text = `${(error as Error)?.message ?? ""} ${cause?.code ?? ""}`;
  if (cause?.code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number/i.test(text))
    return "the server does not speak TLS here (try http://)";
  const code = cause?.code && cause.code in CERTIFICATE_CODES ? cause.code : null;
  const named = code ?? Object.keys(CERTIFICATE_CODES).find((c) => text.includes(c));
  if (named) return `the server's TLS certificate is not trusted (${CERTIFICATE_CODES[named]})`;
  if (/\bSSL routines\b|\bERR_SSL_/i.test(text)) return "the TLS handshake with the server failed";
  return null;
}

/** Does a GET of `url` answer an event stream? Only the headers are read; the stream is closed at once. */
export async function answersEventStream(
  url: string,
  headers: Record<string, string>,
  timeoutMs = 2000,
): Promise<boolean> {
  try {
    const response = await fetch(url, {
      headers: { ...headers, accept: "text/event-stream" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => {});
    return response.ok && (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
  } catch {
    return false;
  }
}

/** The reason a server gave in the body of its error answer, when it is short text and not a page. */
function bodyReason(error: unknown): string | null {
  const message = (error as Error)?.message ?? "";
  const at = message.search(/Error POSTing to endpoint(?: \(HTTP \d{3}\))?: /);
  if (at < 0) return null;
  const body = message.slice(message.indexOf(": ", at) + 2).trim();
  if (body === "" || /^</.test(body) || /<html|<!doctype|<body/i.test(body)) return null;
  let reason = body;
  try {
    reason = jsonReason(JSON.parse(body)) ?? "";
  } catch {
    // Plain text.
  }
  reason = reason.replace(/\s+/g, " ").trim();
  if (reason === "") return null;
  if (reason.length > REASON_MAX) reason = `${reason.slice(0, REASON_MAX)}…`;
  return maskString(reason);
}

/** A JSON-RPC error's message, or an OAuth-style `error_description` / `error`, or a `message`. */
function jsonReason(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return typeof value === "string" ? value : null;
  const v = value as Record<string, unknown>;
  const error = v.error;
  if (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { message?: unknown }).message === "string"
  )
    return (error as { message: string }).message;
  if (typeof v.error_description === "string") return v.error_description;
  if (typeof error === "string") return error;
  if (typeof v.message === "string") return v.message;
  return null;
}

/** Scheme, host and path: a URL's query, fragment or user info may carry a token. */
export function shownUrl(url: string | null): string {
  try {
    if (!url) return "the server";
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "the server";
  }
}

function pathOf(url: string | null): string {
  try {
    return url ? new URL(url).pathname : "";
  } catch {
    return "";
  }
}
