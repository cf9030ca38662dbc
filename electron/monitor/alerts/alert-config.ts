/**
 * The alert rule file as the alert units see it (`<dataDir>/alerts.yaml`): loaded once, reloaded when its
 * stamp changes or after an edit; a version with a mistake leaves the last good one in effect
 * (`loaded-config.ts`).
 */
import { statSync } from "node:fs";
import { type ConfigInEffect, ruleFileFallbackText } from "../../../shared/alerts.js";
import type { TrackedEvent } from "../events/tracker.js";
import { loadAlertConfig } from "./loaded-config.js";
import { ALERTS_FILE, type AlertConfig, alertsFilePath, HISTORY_RETENTION_DEPRECATED } from "./rule-file.js";

export interface AlertConfigReport {
  /** A broken rule file, as an error event. */
  event(event: TrackedEvent): void;
  warn(problem: string): void;
}

export class AlertConfigFile {
  config: AlertConfig;
  problem: string | null;
  inEffect: ConfigInEffect;
  private stamp: string;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly dataDir: string,
    private readonly report: AlertConfigReport,
    /**
     * The engine says a broken file in an event too, and names a deprecated key in its log; a CLI command
     * only warns of a broken file.
     */
    private readonly engine = false,
  ) {
    const loaded = loadAlertConfig(dataDir);
    this.config = loaded.config;
    this.problem = loaded.problem;
    this.inEffect = loaded.inEffect;
    this.stamp = this.currentStamp();
    if (this.problem) this.reportProblem(engine);
    this.noteDeprecated(null);
  }

  /** Called after every reload (the deliverer rebuilds its channels). */
  onReload(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Reloads when the file changed since the last look, or always with `force` (after an edit). */
  reloadIfChanged(force = false): void {
    const stamp = this.currentStamp();
    if (!force && stamp === this.stamp) return;
    this.stamp = stamp;
    const loaded = loadAlertConfig(this.dataDir);
    const hadProblem = this.problem;
    const had = this.config;
    this.config = loaded.config;
    this.problem = loaded.problem;
    this.inEffect = loaded.inEffect;
    for (const listener of this.listeners) listener();
    if (loaded.problem && loaded.problem !== hadProblem) this.reportProblem(true);
    this.noteDeprecated(had);
  }

  /** Once a load sets `history_retention` where the one before did not. */
  private noteDeprecated(had: AlertConfig | null): void {
    if (!this.engine || this.config.historyRetentionMs === null) return;
    if (had && had.historyRetentionMs !== null) return;
    this.report.warn(`alerts: ${ALERTS_FILE}: ${HISTORY_RETENTION_DEPRECATED}`);
  }

  private reportProblem(event: boolean): void {
    const line = `${this.problem}; ${ruleFileFallbackText(this.inEffect)}`;
    this.report.warn(`alerts: ${line}`);
    if (!event) return;
    this.report.event({
      category: "error",
      type: "alert.rules_invalid",
      severity: "medium",
      message: `the alert rule file is invalid: ${line}`,
    });
  }

  private currentStamp(): string {
    try {
      const s = statSync(alertsFilePath(this.dataDir));
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      return "none";
    }
  }
}
