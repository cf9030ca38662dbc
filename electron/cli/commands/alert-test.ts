/**
 * `mcpscope alerts test CHANNEL`: one test notification through the API's `alerts.test`, each attempt
 * printed, or the engine's refusal of a desktop test while desktop notifications are paused, told with
 * the command that resumes them.
 */
import {
  attemptStatusText,
  type ChannelInfo,
  type Delivery,
  pausedTestText,
} from "../../../shared/alerts.js";
import type { ApiClient } from "../../../shared/api.js";
import { listedTime } from "../../../shared/listed-time.js";
import { PausedDesktopTest } from "../../monitor/alerts/deliverer.js";
import { callWithFlags } from "../api-input.js";
import type { CliIo } from "../io.js";
import { cellText } from "../terminal-text.js";

/** Sends the test and prints it; the exit code: 1 when it failed or was not sent. */
export async function sendTest(api: ApiClient, io: CliIo, channel: string, json: boolean): Promise<number> {
  let delivery: Delivery;
  try {
    delivery = await callWithFlags(api, "alerts.test", { channel });
  } catch (error) {
    if (!(error instanceof PausedDesktopTest)) throw error;
    const { pausedUntil } = error;
    const message = pausedTestText(listedTime(pausedUntil), "`mcpscope alerts resume` lets them through");
    if (json) io.stdout.write(`${JSON.stringify({ delivery: null, pausedUntil, message })}\n`);
    else io.stderr.write(`mcpscope alerts: ${message}\n`);
    return 1;
  }
  if (json) io.stdout.write(`${JSON.stringify({ delivery })}\n`);
  else {
    const { channels } = await api.call("alerts.channels", {});
    printDelivery(io, delivery, channels.find((c) => c.name === channel)?.type);
  }
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
