/**
 * The alert units over the stored states, for a process that does not evaluate (the CLI): the same
 * queries, edits and test delivery as the engine, without the evaluator. Silences and inhibition are
 * applied as of now; the engine that holds the evaluation lease reports skipped rows, so this does not.
 */
import type { AdminAction } from "../audit/audit-log.js";
import { runningEngines } from "../engine-presence.js";
import type { TrackedEvent } from "../events/tracker.js";
import type { Db } from "../store/db.js";
import { AlertConfigFile } from "./alert-config.js";
import { AlertEdits, NO_EDIT_HOOKS } from "./alert-edits.js";
import type { AlertServices } from "./alert-manager.js";
import { AlertQueries, storedAlertState } from "./alert-queries.js";
import { AlertDeliverer } from "./deliverer.js";
import { DbSignalSource } from "./signals.js";
import { SkipReporter } from "./skipped.js";

export interface StoredAlertsOptions {
  dataDir: string;
  db: Db;
  event(event: TrackedEvent): void;
  audit(action: AdminAction): void;
  warn(problem: string): void;
  now?: () => number;
}

export function storedAlerts(options: StoredAlertsOptions): AlertServices {
  const { db } = options;
  const now = options.now ?? Date.now;
  const quiet = new SkipReporter(() => {});
  const config = new AlertConfigFile(options.dataDir, options);
  const state = storedAlertState(db, config, quiet, now);
  return {
    queries: new AlertQueries({ db, config, state, signals: new DbSignalSource(db), now }),
    edits: new AlertEdits({ db, config, audit: options.audit, now, hooks: NO_EDIT_HOOKS }),
    // Nobody shows desktop notifications here: a desktop test is left to a running engine, which has
    // the app's window and the browser tabs.
    deliverer: new AlertDeliverer({
      db,
      config,
      now,
      skipped: quiet,
      hasDesktop: () => false,
      desktopElsewhere: () => runningEngines(options.dataDir).some((e) => e.alerts),
      notify: () => {},
      event: options.event,
      warn: options.warn,
    }),
  };
}
