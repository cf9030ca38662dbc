/**
 * A generic webhook: the AlertNotification itself as the JSON body.
 *
 * With a `secret`, every request is signed so a receiver can tell it came from this mcpscope:
 *
 *   X-Mcpscope-Timestamp: <unix seconds>
 *   X-Mcpscope-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 *
 * The body is the exact bytes received (verify before parsing). A receiver recomputes the HMAC with the
 * same secret, compares it in constant time, and rejects a timestamp more than a few minutes from its own
 * clock, so a captured request cannot be replayed later.
 */
import { createHmac } from "node:crypto";
import { type AlertNotification, type Channel, withoutReportFiles } from "./channel.js";
import type { WebhookConfig } from "./config.js";
import { postJson } from "./http-post.js";

export const TIMESTAMP_HEADER = "X-Mcpscope-Timestamp";
export const SIGNATURE_HEADER = "X-Mcpscope-Signature";

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export function createWebhookChannel(config: WebhookConfig): Channel {
  return {
    name: config.name,
    type: "webhook",
    send(notification: AlertNotification, signal: AbortSignal) {
      const body = JSON.stringify(withoutReportFiles(notification));
      const headers: Record<string, string> = { ...config.headers };
      if (config.secret !== undefined) {
        const timestamp = Math.floor(Date.now() / 1000);
        headers[TIMESTAMP_HEADER] = String(timestamp);
        headers[SIGNATURE_HEADER] = signWebhook(config.secret, timestamp, body);
      }
      return postJson({ url: config.url, body, headers, timeoutMs: config.timeout, signal });
    },
  };
}
