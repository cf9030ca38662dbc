/**
 * The alert rule file as the alert units see it (`<dataDir>/alerts.yaml`): loaded once, reloaded when its
 * stamp changes or after an edit, keeping the last good rules when a new version does not parse.
 */
import { statSync } from "node:fs";
import type { TrackedEvent } from "../events/tracker.js";
import { type AlertConfig, alertsFilePath, loadAlertConfig } from "./rule-file.js";

export interface AlertConfigReport {
  /** A broken rule file, as an error event. */
  event(event: TrackedEvent): void;
  warn(problem: string): void;
}

export class AlertConfigFile {
  config: AlertConfig;
  problem: string | null;
  private stamp: string;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly dataDir: string,
    private readonly report: AlertConfigReport,
  ) {
    const loaded = loadAlertConfig(dataDir);
    this.config = loaded.config;
    this.problem = loaded.problem;
    this.stamp = this.currentStamp();
    if (this.problem) report.warn(`alerts: ${this.problem}; using the built-in rules`);
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
    const loaded = loadAlertConfig(this.dataDir, this.config);
    const hadProblem = this.problem;
    this.config = loaded.config;
    this.problem = loaded.problem;
    for (const listener of this.listeners) listener();
    if (loaded.problem && loaded.problem !== hadProblem) {
      this.report.warn(`alerts: ${loaded.problem}; keeping the rules that were in effect`);
      this.report.event({
        category: "error",
        type: "alert.rules_invalid",
        severity: "medium",
        message: `the alert rule file is invalid: ${loaded.problem}`,
      });
    }
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
