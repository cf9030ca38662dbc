/**
 * The specification's AlertManager, in the engine: every evaluation interval it samples each rule's
 * signal, steps the Prometheus state machine, persists states and history, and then decides (dispatcher)
 * what to tell which channel through the persistent outbox, which it drains with retries. It answers the
 * `alerts.*` API and pushes `alerts.changed` (the tray, the Alerts view) and `alerts.notify` (the desktop
 * notification, which the Electron main process or a browser shows).
 */
import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import {
  ALERT_SEVERITY_RANK,
  type AlertInstance,
  type AlertsSnapshot,
  type ChannelInfo,
  type Delivery,
  type DesktopNotification,
  type Matcher,
  type RuleInfo,
  type RulePreview,
  type RulesDocument,
  type Silence,
} from "../../../shared/alerts.js";
import type { ActionResult } from "../../../shared/servers.js";
import type { AdminAction } from "../audit/audit-log.js";
import type { TrackedEvent } from "../events/tracker.js";
import type { Db } from "../store/db.js";
import { iso, parseDuration, parseTimeSpec } from "../time.js";
import {
  addSilence,
  applyAlertRetention,
  expireSilence,
  listHistory,
  listSilences,
  loadInstances,
  pausedUntil,
  releaseLease,
  saveRuleStep,
  setAcknowledged,
  setMeta,
  takeLease,
} from "./alert-store.js";
import type { AlertNotification, Channel, DeliveryOutcome } from "./channels/channel.js";
import { type ChannelConfig, createChannel, describeTarget } from "./channels/index.js";
import { type Annotation, annotate, plan } from "./dispatcher.js";
import { loadGroups, saveGroups } from "./group-store.js";
import { attempt, type BackoffPolicy, dueDeliveries, enqueue, listDeliveries } from "./outbox.js";
import { previewRule } from "./preview.js";
import { ruleCondition } from "./rule-condition.js";
import {
  type AlertConfig,
  channelYamls,
  loadAlertConfig,
  maskedFileText,
  parseRuleYaml,
  putChannel,
  putRule,
  removeChannel,
  removeRule,
  ruleYaml,
} from "./rule-file.js";
import type { Rule } from "./rule-schema.js";
import { DbSignalSource, type SignalSource } from "./signals.js";
import { SkipReporter } from "./skipped.js";
import { type InstanceState, step } from "./state-machine.js";
import { defaultFormat, formatValue } from "./template.js";

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
  /** How often due deliveries and group timers are looked at (default 1 s). */
  tickMs?: number;
  /** The CLI: read and change silences, but leave evaluation and dispatch to the app's engine. */
  readOnly?: boolean;
}

const DESKTOP_GIVE_UP_MS = 10 * 60_000;
const DESKTOP_TARGET = "native notifications and the tray";

export class AlertManager {
  private config: AlertConfig;
  private problem: string | null;
  private fileStamp = "";
  private instances = new Map<string, InstanceState>();
  private annotations = new Map<string, Annotation>();
  private channels = new Map<string, Channel>();
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly signals: SignalSource;
  private readonly now: () => number;
  private evalTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private lastSnapshot = "";
  private lastRetentionAt = 0;
  private closed = false;
  private leader = false;
  private readonly owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly skipped: SkipReporter;

  constructor(private readonly options: AlertManagerOptions) {
    this.now = options.now ?? Date.now;
    this.signals = options.signals ?? new DbSignalSource(options.db);
    // The CLI reads the same store at every command: the engine that evaluates is the one to report.
    this.skipped = options.readOnly
      ? new SkipReporter(() => {})
      : new SkipReporter(options.event, options.warn);
    const loaded = loadAlertConfig(options.dataDir);
    this.config = loaded.config;
    this.problem = loaded.problem;
    this.fileStamp = this.stamp();
    this.buildChannels();
    for (const i of this.loadInstances()) this.instances.set(i.id, i);
    if (this.problem) options.warn(`alerts: ${this.problem}; using the built-in rules`);
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
      this.evalTimer = setTimeout(run, this.config.evaluationIntervalMs);
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

  /**
   * Only one engine per data dir evaluates and notifies (the app and `mcpscope serve` may both run): it
   * holds a lease in the store, renewed every evaluation. The others follow its states from the store.
   */
  private lead(at: number): boolean {
    if (this.options.readOnly) return false;
    try {
      this.leader = takeLease(
        this.options.db,
        this.owner,
        at,
        Math.max(30_000, 3 * this.config.evaluationIntervalMs),
      );
    } catch (error) {
      this.options.warn(`alerts: cannot take the evaluation lease: ${(error as Error).message}`);
      this.leader = false;
    }
    if (!this.leader) {
      this.instances = new Map(this.loadInstances().map((i) => [i.id, i]));
      this.annotateNow(at);
      this.pushSnapshot(at);
    }
    return this.leader;
  }

  private loadInstances(): InstanceState[] {
    return loadInstances(this.options.db, (id, problem) => this.skipped.skip("alert", id, problem));
  }

  private silencesAt(at: number): Silence[] {
    return this.skipped.usable(listSilences(this.options.db, false, at));
  }

  /** One evaluation of every rule at `at`, then the dispatch. Public for tests and `checkAlerts()`. */
  evaluate(at = this.now()): void {
    this.reloadIfChanged();
    if (!this.lead(at)) return;
    const { db } = this.options;
    const rules = new Map(this.config.rules.map((r) => [r.name, r]));
    const byRule = new Map<string, Map<string, InstanceState>>();
    for (const i of this.instances.values()) {
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
        this.skipped.skip("rule", name, (error as Error).message);
      }
    }
    this.dispatch(at);
    if (at - this.lastRetentionAt > 10 * 60_000) {
      this.lastRetentionAt = at;
      try {
        applyAlertRetention(db, this.config.historyRetentionMs, at);
      } catch (error) {
        this.options.warn(`alerts: cannot delete old history: ${(error as Error).message}`);
      }
    }
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
        samples = this.signals.sample(rule, at);
      } catch (error) {
        this.skipped.skip("rule", name, (error as Error).message);
        return; // keep its state as it is rather than resolve on a read error
      }
    }
    // A removed or disabled rule's alerts resolve.
    const effective = rule ?? ({ ...this.config.rules[0], name, keepFiringForMs: 0, forMs: 0 } as Rule);
    const { instances, transitions } = step(effective, previous, samples, at);
    const changed =
      transitions.length > 0 || instances.size !== previous.size || valuesChanged(previous, instances);
    if (!changed) return;
    saveRuleStep(this.options.db, name, instances.values(), transitions);
    for (const t of transitions)
      if (t.to === "firing" || t.to === "resolved") this.transitionEvent(t.instance, t.to, at);
    for (const id of previous.keys()) this.instances.delete(id);
    for (const [id, i] of instances) this.instances.set(id, i);
  }

  /** Firing and resolution as system events, so they show in the Events view and session timelines. */
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

  /** Group timers and the outbox: run every tick, between evaluations. */
  tick(at = this.now()): void {
    if (this.closed || !this.leader) return;
    try {
      this.dispatch(at);
    } catch (error) {
      this.options.warn(`alerts: dispatch failed: ${(error as Error).message}`);
    }
    void this.deliver(at);
  }

  private dispatch(at: number): void {
    const { db } = this.options;
    const all = [...this.instances.values()];
    this.annotations = annotate(all, this.silencesAt(at), this.config.inhibit);
    const groups = loadGroups(db, (key, problem) => this.skipped.skip("group", key, problem));
    const result = plan(all, this.annotations, this.config.routes, this.config.defaultRoute, groups, at);
    if (result.notifications.length || result.groups.length || result.forget.length) {
      db.transaction(() => {
        saveGroups(db, result.groups, result.forget);
        for (const planned of result.notifications)
          for (const channel of planned.route.channels)
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
    if (result.notifications.length) void this.deliver(at);
  }

  /** Tries what is due, a few at a time; a delivery is never tried twice at once. */
  async deliver(at = this.now()): Promise<void> {
    const { db } = this.options;
    let due: ReturnType<typeof dueDeliveries>;
    try {
      due = dueDeliveries(db, at, 20, (id, problem) =>
        this.skipped.skip("delivery", String(id), problem),
      ).filter((d) => !this.inFlight.has(d.id));
    } catch (error) {
      this.options.warn(`alerts: cannot read the outbox: ${(error as Error).message}`);
      return;
    }
    const started = due.slice(0, 8).map((d) => {
      const run = this.deliverOne(d).finally(() => this.inFlight.delete(d.id));
      this.inFlight.set(d.id, run);
      return run;
    });
    // Also waits for deliveries an earlier call started, so `await deliver()` means "tried what is due".
    await Promise.all([...started, ...this.inFlight.values()]);
  }

  private async deliverOne(d: ReturnType<typeof dueDeliveries>[number]): Promise<void> {
    const { db } = this.options;
    try {
      const channel = this.channel(d.channel);
      const policy: BackoffPolicy =
        d.channel === "desktop"
          ? { ...this.config.delivery, giveUpAfterMs: DESKTOP_GIVE_UP_MS }
          : this.config.delivery;
      const { status, outcome } = await attempt(db, d, channel, policy);
      if (status === "failed" && !outcome.ok) {
        this.options.event({
          category: "error",
          type: "alert.delivery_failed",
          // The desktop gives up when no window was open to show it: worth a note, not an alarm.
          severity: d.channel === "desktop" ? "low" : "high",
          message: `alert notification to ${d.channel} failed for good: ${outcome.error}`,
          details: {
            delivery: d.id,
            channel: d.channel,
            attempts: d.attempts + 1,
            title: d.notification.title,
          },
        });
      }
    } catch (error) {
      this.options.warn(`alerts: delivery ${d.id} to ${d.channel}: ${(error as Error).message}`);
    }
  }

  private channel(name: string): Channel | undefined {
    return this.channels.get(name);
  }

  private buildChannels(): void {
    const make = this.options.createChannel ?? createChannel;
    const channels = new Map<string, Channel>([["desktop", this.desktopChannel()]]);
    for (const config of this.config.channels) {
      try {
        channels.set(config.name, make(config));
      } catch (error) {
        this.options.warn(`alerts: channel ${config.name}: ${(error as Error).message}`);
      }
    }
    this.channels = channels;
  }

  /** The built-in channel: a desktop notification through whoever shows them (Electron main, a browser). */
  private desktopChannel(): Channel {
    return {
      name: "desktop",
      type: "desktop",
      target: DESKTOP_TARGET,
      send: async (n): Promise<DeliveryOutcome> => {
        if (pausedUntil(this.options.db, this.now()) !== null)
          return { ok: true, status: null, note: "not shown: notifications were paused" };
        if (!this.options.hasDesktop())
          return {
            ok: false,
            permanent: false,
            status: null,
            error: "no app window or browser is connected to show it",
          };
        const first = n.alerts[0];
        const more = n.alerts.length > 1 ? ` (+${n.alerts.length - 1} more)` : "";
        this.options.emit("alerts.notify", {
          deliveryId: n.deliveryId ?? 0,
          status: n.status === "resolved" ? "resolved" : "firing",
          severity: n.severity,
          title: n.title,
          body: `${first?.summary ?? ""}${more}`,
          alertIds: n.alerts.map((a) => a.id),
        });
        return { ok: true, status: null };
      },
    };
  }

  private stamp(): string {
    try {
      const s = statSync(`${this.options.dataDir}/alerts.yaml`);
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      return "none";
    }
  }

  private reloadIfChanged(force = false): void {
    const stamp = this.stamp();
    if (!force && stamp === this.fileStamp) return;
    this.fileStamp = stamp;
    const loaded = loadAlertConfig(this.options.dataDir, this.config);
    const hadProblem = this.problem;
    this.config = loaded.config;
    this.problem = loaded.problem;
    this.buildChannels();
    if (loaded.problem && loaded.problem !== hadProblem) {
      this.options.warn(`alerts: ${loaded.problem}; keeping the rules that were in effect`);
      this.options.event({
        category: "error",
        type: "alert.rules_invalid",
        severity: "medium",
        message: `the alert rule file is invalid: ${loaded.problem}`,
      });
    }
  }

  // ---- what the API returns

  private toApi(i: InstanceState): AlertInstance {
    const a = this.annotations.get(i.id);
    return {
      id: i.id,
      rule: i.rule,
      severity: i.severity,
      state: i.state,
      labels: i.labels,
      summary: i.summary,
      value: i.value,
      valueText: this.valueText(i),
      activeAt: iso(i.activeAt),
      firedAt: i.firedAt === null ? null : iso(i.firedAt),
      resolvedAt: i.resolvedAt === null ? null : iso(i.resolvedAt),
      silencedBy: a?.silencedBy ?? [],
      inhibited: a?.inhibited ?? false,
      acknowledged: i.acknowledged,
    };
  }

  /** Silences and inhibition as of now, without dispatching (the CLI's view). */
  annotateNow(at = this.now()): void {
    this.annotations = annotate([...this.instances.values()], this.silencesAt(at), this.config.inhibit);
  }

  private valueText(i: InstanceState): string {
    return this.formatFor(i.rule, i.value);
  }

  private formatFor(ruleName: string, value: number | null): string {
    const rule = this.config.rules.find((r) => r.name === ruleName);
    return rule ? formatValue(value, defaultFormat(rule)) : value === null ? "–" : String(value);
  }

  list(query: { status?: "pending" | "firing" | "resolved"; server?: string } = {}): AlertInstance[] {
    return [...this.instances.values()]
      .filter((i) => (query.status ? i.state === query.status : i.state !== "resolved"))
      .filter((i) => !query.server || i.labels.server === query.server)
      .sort(
        (a, b) =>
          Number(b.state === "firing") - Number(a.state === "firing") ||
          ALERT_SEVERITY_RANK[b.severity] - ALERT_SEVERITY_RANK[a.severity] ||
          a.activeAt - b.activeAt,
      )
      .map((i) => this.toApi(i));
  }

  snapshot(at = this.now()): AlertsSnapshot {
    const alerts = this.list();
    const loud = alerts.filter((a) => a.state === "firing" && a.silencedBy.length === 0);
    const worst = loud.some((a) => a.severity === "critical")
      ? "critical"
      : loud.some((a) => a.severity === "warning")
        ? "warning"
        : "ok";
    const paused = pausedUntil(this.options.db, at);
    return { alerts, worst, firing: loud.length, pausedUntil: paused === null ? null : iso(paused) };
  }

  private pushSnapshot(at: number): void {
    const snapshot = this.snapshot(at);
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
    this.options.emit("alerts.changed", snapshot);
  }

  history(query: Parameters<typeof listHistory>[1] & { sinceText?: string }) {
    const since = query.sinceText ? parseTimeSpec(query.sinceText, this.now()) : query.since;
    return listHistory(this.options.db, { ...query, since }).map((e) => ({
      ...e,
      valueText: this.formatFor(e.rule, e.value),
    }));
  }

  silence(input: { matchers: Matcher[]; duration: string; comment?: string; createdBy?: string }): Silence {
    const durationMs = parseDuration(input.duration);
    const silence = addSilence(this.options.db, { ...input, durationMs }, this.now());
    this.options.audit({
      action: "alert_silence",
      actor: input.createdBy ?? "app",
      target: silence.id,
      details: { matchers: input.matchers, duration: input.duration, comment: input.comment ?? "" },
    });
    if (!this.options.readOnly) this.dispatch(this.now());
    return silence;
  }

  unsilence(id: string, actor = "app"): ActionResult {
    const ok = expireSilence(this.options.db, id, this.now());
    if (ok) this.options.audit({ action: "alert_unsilence", actor, target: id });
    if (!this.options.readOnly) this.dispatch(this.now());
    return { ok, message: ok ? `silence ${id} expired` : `no active silence ${id}` };
  }

  silences(includeExpired = false): Silence[] {
    return listSilences(this.options.db, includeExpired, this.now());
  }

  acknowledge(id: string): ActionResult {
    const ok = setAcknowledged(this.options.db, id);
    const i = this.instances.get(id);
    if (ok && i) i.acknowledged = true;
    if (ok) this.options.audit({ action: "alert_acknowledge", actor: "app", target: id });
    this.pushSnapshot(this.now());
    return {
      ok,
      message: ok ? "acknowledged: no repeat notifications until it resolves" : `no firing alert ${id}`,
    };
  }

  rules(): RulesDocument {
    const loaded = loadAlertConfig(this.options.dataDir, this.config);
    return {
      path: loaded.path,
      text: maskedFileText(loaded.text),
      problem: loaded.problem,
      evaluationIntervalMs: this.config.evaluationIntervalMs,
      rules: loaded.config.rules.map(
        (r): RuleInfo => ({
          name: r.name,
          kind: r.kind,
          builtin: r.builtin,
          enabled: r.enabled,
          severity: r.severity,
          yaml: ruleYaml(r),
          description: r.description,
          condition: ruleCondition(r),
        }),
      ),
    };
  }

  putRule(yamlText: string, replaces?: string): ActionResult {
    const rule = putRule(this.options.dataDir, yamlText, replaces);
    this.options.audit({ action: "alert_rule_put", actor: "app", target: rule.name });
    this.reloadIfChanged(true);
    return { ok: true, message: `rule ${rule.name} saved` };
  }

  removeRule(name: string): ActionResult {
    const what = removeRule(this.options.dataDir, name);
    if (what !== "missing")
      this.options.audit({ action: "alert_rule_remove", actor: "app", target: name, outcome: what });
    this.reloadIfChanged(true);
    return what === "missing"
      ? { ok: false, message: `no rule named ${name} in the file` }
      : { ok: true, message: `rule ${name} ${what}` };
  }

  async preview(yamlText: string, range = "24h"): Promise<RulePreview> {
    let rule: Rule;
    try {
      rule = parseRuleYaml(yamlText);
    } catch (error) {
      return { ok: false, error: (error as Error).message, stepMs: 0, series: [], firings: [] };
    }
    return previewRule(
      rule,
      this.signals,
      this.now(),
      parseDuration(range),
      this.config.evaluationIntervalMs,
    );
  }

  channelsDocument() {
    const yamls = channelYamls(this.options.dataDir);
    const lastTest = (channel: string) =>
      listDeliveries(this.options.db, { channel, kind: "test", limit: 1 })[0] ?? null;
    const channels: ChannelInfo[] = [
      {
        name: "desktop",
        type: "desktop",
        target: DESKTOP_TARGET,
        builtin: true,
        yaml: "",
        lastTest: lastTest("desktop"),
      },
      ...this.config.channels.map((c) => ({
        name: c.name,
        type: c.type,
        target: describeTarget(c),
        builtin: false,
        yaml: yamls.get(c.name) ?? "",
        lastTest: lastTest(c.name),
      })),
    ];
    const paused = pausedUntil(this.options.db, this.now());
    const route = (r: AlertConfig["defaultRoute"]) => ({ ...r });
    return {
      channels,
      routes: [...this.config.routes.map(route), route(this.config.defaultRoute)],
      pausedUntil: paused === null ? null : iso(paused),
    };
  }

  putChannel(yamlText: string, replaces?: string): ActionResult {
    putChannel(this.options.dataDir, yamlText, this.config.channels, replaces);
    this.options.audit({ action: "alert_channel_put", actor: "app", target: replaces ?? null });
    this.reloadIfChanged(true);
    return { ok: true, message: "channel saved" };
  }

  removeChannel(name: string): ActionResult {
    const ok = removeChannel(this.options.dataDir, name);
    if (ok) this.options.audit({ action: "alert_channel_remove", actor: "app", target: name });
    this.reloadIfChanged(true);
    return { ok, message: ok ? `channel ${name} removed` : `no channel named ${name} in the file` };
  }

  /** A test notification through one channel, tried once now; retried by the outbox like any other. */
  async test(channelName: string): Promise<Delivery> {
    this.reloadIfChanged();
    const channel = this.channel(channelName);
    if (!channel)
      throw new Error(`no channel named ${channelName}; known: ${[...this.channels.keys()].join(", ")}`);
    const at = this.now();
    const notification: AlertNotification = testNotification(channelName, at);
    const id = enqueue(this.options.db, channelName, "test", notification, at);
    const [due] = dueDeliveries(this.options.db, Number.MAX_SAFE_INTEGER, 1000).filter((d) => d.id === id);
    if (due && !this.inFlight.has(id)) {
      const run = attempt(this.options.db, due, channel, this.config.delivery)
        .then(() => {})
        .finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, run);
      await run;
    }
    return listDeliveries(this.options.db, { id })[0] as Delivery;
  }

  deliveries(query: Parameters<typeof listDeliveries>[1]): Delivery[] {
    return listDeliveries(this.options.db, query);
  }

  pause(duration: string | null): ActionResult {
    const until = duration === null ? null : this.now() + parseDuration(duration);
    setMeta(this.options.db, "paused_until", until === null ? null : String(until));
    this.options.audit({
      action: "alert_pause",
      actor: "app",
      details: { until: until === null ? null : iso(until) },
    });
    this.pushSnapshot(this.now());
    return {
      ok: true,
      message: until === null ? "notifications resumed" : `notifications paused until ${iso(until)}`,
    };
  }
}

export function testNotification(channel: string, at: number): AlertNotification {
  return {
    version: "1",
    status: "test",
    severity: "info",
    receiver: channel,
    groupKey: "test",
    groupLabels: {},
    title: "[TEST] mcpscope test notification",
    alerts: [
      {
        id: "test",
        rule: "test",
        status: "firing",
        severity: "info",
        labels: { alertname: "test", severity: "info" },
        summary: `A test from mcpscope: if you read this, the ${channel} channel works.`,
        value: null,
        startsAt: iso(at),
        endsAt: null,
      },
    ],
    createdAt: iso(at),
  };
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
