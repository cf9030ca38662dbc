/** The specification's monitoring vocabulary (SPEC.md), as TypeScript types. */
import type { LogLevel } from "./levels.js";

export const EVENT_CATEGORIES = ["system", "security", "user", "error", "audit"] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];
export type EventSeverity = "info" | "low" | "medium" | "high" | "critical";

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
