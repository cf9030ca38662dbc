/** The plain-text wording of a notification, shared by every channel that writes text for people. */
import type { AlertNotification, NotifiedAlert } from "./channel.js";

/** `server=memory tool=echo`, in the labels' own order. */
export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
}

/** `FIRING critical`, the status and severity that lead every alert line. */
export function alertHeadline(alert: NotifiedAlert): string {
  return `${alert.status.toUpperCase()} ${alert.severity}`;
}

/** `FIRING critical server=memory tool=echo — summary`. */
export function alertLine(alert: NotifiedAlert): string {
  const labels = formatLabels(alert.labels);
  return `${alertHeadline(alert)}${labels ? ` ${labels}` : ""} — ${alert.summary}`;
}

/** The title, then one line per alert (or a report's summary and files). */
export function formatText(notification: AlertNotification): string {
  return [notification.title, ...bodyLines(notification)].join("\n");
}

/** A report's summary lines and the files it wrote, or one line per alert. */
export function bodyLines(notification: AlertNotification): string[] {
  const report = notification.report;
  if (!report) return notification.alerts.map(alertLine);
  return [...report.summary, ...report.files.map((f) => `File: ${f}`)];
}

/** One alert over several lines, for a body with room (email). */
export function alertDetails(alert: NotifiedAlert): string {
  const lines = [
    `${alertHeadline(alert)}: ${alert.rule}`,
    `  Summary: ${alert.summary}`,
    `  Labels:  ${formatLabels(alert.labels) || "(none)"}`,
  ];
  if (alert.value !== null) lines.push(`  Value:   ${valueText(alert)}`);
  lines.push(`  Started: ${alert.startsAt}`);
  if (alert.endsAt) lines.push(`  Ended:   ${alert.endsAt}`);
  return lines.join("\n");
}

/** The value as the rule formats it; a notification stored before it carried one shows the number. */
export function valueText(alert: NotifiedAlert): string {
  return alert.valueText ?? String(alert.value);
}

/** Cuts `text` to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  // Never split a surrogate pair: half an emoji is an invalid string to most receivers.
  if (end > 0 && /[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}
