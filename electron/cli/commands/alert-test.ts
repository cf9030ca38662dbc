/**
 * `mcpscope alerts test CHANNEL`: one test notification through the API's `alerts.test`, each attempt
 * printed.
 */
import { attemptStatusText, type ChannelInfo, type Delivery } from "../../../shared/alerts.js";
import type { ApiClient } from "../../../shared/api.js";
import { listedTime } from "../../../shared/listed-time.js";
import { callWithFlags } from "../api-input.js";
import type { CliIo } from "../io.js";
import { cellText } from "../terminal-text.js";

/** Sends the test and prints it; the exit code: 1 when it failed or was not sent. */
export async function sendTest(api: ApiClient, io: CliIo, channel: string, json: boolean): Promise<number> {
  const { channels, pausedUntil } = await api.call("alerts.channels", {});
  // A paused desktop shows nothing: a test sent then would be counted delivered and prove nothing.
  if (channel === "desktop" && pausedUntil !== null) {
    const message = `the test was not sent: desktop notifications are paused until ${listedTime(pausedUntil)}; \`mcpscope alerts resume\` lets them through, then test again`;
    if (json) io.stdout.write(`${JSON.stringify({ delivery: null, pausedUntil, message })}\n`);
    else io.stderr.write(`mcpscope alerts: ${message}\n`);
    return 1;
  }
  const delivery = await callWithFlags(api, "alerts.test", { channel });
  if (json) io.stdout.write(`${JSON.stringify({ delivery })}\n`);
  else printDelivery(io, delivery, channels.find((c) => c.name === channel)?.type);
  return delivery.status === "failed" ? 1 : 0;
}

function printDelivery(io: CliIo, d: Delivery, type: ChannelInfo["type"] | undefined): void {
  for (const [i, a] of d.attempts.entries()) {
    const code = attemptStatusText(type, a.status);
    io.stdout.write(
      `attempt ${i + 1}: ${a.ok ? "delivered" : "failed"}${code ? ` (${code})` : ""} in ${Math.round(a.durationMs)} ms${a.error ? ` — ${cellText(a.error)}` : ""}\n`,
    );
  }
  io.stdout.write(
    d.status === "delivered"
      ? `${d.channel}: delivered\n`
      : d.status === "pending"
        ? `${d.channel}: not yet delivered; the app retries it${d.nextAttemptAt ? ` at ${listedTime(d.nextAttemptAt)}` : ""}\n`
        : `${d.channel}: failed: ${cellText(d.lastError ?? "")}\n`,
  );
}
