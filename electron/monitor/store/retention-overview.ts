/**
 * Every retention setting in one list, whichever settings.json key owns it (metrics, logs, events,
 * storage), with the value in force: what the Storage view and `db info` show.
 */
import { EVENT_CATEGORIES } from "../../../shared/events.js";
import type { RetentionEntry } from "../../../shared/storage.js";
import { readEventRetention } from "../events/event-settings.js";
import { DEFAULT_EVENT_RETENTION_DAYS } from "../events/queries.js";
import { readLogSettings } from "../logs/log-settings.js";
import { readMetricsSettings } from "../metrics/metrics-settings.js";
import { DEFAULT_RETENTION } from "../metrics/retention.js";
import type { StorageSettings } from "./storage-settings.js";

const DAY = 86_400_000;

const STORAGE_LABELS: Record<keyof StorageSettings["retention"], string> = {
  payloads: "request and response text of calls",
  resourceSamples: "CPU and memory samples",
  healthChecks: "health checks",
  toolSnapshots: "tool-definition snapshots (the newest per server is always kept)",
  sessions: "sessions, once none of their calls remain",
  processRuns: "process runs",
  alertHistory: "alert history and ended silences",
  alertDeliveries: "delivered and failed notifications",
  audit: "audit records (a checkpoint keeps the chain provable)",
};

export function retentionOverview(dataDir: string, storage: StorageSettings): RetentionEntry[] {
  const metrics = { ...DEFAULT_RETENTION, ...readMetricsSettings(dataDir).settings.retention };
  const logs = readLogSettings(dataDir).settings.retention.default;
  const events = readEventRetention(dataDir).days;
  return [
    {
      key: "metrics.retention.calls",
      label: "raw calls (folded into rollups first)",
      ms: metrics.rawCallsMs,
    },
    { key: "metrics.retention.minutes", label: "minute rollups", ms: metrics.minutesMs },
    { key: "metrics.retention.hours", label: "hour rollups", ms: metrics.hoursMs },
    { key: "metrics.retention.days", label: "day rollups", ms: metrics.daysMs },
    {
      key: "logs.retention.maxAge",
      label: "log records (also capped per server by logs.retention.maxBytes)",
      ms: logs.maxAgeMs,
    },
    ...EVENT_CATEGORIES.map((c) => ({
      key: `events.retention.${c}`,
      label: `${c} events`,
      ms: (events[c] ?? DEFAULT_EVENT_RETENTION_DAYS[c]) * DAY,
    })),
    ...Object.entries(storage.retention).map(([kind, ms]) => ({
      key: `storage.retention.${kind}`,
      label:
        kind === "alertHistory" && storage.alertHistoryFromAlertsYaml
          ? `${STORAGE_LABELS.alertHistory}, from history_retention in alerts.yaml until set here`
          : STORAGE_LABELS[kind as keyof StorageSettings["retention"]],
      ms,
    })),
  ];
}
