/**
 * The CSV columns of the Logs and Events exports: each row's fields as the API returns them (the Calls
 * export's are `CALL_COLUMNS` in shared/calls-export.ts, where the export is made).
 */
import type { EventRecord } from "../../shared/events.js";
import type { LogRecord } from "../../shared/logs.js";
import type { ExportColumn } from "./components/ExportButton.vue";

export const LOG_COLUMNS: ExportColumn<LogRecord>[] = [
  { name: "id", value: (r) => r.id },
  { name: "time", value: (r) => r.time },
  { name: "level", value: (r) => r.level },
  { name: "server", value: (r) => r.server },
  { name: "source", value: (r) => r.source },
  { name: "logger", value: (r) => r.logger },
  { name: "message", value: (r) => r.message },
  { name: "fields", value: (r) => (r.fields ? JSON.stringify(r.fields) : null) },
  { name: "session", value: (r) => r.session },
  { name: "request_id", value: (r) => r.requestId },
];

export const EVENT_COLUMNS: ExportColumn<EventRecord>[] = [
  { name: "id", value: (e) => e.id },
  { name: "time", value: (e) => e.time },
  { name: "category", value: (e) => e.category },
  { name: "type", value: (e) => e.type },
  { name: "severity", value: (e) => e.severity },
  { name: "server", value: (e) => e.server },
  { name: "session", value: (e) => e.session },
  { name: "message", value: (e) => e.message },
  {
    name: "details",
    value: (e) => (e.details === null || e.details === undefined ? null : JSON.stringify(e.details)),
  },
];
