/**
 * Read-only alert queries: current alerts, the snapshot, history, silences, deliveries, the rule file and
 * channels, and a rule's preview. The engine's `alerts.*` handlers and the CLI answer from this one unit;
 * only the state view differs: the evaluator's live states in the engine, the stored ones elsewhere.
 */
import {
  ALERT_SEVERITY_RANK,
  type AlertInstance,
  type AlertsQuery,
  type AlertsSnapshot,
  type ChannelInfo,
  countsAsFiring,
  type Delivery,
  type RuleInfo,
  type RulePreview,
  type RulesDocument,
  type Silence,
  worstFiring,
} from "../../../shared/alerts.js";
import type { Db } from "../store/db.js";
import { iso, parseDuration, parseTimeSpec } from "../time.js";
import type { AlertConfigFile } from "./alert-config.js";
import { listHistory, listSilences, loadInstances, pausedUntil } from "./alert-store.js";
import { channelViews } from "./channel-file.js";
import { describeTarget } from "./channels/index.js";
import { maskedFileText, maskStoredSecrets } from "./channels/secrets.js";
import { type Annotation, annotate } from "./dispatcher.js";
import { loadAlertConfig } from "./loaded-config.js";
import { listDeliveries } from "./outbox.js";
import { previewRule } from "./preview.js";
import { ruleCondition } from "./rule-condition.js";
import { type AlertConfig, parseRuleYaml, ruleYamls } from "./rule-file.js";
import type { Rule } from "./rule-schema.js";
import type { SignalSource } from "./signals.js";
import type { SkipReporter } from "./skipped.js";
import type { InstanceState } from "./state-machine.js";
import { alertValueText } from "./template.js";

export const DESKTOP_TARGET = "native notifications and the tray";

/** The alert states to answer from, with their silences and inhibition. */
export interface AlertStateView {
  instances(): Iterable<InstanceState>;
  annotation(id: string): Annotation | undefined;
}

/** The silences that can be applied at `at`; broken ones are reported once and left out. */
export function usableSilences(db: Db, skipped: SkipReporter, at: number): Silence[] {
  return skipped.usable(listSilences(db, false, at));
}

/** The states as last stored by whichever engine evaluates, with silences and inhibition as of now. */
export function storedAlertState(
  db: Db,
  config: AlertConfigFile,
  skipped: SkipReporter,
  now: () => number,
): AlertStateView {
  let annotations = new Map<string, Annotation>();
  return {
    instances() {
      const all = loadInstances(db, (id, problem) => skipped.skip("alert", id, problem));
      annotations = annotate(all, usableSilences(db, skipped, now()), config.config.inhibit);
      return all;
    },
    annotation: (id) => annotations.get(id),
  };
}

export interface AlertQueriesOptions {
  db: Db;
  config: AlertConfigFile;
  state: AlertStateView;
  signals: SignalSource;
  now: () => number;
}

export class AlertQueries {
  constructor(private readonly options: AlertQueriesOptions) {}

  private get config(): AlertConfig {
    return this.options.config.config;
  }

  list(query: AlertsQuery = {}): AlertInstance[] {
    return [...this.options.state.instances()]
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

  snapshot(at = this.options.now()): AlertsSnapshot {
    const alerts = this.list();
    const paused = pausedUntil(this.options.db, at);
    return {
      alerts,
      worst: worstFiring(alerts),
      firing: alerts.filter(countsAsFiring).length,
      pausedUntil: paused === null ? null : iso(paused),
    };
  }

  history(query: Parameters<typeof listHistory>[1] & { sinceText?: string }) {
    const since = query.sinceText ? parseTimeSpec(query.sinceText, this.options.now()) : query.since;
    return listHistory(this.options.db, { ...query, since }).map((e) => ({
      ...e,
      valueText: this.formatFor(e.rule, e.value),
    }));
  }

  silences(includeExpired = false): Silence[] {
    return listSilences(this.options.db, includeExpired, this.options.now());
  }

  deliveries(query: Parameters<typeof listDeliveries>[1]): Delivery[] {
    return listDeliveries(this.options.db, query);
  }

  rules(): RulesDocument {
    const loaded = loadAlertConfig(this.options.config.dataDir);
    const yamls = ruleYamls(loaded.text, loaded.config.rules);
    return {
      path: loaded.path,
      text: maskedFileText(loaded.text),
      problem: loaded.problem,
      inEffect: loaded.inEffect,
      evaluationIntervalMs: this.config.evaluationIntervalMs,
      rules: loaded.config.rules.map(
        (r): RuleInfo => ({
          name: r.name,
          kind: r.kind,
          builtin: r.builtin,
          enabled: r.enabled,
          severity: r.severity,
          yaml: yamls.get(r.name) ?? "",
          description: r.description,
          // What a rule matches is kept as written (a log pattern may alias a channel secret to watch for it).
          condition: maskStoredSecrets(ruleCondition(r), loaded.config.secretValues),
        }),
      ),
    };
  }

  channelsDocument() {
    const { db } = this.options;
    const { yamls, known } = channelViews(this.options.config.dataDir);
    const lastTest = (channel: string) => listDeliveries(db, { channel, kind: "test", limit: 1 })[0] ?? null;
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
        target: describeTarget(c, known),
        builtin: false,
        yaml: yamls.get(c.name) ?? "",
        lastTest: lastTest(c.name),
      })),
    ];
    const paused = pausedUntil(db, this.options.now());
    const route = (r: AlertConfig["defaultRoute"]) => ({ ...r });
    return {
      channels,
      routes: [...this.config.routes.map(route), route(this.config.defaultRoute)],
      pausedUntil: paused === null ? null : iso(paused),
    };
  }

  async preview(yamlText: string, range = "24h"): Promise<RulePreview> {
    let rule: Rule;
    try {
      rule = parseRuleYaml(yamlText);
    } catch (error) {
      return {
        ok: false,
        error: (error as Error).message,
        stepMs: 0,
        series: [],
        firings: [],
        capped: false,
        approximate: false,
      };
    }
    return previewRule(
      rule,
      this.options.signals,
      this.options.now(),
      parseDuration(range),
      this.config.evaluationIntervalMs,
    );
  }

  private toApi(i: InstanceState): AlertInstance {
    const a = this.options.state.annotation(i.id);
    return {
      id: i.id,
      rule: i.rule,
      severity: i.severity,
      state: i.state,
      labels: i.labels,
      summary: i.summary,
      value: i.value,
      valueText: this.formatFor(i.rule, i.value),
      activeAt: iso(i.activeAt),
      firedAt: i.firedAt === null ? null : iso(i.firedAt),
      resolvedAt: i.resolvedAt === null ? null : iso(i.resolvedAt),
      silencedBy: a?.silencedBy ?? [],
      inhibited: a?.inhibited ?? false,
      acknowledged: i.acknowledged,
    };
  }

  private formatFor(ruleName: string, value: number | null): string {
    return alertValueText(this.config.rules, ruleName, value);
  }
}
