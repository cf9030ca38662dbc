/**
 * One HTTP POST and what its result means for retrying, shared by the webhook, Slack and Discord channels.
 * Error lines name the host only: a webhook URL's path or query often holds its token.
 */
import { VERSION } from "../../version.js";
import type { DeliveryOutcome } from "./channel.js";
import { hasCredentials, URL_CREDENTIALS_PROBLEM } from "./config.js";
import { truncate } from "./format.js";

export interface HttpPost {
  url: string;
  /** Sent as is; a signature over it signs these exact bytes. */
  body: string;
  /** Added to content-type and user-agent (and may replace them). */
  headers?: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}

export const USER_AGENT = `mcpscope/${VERSION}`;

/** POSTs once. Never throws. Redirects are not followed: they would resend signed headers elsewhere. */
export async function postJson(request: HttpPost): Promise<DeliveryOutcome> {
  const host = new URL(request.url).host;
  if (hasCredentials(request.url)) return failure(true, null, `${host}: ${URL_CREDENTIALS_PROBLEM}`);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: "POST",
      headers: mergeHeaders(request.headers),
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.any([request.signal, timeout]),
    });
  } catch (error) {
    if (request.signal.aborted) return failure(false, null, `cancelled sending to ${host}`);
    if (timeout.aborted)
      return failure(false, null, `no response from ${host} within ${request.timeoutMs} ms`);
    return failure(false, null, `cannot reach ${host}: ${networkReason(error)}`);
  }
  const detail = await readDetail(response);
  return outcomeForStatus(response.status, host, response.headers.get("retry-after"), detail);
}

/**
 * 2xx delivered; 408, 429 and 5xx worth retrying (with Retry-After as a hint, on 429 and 503); any other
 * status (4xx, an unfollowed 3xx) will not change by retrying.
 */
export function outcomeForStatus(
  status: number,
  host: string,
  retryAfter: string | null = null,
  detail = "",
  now = Date.now(),
): DeliveryOutcome {
  if (status >= 200 && status < 300) return { ok: true, status };
  const retryable = status === 408 || status === 429 || status >= 500;
  const error = `HTTP ${status} from ${host}${detail ? `: ${detail}` : ""}`;
  const outcome = failure(!retryable, status, error);
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
  }
  return outcome;
}

/** Retry-After as delay-seconds (`120`) or an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

type Failure = Extract<DeliveryOutcome, { ok: false }>;

function failure(permanent: boolean, status: number | null, error: string): Failure {
  return { ok: false, permanent, status, error };
}

/** Case-insensitive: a user's `Content-Type` replaces ours instead of joining it. */
function mergeHeaders(extra: Record<string, string> = {}): Headers {
  const headers = new Headers({ "content-type": "application/json", "user-agent": USER_AGENT });
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return headers;
}

const DETAIL_BYTES = 1024;

/**
 * The start of an error body in plain text or JSON (Slack answers `invalid_token`), never an HTML page.
 * Reads at most 1 KiB and drops the rest, so a huge or endless body cannot hold the channel.
 */
async function readDetail(response: Response): Promise<string> {
  const body = response.body;
  if (!body) return "";
  const wanted = !response.ok && !(response.headers.get("content-type") ?? "").includes("html");
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    if (wanted) {
      const reader = body.getReader();
      while (size < DETAIL_BYTES) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        size += value.byteLength;
      }
      await reader.cancel();
    } else {
      await body.cancel();
    }
  } catch {
    // A body cut short still leaves the status to judge by.
  }
  const text = Buffer.concat(chunks).subarray(0, DETAIL_BYTES).toString("utf8");
  return truncate(text.replace(/\s+/g, " ").trim(), 200);
}

function networkReason(error: unknown): string {
  let cause: unknown = error;
  // fetch wraps the socket error: TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }).
  while (cause instanceof Error && cause.cause !== undefined) cause = cause.cause;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  return cause instanceof Error ? cause.message.split("\n")[0]! : String(cause);
}
