/** How alerts' labels, matchers and values read in the Alerts view, and the silence an alert suggests. */
import type { AlertInstance, AlertSeverityName, Matcher } from "../../../shared/alerts.js";

/** The labels people look for first; the rest follow by name. */
const LEADING = ["alertname", "server", "tool", "method", "client"];

/** Labels every alert carries that the lists show in their own columns (rule, severity). */
export const SHOWN_LABELS: readonly string[] = ["alertname", "severity"];

export const SEVERITY_ORDER: Record<AlertSeverityName, number> = { critical: 0, warning: 1, info: 2 };

/** `[name, value]` pairs, the well-known labels first, then by name. */
export function labelPairs(labels: Readonly<Record<string, string>>): [string, string][] {
  const rank = (name: string) => {
    const i = LEADING.indexOf(name);
    return i === -1 ? LEADING.length : i;
  };
  return Object.entries(labels).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/** `server=memory tool=echo` (one line, for titles and filters). */
export function labelText(labels: Readonly<Record<string, string>>): string {
  return labelPairs(labels)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
}

export function matcherText(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

/** The silence an alert suggests: its rule (`alertname`) and each of its labels, matched exactly. */
export function silenceMatchers(alert: Pick<AlertInstance, "rule" | "labels">): Matcher[] {
  const matchers: Matcher[] = [{ name: "alertname", op: "=", value: alert.rule }];
  for (const [name, value] of labelPairs(alert.labels)) {
    if (name !== "alertname") matchers.push({ name, op: "=", value });
  }
  return matchers;
}

/** Pending and firing alerts, worst first: firing before pending, then by severity, then the oldest. */
export function sortAlerts(alerts: readonly AlertInstance[]): AlertInstance[] {
  const stateRank = (a: AlertInstance) => (a.state === "firing" ? 0 : a.state === "pending" ? 1 : 2);
  return [...alerts].sort(
    (a, b) =>
      stateRank(a) - stateRank(b) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.activeAt.localeCompare(b.activeAt) ||
      a.id.localeCompare(b.id),
  );
}

/** A rule's value as a number people read: `0.42`, `12.5`, `1,204`; `—` when there is none. */
export function formatValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  if (abs === 0) return "0";
  if (abs < 0.001) return value.toExponential(1);
  if (abs < 1) return String(Number(value.toPrecision(2)));
  if (abs < 100) return String(Number(value.toFixed(2)));
  return Math.round(value).toLocaleString();
}

/** A span as a rule file writes it: `0s`, `10s`, `1m`, `4h`, `1d`, `1h30m`. */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms === 0) return "0s";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const units: [string, number][] = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  let rest = Math.round(ms / 1000) * 1000;
  let out = "";
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
    if (out.length > 0 && rest === 0) break;
  }
  return out;
}
