/**
 * What the tray can ask the engine to do about alerts: silence one alert for an hour, pause native
 * notifications for an hour, resume them. Each is one API call; the engine answers with an
 * alerts.changed push that redraws the tray.
 */
import type { AlertInstance, Matcher } from "../../shared/alerts.js";
import type { ApiTransport } from "../../shared/api.js";

export const SILENCE_DURATION = "1h";
export const PAUSE_DURATION = "1h";
/**
 * Matchers that select exactly this alert: its rule (`alertname`) and every label, with `=`. None is
 * dropped to fit the schema's limits: a silence broader than the alert would hide others; the engine
 * refuses an oversized one instead, and the user sees why.
 */
export function matchersFor(alert: Pick<AlertInstance, "rule" | "labels">): Matcher[] {
  const labels = Object.entries(alert.labels).filter(([name]) => name !== "alertname");
  return [
    { name: "alertname", op: "=", value: alert.rule },
    ...labels.map(([name, value]) => ({ name, op: "=" as const, value })),
  ];
}

export interface AlertActions {
  silence(alert: Pick<AlertInstance, "rule" | "labels">): void;
  pause(): void;
  resume(): void;
}

export function createAlertActions(
  engine: Pick<ApiTransport, "invoke">,
  onError: (message: string) => void,
): AlertActions {
  const call = (method: string, input: unknown, what: string) => {
    engine.invoke(method, input).catch((error: unknown) => {
      onError(`Could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  return {
    silence(alert) {
      call(
        "alerts.silence",
        {
          matchers: matchersFor(alert),
          duration: SILENCE_DURATION,
          comment: "Silenced for 1 hour from the tray menu",
          createdBy: "mcpscope tray",
        },
        `silence ${alert.rule}`,
      );
    },
    pause() {
      call("alerts.pause", { duration: PAUSE_DURATION }, "pause notifications");
    },
    resume() {
      call("alerts.pause", { duration: null }, "resume notifications");
    },
  };
}
