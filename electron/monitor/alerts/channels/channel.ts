/**
 * What every notification channel implements (one file each in this folder): send one grouped
 * notification, and say whether a failure is worth retrying. The outbox (alerts/outbox.ts) records every
 * attempt and retries with backoff; a channel only tries once.
 */
import type { AlertSeverityName } from "../../../../shared/alerts.js";

/** One alert inside a notification, Alertmanager-style. */
export interface NotifiedAlert {
  id: string;
  rule: string;
  status: "firing" | "resolved";
  severity: AlertSeverityName;
  labels: Record<string, string>;
  summary: string;
  value: number | null;
  /** The value for people, as the rule's summaries format it (`3.8 min`, `45%`); absent in old rows. */
  valueText?: string;
  /** ISO times. */
  startsAt: string;
  endsAt: string | null;
}

/** A grouped notification: the body a webhook receives as JSON, and what the other channels format. */
export interface AlertNotification {
  version: "1";
  /** `firing` while any alert in it fires; `resolved` when all have; `test` for Send test; `report` for a scheduled report. */
  status: "firing" | "resolved" | "test" | "report";
  /** The worst severity among its firing alerts (or its alerts, when resolved). */
  severity: AlertSeverityName;
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  /** One line: `[FIRING:2] tool-error-rate server=memory`. */
  title: string;
  alerts: NotifiedAlert[];
  /** ISO time the notification was made. */
  createdAt: string;
  /** The outbox row: the same on every retry, so a receiver can drop duplicates. */
  deliveryId?: number;
  /** A scheduled report (then `alerts` is empty). */
  report?: ReportAttachment;
}

/**
 * A scheduled report as a channel sends it: webhooks and commands get `summary` and `document` (the
 * report's JSON); Slack and Discord the summary and where the files were written; email the HTML as its
 * body and the PDF attached. `html` and `pdfBase64` are only made for email and never leave by webhook.
 */
export interface ReportAttachment {
  schedule: string;
  /** One line per headline figure, for people. */
  summary: string[];
  /** The report document (shared/report.ts). */
  document: unknown;
  /** Files the same run wrote to its folder, if any. */
  files: string[];
  /** The PDF's file name, for the email attachment. */
  fileName: string;
  html?: string;
  pdfBase64?: string;
}

/** The notification without a report's HTML and PDF: what goes out as JSON. */
export function withoutReportFiles(notification: AlertNotification): AlertNotification {
  if (!notification.report) return notification;
  const { html: _html, pdfBase64: _pdf, ...report } = notification.report;
  return { ...notification, report };
}

export type DeliveryOutcome =
  | {
      ok: true;
      status: number | null;
      /** Handled without being shown (native notifications paused), said in the delivery log. */
      note?: string;
    }
  | {
      ok: false;
      /** Retrying cannot help (a 4xx other than 408/429, a bad address, a missing command). */
      permanent: boolean;
      status: number | null;
      /** One line, no secrets. */
      error: string;
      /** From a 429's Retry-After, when given. */
      retryAfterMs?: number;
    };

export interface Channel {
  readonly name: string;
  readonly type: string;
  /** Tries once; never throws (a failure is an outcome). Gives up when `signal` aborts. */
  send(notification: AlertNotification, signal: AbortSignal): Promise<DeliveryOutcome>;
}
