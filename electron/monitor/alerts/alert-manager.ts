/**
 * The engine's alerting, put together from units with one job each:
 * - `AlertConfigFile` (alert-config.ts): the rule file, reloaded when it changes;
 * - `AlertEvaluator` (evaluator.ts): the evaluation lease and loop, states, history, dispatch;
 * - `AlertDeliverer` (deliverer.ts): channels, the desktop channel, the outbox with retries;
 * - `AlertQueries` (alert-queries.ts): read-only answers, over the evaluator's live states;
 * - `AlertEdits` (alert-edits.ts): silences, acknowledgement, pause, rule and channel edits; the lease
 *   holder also applies those the CLI asks of it (engine-requests.ts).
 * The `alerts.*` API methods are served from these (alert-handlers.ts); where no engine runs, the CLI
 * serves the same handlers over the stored states (stored-alerts.ts). It pushes `alerts.changed` (the
 * tray, the Alerts view) and `alerts.notify` (the desktop notification).
 */
import type { AlertsSnapshot, DesktopNotification } from "../../../shared/alerts.js";
import type { AdminAction } from "../audit/audit-log.js";
import type { TrackedEvent } from "../events/tracker.js";
import type { Db } from "../store/db.js";
import { AlertConfigFile } from "./alert-config.js";
import { AlertEdits } from "./alert-edits.js";
import { AlertQueries } from "./alert-queries.js";
import type { Channel } from "./channels/channel.js";
import type { ChannelConfig } from "./channels/index.js";
import { AlertDeliverer } from "./deliverer.js";
import { editRoute } from "./edit-route.js";
import {
  applyForwarded,
  askEngine,
  engineSilent,
  type ForwardedAnswer,
  type ForwardedInput,
  type ForwardedMethod,
  serveRequests,
} from "./engine-requests.js";
import { holdsLease } from "./evaluation-lease.js";
import { AlertEvaluator } from "./evaluator.js";
import { DbSignalSource, type SignalSource } from "./signals.js";
import { SkipReporter } from "./skipped.js";

export { testNotification } from "./deliverer.js";

export interface AlertManagerOptions {
  dataDir: string;
  db: Db;
  emit(event: "alerts.changed", payload: AlertsSnapshot): void;
  emit(event: "alerts.notify", payload: DesktopNotification): void;
  /** Whether anyone shows desktop notifications now (the app's main process, a browser). */
  hasDesktop(): boolean;
  /** Error events (a delivery that failed for good, a broken rule file). */
  event(event: TrackedEvent): void;
  audit(action: AdminAction): void;
  warn(problem: string): void;
  now?: () => number;
  /** Tests replace channels; the app makes them from their configs. */
  createChannel?: (config: ChannelConfig) => Channel;
  signals?: SignalSource;
  /**
   * The servers in the inventory now whose health counts (by name: not those only entries their clients
   * switched off name); without it every recorded server counts.
   */
  servers?: () => ReadonlySet<string> | null;
  /** How often due deliveries and group timers are looked at (default 1 s). */
  tickMs?: number;
}

/** What the `alerts.*` handlers are served from. */
export interface AlertServices {
  readonly queries: AlertQueries;
  readonly edits: AlertEdits;
  readonly deliverer: AlertDeliverer;
  /**
   * An acknowledgement, pause or silence made here while another engine evaluates, asked of that engine
   * as the CLI asks it; null when it is applied here (this engine evaluates, or none does).
   */
  forwarded?(method: ForwardedMethod, input: ForwardedInput): Promise<ForwardedAnswer> | null;
}

export class AlertManager implements AlertServices {
  readonly config: AlertConfigFile;
  readonly evaluator: AlertEvaluator;
  readonly deliverer: AlertDeliverer;
  readonly queries: AlertQueries;
  readonly edits: AlertEdits;

  private readonly db: Db;
  private readonly dataDir: string;

  constructor(options: AlertManagerOptions) {
    const now = options.now ?? Date.now;
    const { db } = options;
    this.db = db;
    this.dataDir = options.dataDir;
    // The evaluator looks at the servers there are now; the preview at what happened, removed ones too.
    const signals = options.signals ?? new DbSignalSource(db, options.servers);
    const skipped = new SkipReporter(options.event, options.warn);
    this.config = new AlertConfigFile(options.dataDir, options, true);
    this.deliverer = new AlertDeliverer({
      db,
      config: this.config,
      now,
      skipped,
      hasDesktop: options.hasDesktop,
      notify: (n) => options.emit("alerts.notify", n),
      event: options.event,
      warn: options.warn,
      createChannel: options.createChannel,
    });
    this.evaluator = new AlertEvaluator({
      db,
      config: this.config,
      signals,
      deliverer: this.deliverer,
      skipped,
      now,
      snapshot: (at) => this.queries.snapshot(at),
      changed: (snapshot) => options.emit("alerts.changed", snapshot),
      event: options.event,
      warn: options.warn,
      tickMs: options.tickMs,
      requests: (owner) =>
        serveRequests(
          db,
          (method, input, actor) => applyForwarded(this.edits, method, input, actor),
          () => holdsLease(db, owner),
        ),
    });
    this.queries = new AlertQueries({
      db,
      config: this.config,
      state: this.evaluator,
      signals: options.signals ?? new DbSignalSource(db),
      now,
    });
    this.edits = new AlertEdits({
      db,
      config: this.config,
      audit: options.audit,
      now,
      hooks: {
        silencesChanged: () => this.evaluator.redispatch(),
        acknowledged: (id, acknowledged, ok) => this.evaluator.acknowledged(id, acknowledged, ok),
        pauseChanged: () => this.evaluator.pushSnapshot(now()),
      },
    });
  }

  forwarded(method: ForwardedMethod, input: ForwardedInput): Promise<ForwardedAnswer> | null {
    if (!this.evaluator.evaluatesElsewhere()) return null;
    // Stored here (silences, for an evaluating engine that reads them from the store) or refused (an
    // engine that applies no such request) as the CLI's are.
    const route = editRoute(this.db, this.dataDir, method, this.evaluator.leaseOwner);
    if (route.to === "store") return null;
    if (route.to === "refused") return Promise.resolve({ ok: false, message: route.message });
    return askEngine(this.db, { method, input, actor: "app" }).then((answer) => {
      // This engine's window shows what the evaluating engine now holds, without waiting to evaluate.
      this.evaluator.follow();
      return answer ?? { ok: false, message: engineSilent() };
    });
  }

  start(): void {
    this.evaluator.start();
  }

  close(): void {
    this.evaluator.close();
  }

  // Shorthands for the units' methods, as the engine and its tests use them.
  evaluate(at?: number): void {
    this.evaluator.evaluate(at);
  }
  tick(at?: number): void {
    this.evaluator.tick(at);
  }
  deliver(at?: number): Promise<void> {
    return this.deliverer.deliver(at);
  }
  test: AlertDeliverer["test"] = (channel) => this.deliverer.test(channel);
  list: AlertQueries["list"] = (query) => this.queries.list(query);
  snapshot: AlertQueries["snapshot"] = (at) => this.queries.snapshot(at);
  history: AlertQueries["history"] = (query) => this.queries.history(query);
  silences: AlertQueries["silences"] = (includeExpired) => this.queries.silences(includeExpired);
  deliveries: AlertQueries["deliveries"] = (query) => this.queries.deliveries(query);
  rules: AlertQueries["rules"] = () => this.queries.rules();
  channelsDocument: AlertQueries["channelsDocument"] = () => this.queries.channelsDocument();
  preview: AlertQueries["preview"] = (yaml, range) => this.queries.preview(yaml, range);
  silence: AlertEdits["silence"] = (input) => this.edits.silence(input);
  unsilence: AlertEdits["unsilence"] = (id, actor) => this.edits.unsilence(id, actor);
  acknowledge: AlertEdits["acknowledge"] = (id, actor) => this.edits.acknowledge(id, actor);
  unacknowledge: AlertEdits["unacknowledge"] = (id, actor) => this.edits.unacknowledge(id, actor);
  pause: AlertEdits["pause"] = (duration, actor) => this.edits.pause(duration, actor);
  putRule: AlertEdits["putRule"] = (yaml, replaces) => this.edits.putRule(yaml, replaces);
  removeRule: AlertEdits["removeRule"] = (name) => this.edits.removeRule(name);
  putChannel: AlertEdits["putChannel"] = (yaml, replaces) => this.edits.putChannel(yaml, replaces);
  removeChannel: AlertEdits["removeChannel"] = (name) => this.edits.removeChannel(name);
}
