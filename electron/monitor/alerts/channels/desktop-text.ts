/**
 * A desktop notification's wording. It reads as the tray does, by the alerts' own summaries
 * (`crasher crashed (2 times in 10 min)`, `3 alerts firing: slow-tool`), not by the Alertmanager-style
 * title that webhooks, Slack, Discord and email carry (`[FIRING:1] server-crashed server=crasher`).
 */
import type { AlertNotification, NotifiedAlert } from "./channel.js";
import { bodyLines, formatLabels } from "./format.js";

/** Alerts of a group named in the body; the rest are counted. */
const NAMED_ALERTS = 4;

export function desktopText(notification: AlertNotification): { title: string; body: string } {
  const { status } = notification;
  if (status === "report") return { title: notification.title, body: bodyLines(notification).join("\n") };
  if (status === "test")
    return { title: "mcpscope test notification", body: notification.alerts[0]?.summary ?? "" };
  // A firing notification also carries the group's alerts that resolved since the last one.
  const same = notification.alerts.filter((a) => a.status === status);
  const shown = same.length > 0 ? same : notification.alerts;
  const first = shown[0];
  if (shown.length === 1 && first)
    return { title: `${status === "resolved" ? "Resolved: " : ""}${summaryOf(first)}`, body: detail(first) };
  const rules = [...new Set(shown.map((a) => a.rule))].join(", ");
  const named = shown.slice(0, NAMED_ALERTS).map((a) => `${a.severity} · ${summaryOf(a)}`);
  const rest = shown.length - named.length;
  return {
    title: `${shown.length} alerts ${status}: ${rules}`,
    body: [...named, ...(rest > 0 ? [`… and ${rest} more`] : [])].join("\n"),
  };
}

function summaryOf(alert: NotifiedAlert): string {
  return alert.summary.trim() || alert.rule;
}

/** `warning · server-crashed · server=crasher`: what the title leaves out. */
function detail(alert: NotifiedAlert): string {
  const labels = Object.fromEntries(
    Object.entries(alert.labels).filter(([name]) => name !== "alertname" && name !== "severity"),
  );
  const labelText = formatLabels(labels);
  return `${alert.severity} · ${alert.rule}${labelText ? ` · ${labelText}` : ""}`;
}
