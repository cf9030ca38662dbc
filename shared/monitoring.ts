/** What `MonitoringSystem.logEvent()` and `trackEvent()` take (electron/monitor/monitoring-system.ts). */
import type { EventCategory, EventSeverity } from "./events.js";
import type { LogLevel } from "./levels.js";

export interface LogEvent {
  level: LogLevel;
  message: string;
  server?: string;
  logger?: string;
  fields?: Record<string, unknown>;
  time?: number;
}

export interface SystemEvent {
  category: EventCategory;
  type: string;
  severity: EventSeverity;
  message: string;
  server?: string;
  session?: string;
  details?: Record<string, unknown>;
  time?: number;
}
