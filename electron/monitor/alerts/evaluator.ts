/**
 * The alert evaluator: holds the evaluation lease (one engine per data dir evaluates), and on its loop
 * samples each rule's signal, steps the Prometheus state machine, persists states and history, then
 * plans (dispatcher) what to tell which channel into the outbox and hands it to the deliverer. Between
 * evaluations it runs group timers and the outbox every tick. Its live states are the queries' view.
 */
import { randomUUID } from "node:crypto";
import type { AlertsSnapshot } from "../../../shared/alerts.js";
import type { TrackedEvent } from "../events/tracker.js";
import type { Db } from "../store/db.js";
import { LeaseWatch, selfHolder } from "../store/engine-leases.js";
import type { AlertConfigFile } from "./alert-config.js";
import { type AlertStateView, usableSilences } from "./alert-queries.js";
import { loadInstances, saveRuleStep } from "./alert-store.js";
import type { AlertNotification } from "./channels/channel.js";
import type { AlertDeliverer } from "./deliverer.js";
import { type Annotation, annotate, plan } from "./dispatcher.js";
import { leaseHeldByOther, releaseLease, takeLease } from "./evaluation-lease.js";
import { loadGroups, saveGroups } from "./group-store.js";
import { enqueue } from "./outbox.js";
import type { Rule } from "./rule-schema.js";
import type { SignalSource } from "./signals.js";
import type { SkipReporter } from "./skipped.js";
import { type InstanceState, step } from "./state-machine.js";
import { alertValueText } from "./template.js";

export interface AlertEvaluatorOptions {
  db: Db;
  config: AlertConfigFile;
  signals: SignalSource;
  deliverer: AlertDeliverer;
  skipped: SkipReporter;
  now: () => number;
  /** The snapshot to push when it changed (the queries answer it from this evaluator's states). */
  snapshot(at: number): AlertsSnapshot;
  changed(snapshot: AlertsSnapshot): void;
  /** Firing and resolution as events; they show in the Events view and session timelines. */
  event(event: TrackedEvent): void;
  warn(problem: string): void;
  /** How often due deliveries and group timers are looked at (default 1 s). */
  tickMs?: number;
  /**
   * Applies the edits other processes asked of the lease holder (engine-requests.ts), every tick; `owner`
   * names this evaluator's lease, checked again as each is applied. Returns how many it applied.
   */
  requests?(owner: string): number;
}

export class AlertEvaluator implements AlertStateView {
  private states = new Map<string, InstanceState>();
  private annotations = new Map<string, Annotation>();
  private evalTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private lastSnapshot = "";
  private closed = false;
  private leader = false;
  private readonly self = selfHolder(`${process.pid}-${randomUUID().slice(0, 8)}`);
  private readonly owner = this.self.owner;
  /** Another engine's lease, as renewed last: taken over once unrenewed for a lease on this one's checks. */
  private readonly watch = new LeaseWatch(() => 2 * this.options.config.config.evaluationIntervalMs);

  constructor(private readonly options: AlertEvaluatorOptions) {
    for (const i of this.loadStates()) this.states.set(i.id, i);
  }

  instances(): Iterable<InstanceState> {
    return this.states.values();
  }

  annotation(id: string): Annotation | undefined {
    return this.annotations.get(id);
  }

  /** Starts evaluating on its interval and draining the outbox every tick. */
  start(): void {
    const run = () => {
      if (this.closed) return;
      try {
        this.evaluate();
      } catch (error) {
        this.options.warn(`alerts: evaluation failed: ${(error as Error).message}; retrying next interval`);
      }
      this.evalTimer = setTimeout(run, this.options.config.config.evaluationIntervalMs);
      this.evalTimer.unref?.();
    };
    // The first evaluation right after start-up, not during it.
    this.evalTimer = setTimeout(run, 0);
    this.evalTimer.unref?.();
    this.tickTimer = setInterval(() => this.tick(), this.options.tickMs ?? 1000);
    this.tickTimer.unref?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.evalTimer) clearTimeout(this.evalTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.leader) {
      try {
        releaseLease(this.options.db, this.owner);
      } catch {
        // The lease runs out by itself.
      }
    }
  }

  /** One evaluation of every rule at `at`, then the dispatch. */
  evaluate(at = this.options.now()): void {
    const { config } = this.options;
    config.reloadIfChanged();
    if (!this.lead(at)) return;
    at = this.serveRequests(at);
    const rules = new Map(config.config.rules.map((r) => [r.name, r]));
    const byRule = new Map<string, Map<string, InstanceState>>();
    for (const i of this.states.values()) {
      let m = byRule.get(i.rule);
      if (!m) {
        m = new Map();
        byRule.set(i.rule, m);
      }
      m.set(i.id, i);
    }
    const names = new Set([...rules.keys(), ...byRule.keys()]);
    for (const name of names) {
      try {
        this.evaluateRule(name, rules.get(name), byRule.get(name), at);
      } catch (error) {
        // One rule that cannot be evaluated must not stop the others.
        this.options.skipped.skip("rule", name, (error as Error).message);
      }
    }
    this.dispatch(at);
  }

  /**
   * Group timers and the outbox: run every tick, between evaluations. An engine without the lease still
   * shows the desktop notifications the lease holder queued, if it has a window or browser to show them.
   */
  tick(at = this.options.now()): void {
    if (this.closed) return;
    if (!this.leader) {
      void this.options.deliverer.showDesktop(at);
      return;
    }
    at = this.serveRequests(at);
    try {
      this.dispatch(at);
    } catch (error) {
      this.options.warn(`alerts: dispatch failed: ${(error as Error).message}`);
    }
    void this.options.deliverer.deliver(at);
  }

  /**
   * After a silence changed: silences and inhibition as of `at`, then what to tell whom. Only the
   * evaluating engine tells anyone: one that does not would plan on the states it last followed, and
   * notify beside the evaluating engine; it shows the change.
   */
  redispatch(at = this.options.now()): void {
    if (this.leader) this.dispatch(at);
    else this.follow(at);
  }

  /**
   * An acknowledged alert stops repeating at once, without waiting for the next evaluation; one whose
   * acknowledgement was taken back repeats again.
   */
  acknowledged(id: string, acknowledged: boolean, ok: boolean): void {
    const i = this.states.get(id);
    if (ok && i) i.acknowledged = acknowledged;
    this.pushSnapshot(this.options.now());
  }

  /** Silences and inhibition as of now, without dispatching. */
  annotateNow(at = this.options.now()): void {
    this.annotations = annotate(
      [...this.states.values()],
      usableSilences(this.options.db, this.options.skipped, at),
      this.options.config.config.inhibit,
    );
  }

  pushSnapshot(at: number): void {
    const snapshot = this.options.snapshot(at);
    const key = JSON.stringify({
      ...snapshot,
      alerts: snapshot.alerts.map((a) => [
        a.id,
        a.state,
        a.silencedBy,
        a.inhibited,
        a.acknowledged,
        a.summary,
      ]),
    });
    if (key === this.lastSnapshot) return;
    this.lastSnapshot = key;
    this.options.changed(snapshot);
  }

  /**
   * Only one engine per data dir evaluates and notifies (the app and `mcpscope serve` may both run): it
   * holds a lease in the store, renewed every evaluation. The others follow its states from the store.
   */
  private lead(at: number): boolean {
    try {
      this.leader = takeLease(
        this.options.db,
        this.self,
        at,
        Math.max(30_000, 3 * this.options.config.config.evaluationIntervalMs),
        this.watch,
      );
    } catch (error) {
      this.options.warn(`alerts: cannot take the evaluation lease: ${(error as Error).message}`);
      this.leader = false;
    }
    if (!this.leader) this.follow(at);
    return this.leader;
  }

  /** Who this evaluator is in the evaluation lease. */
  get leaseOwner(): string {
    return this.owner;
  }

  /**
   * Whether another engine evaluates now: an edit of what it keeps in its states (an acknowledgement,
   * the pause) is asked of it (engine-requests.ts), or its next write-back would undo it here.
   */
  evaluatesElsewhere(at = this.options.now()): boolean {
    if (this.leader) return false;
    try {
      return leaseHeldByOther(this.options.db, this.owner, at);
    } catch {
      return false;
    }
  }

  /** Without the lease: the lease holder's states, as stored, shown here. */
  follow(at = this.options.now()): void {
    this.states = new Map(this.loadStates().map((i) => [i.id, i]));
    this.annotateNow(at);
    this.pushSnapshot(at);
  }

  /**
   * Applies what was asked of this engine; returns the time to go on at: after what it applied (a silence
   * starts when it is made), so that the dispatch that follows does not undo it.
   */
  private serveRequests(at: number): number {
    try {
      if (this.options.requests?.(this.owner)) return Math.max(at, this.options.now());
    } catch (error) {
      this.options.warn(`alerts: cannot apply what the CLI asked: ${(error as Error).message}`);
    }
    return at;
  }

  private loadStates(): InstanceState[] {
    return loadInstances(this.options.db, (id, problem) => this.options.skipped.skip("alert", id, problem));
  }

  private evaluateRule(
    name: string,
    rule: Rule | undefined,
    previousOfRule: Map<string, InstanceState> | undefined,
    at: number,
  ): void {
    const previous = previousOfRule ?? new Map<string, InstanceState>();
    if (!rule && previous.size === 0) return;
    let samples: ReturnType<SignalSource["sample"]> = [];
    if (rule?.enabled) {
      try {
        samples = this.options.signals.sample(rule, at);
      } catch (error) {
        this.options.skipped.skip("rule", name, (error as Error).message);
        return; // keep its state as it is rather than resolve on a read error
      }
    }
    // A removed or disabled rule's alerts resolve.
    const effective =
      rule ?? ({ ...this.options.config.config.rules[0], name, keepFiringForMs: 0, forMs: 0 } as Rule);
    const { instances, transitions } = step(effective, previous, samples, at);
    const changed =
      transitions.length > 0 || instances.size !== previous.size || valuesChanged(previous, instances);
    if (!changed) return;
    saveRuleStep(this.options.db, name, instances.values(), transitions);
    for (const t of transitions)
      if (t.to === "firing" || t.to === "resolved") this.transitionEvent(t.instance, t.to, at);
    for (const id of previous.keys()) this.states.delete(id);
    for (const [id, i] of instances) this.states.set(id, i);
  }

  private transitionEvent(i: InstanceState, to: "firing" | "resolved", at: number): void {
    this.options.event({
      time: at,
      category: "system",
      type: `alert.${to}`,
      severity:
        to === "resolved"
          ? "info"
          : i.severity === "critical"
            ? "high"
            : i.severity === "warning"
              ? "medium"
              : "low",
      server: i.labels.server ?? null,
      message: `${to === "firing" ? "alert firing" : "alert resolved"}: ${i.rule}: ${i.summary}`,
      details: { alertId: i.id, rule: i.rule, labels: i.labels, value: i.value },
    });
  }

  private dispatch(at: number): void {
    const { db, config, skipped } = this.options;
    const all = [...this.states.values()];
    this.annotations = annotate(all, usableSilences(db, skipped, at), config.config.inhibit);
    const groups = loadGroups(db, (key, problem) => skipped.skip("group", key, problem));
    const result = plan(
      all,
      this.annotations,
      config.config.routes,
      config.config.defaultRoute,
      groups,
      at,
      (i) => alertValueText(config.config.rules, i.rule, i.value),
    );
    if (result.notifications.length || result.groups.length || result.forget.length) {
      db.transaction(() => {
        saveGroups(db, result.groups, result.forget);
        for (const planned of result.notifications)
          for (const channel of planned.channels)
            enqueue(
              db,
              channel,
              planned.notification.status as "firing" | "resolved",
              { ...planned.notification, receiver: channel } as AlertNotification,
              at,
            );
      });
    }
    this.pushSnapshot(at);
    if (result.notifications.length) void this.options.deliverer.deliver(at);
  }
}

function valuesChanged(
  a: ReadonlyMap<string, InstanceState>,
  b: ReadonlyMap<string, InstanceState>,
): boolean {
  for (const [id, i] of b) {
    const before = a.get(id);
    if (before !== i && JSON.stringify(before) !== JSON.stringify(i)) return true;
  }
  return false;
}
