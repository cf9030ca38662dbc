/**
 * A Slack incoming webhook: `text` for the notification banner, `blocks` with a header and a section per
 * alert. Within Slack's limits: 50 blocks, 150 characters of header, 3000 of section text.
 */
import type { AlertNotification, Channel, NotifiedAlert } from "./channel.js";
import type { SlackConfig } from "./config.js";
import { alertHeadline, bodyLines, formatLabels, formatText, truncate } from "./format.js";
import { postJson } from "./http-post.js";

const MAX_BLOCKS = 50;
const HEADER_CHARS = 150;
const SECTION_CHARS = 3000;

type SlackBlock =
  | { type: "header"; text: { type: "plain_text"; text: string } }
  | { type: "section"; text: { type: "mrkdwn"; text: string } }
  | { type: "context"; elements: { type: "mrkdwn"; text: string }[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export function slackMessage(notification: AlertNotification): SlackMessage {
  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: truncate(notification.title, HEADER_CHARS) } },
  ];
  if (notification.report) {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: truncate(escapeMrkdwn(bodyLines(notification).join("\n")), SECTION_CHARS),
      },
    });
    return { text: truncate(escapeMrkdwn(notification.title), SECTION_CHARS), blocks };
  }
  const alerts = notification.alerts;
  // Room for the header and, when some alerts do not fit, a closing line that counts them.
  const shown = alerts.length <= MAX_BLOCKS - 1 ? alerts : alerts.slice(0, MAX_BLOCKS - 2);
  for (const alert of shown) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: truncate(alertSection(alert), SECTION_CHARS) },
    });
  }
  if (shown.length < alerts.length) {
    const more = `…and ${alerts.length - shown.length} more alerts`;
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: more }] });
  }
  return { text: truncate(escapeMrkdwn(formatText(notification)), SECTION_CHARS), blocks };
}

function alertSection(alert: NotifiedAlert): string {
  const lines = [`*${alertHeadline(alert)}* · ${escapeMrkdwn(alert.rule)}`, escapeMrkdwn(alert.summary)];
  const labels = formatLabels(alert.labels);
  if (labels) lines.push(`\`${escapeMrkdwn(labels).replaceAll("`", "'")}\``);
  lines.push(`Started ${alert.startsAt}${alert.endsAt ? ` · Ended ${alert.endsAt}` : ""}`);
  return lines.join("\n");
}

/** Slack's three control characters; escaping them also defuses `<!channel>` mentions in a summary. */
function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

export function createSlackChannel(config: SlackConfig): Channel {
  return {
    name: config.name,
    type: "slack",
    send(notification, signal) {
      const body = JSON.stringify(slackMessage(notification));
      return postJson({ url: config.url, body, timeoutMs: config.timeout, signal });
    },
  };
}
