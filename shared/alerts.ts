/**
 * Alerts as the engine returns them: instances of rules with Prometheus' states, their history, silences,
 * notification channels and the delivery log. The rule file itself is `<dataDir>/alerts.yaml`
 * (electron/monitor/alerts/rule-file.ts); these are the shapes that cross the API.
 */
import { z } from "zod";
import { DurationTextSchema, PageLimitSchema } from "./units.js";

export const AlertSeveritySchema = z.enum(["info", "warning", "critical"]);
export type AlertSeverityName = z.infer<typeof AlertSeveritySchema>;
/** Higher is worse. */
export const ALERT_SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;
/** How the API shows a channel's stored secret; saved back unchanged, it keeps the stored value. */
export const SECRET_MASK = "••••••";

/** What a rule watches: the `kind` of a rule in alerts.yaml. */
export const RULE_KINDS = ["metric", "absence", "health", "logs", "log_template", "event"] as const;
export const RuleKindSchema = z.enum(RULE_KINDS);
export type RuleKind = z.infer<typeof RuleKindSchema>;
export const AlertStateSchema = z.enum(["pending", "firing", "resolved"]);
export type AlertState = z.infer<typeof AlertStateSchema>;
/** A state change's ends: an alert comes from `inactive` (no instance yet). */
const AlertTransitionStateSchema = z.enum(["inactive", ...AlertStateSchema.options]);

const Labels = z.record(z.string(), z.string());

/** One instance of a rule: one label group (server, tool…) of its signal. */
export const AlertInstanceSchema = z.lazy(() =>
  z.object({
    /** Stable for the rule and labels: the same alert across restarts. */
    id: z.string(),
    rule: z.string(),
    severity: AlertSeveritySchema,
    state: AlertStateSchema,
    labels: Labels,
    summary: z.string(),
    value: z.number().nullable(),
    /** The value as the rule's summary formats it: `75%`, `5.2 s`, `1.2 GiB`, `3`. */
    valueText: z.string(),
    /** ISO times. */
    activeAt: z.string(),
    firedAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    /** Ids of the silences that match it now (it still fires, but nobody is notified). */
    silencedBy: z.array(z.string()),
    /** A firing critical alert of the same server holds this one's notifications back. */
    inhibited: z.boolean(),
    acknowledged: z.boolean(),
  }),
);
export type AlertInstance = z.infer<typeof AlertInstanceSchema>;

/**
 * Whether an alert counts as firing wherever firing alerts are counted (the snapshot's `firing` and
 * `worst`, the tray's icon, tooltip and menu header, the nav badge): a silenced one still shows, marked,
 * but does not count.
 */
export function countsAsFiring(alert: Pick<AlertInstance, "state" | "silencedBy">): boolean {
  return alert.state === "firing" && alert.silencedBy.length === 0;
}

/** The worst severity among the alerts that count as firing, or ok. */
export function worstFiring(alerts: readonly AlertInstance[]): "ok" | "warning" | "critical" {
  const counted = alerts.filter(countsAsFiring);
  if (counted.some((a) => a.severity === "critical")) return "critical";
  return counted.some((a) => a.severity === "warning") ? "warning" : "ok";
}

export const AlertsQuerySchema = z.lazy(() =>
  z
    .object({
      status: z
        .enum(AlertStateSchema.options, {
          error: (issue) => `use firing, pending or resolved, not ${JSON.stringify(issue.input)}`,
        })
        .optional(),
      server: z.string().max(500).optional(),
    })
    .strict(),
);

export type AlertsQuery = z.infer<typeof AlertsQuerySchema>;

/** A change of state of one alert, newest first in the history. */
export const AlertHistoryEntrySchema = z.lazy(() =>
  z.object({
    id: z.number().int(),
    time: z.string(),
    alertId: z.string(),
    rule: z.string(),
    severity: AlertSeveritySchema,
    labels: Labels,
    from: AlertTransitionStateSchema,
    to: AlertTransitionStateSchema,
    value: z.number().nullable(),
    /** The value as the rule's summary formats it. */
    valueText: z.string(),
    summary: z.string(),
  }),
);
export type AlertHistoryEntry = z.infer<typeof AlertHistoryEntrySchema>;

export const AlertHistoryQuerySchema = z.lazy(() =>
  z
    .object({
      since: z.string().min(1).max(64).optional(),
      rule: z.string().max(200).optional(),
      server: z.string().max(500).optional(),
      alertId: z.string().max(100).optional(),
      beforeId: z.number().int().positive().optional(),
      limit: PageLimitSchema.optional(),
    })
    .strict(),
);

/** `name=value`, `name!=value`, `name=~regex`, `name!~regex`, as Alertmanager's matchers. */
export const MatcherSchema = z.lazy(() =>
  z
    .object({
      name: z.string().min(1).max(100),
      op: z.enum(["=", "!=", "=~", "!~"]),
      value: z.string().max(1000),
    })
    .strict(),
);
export type Matcher = z.infer<typeof MatcherSchema>;

export const SilenceSchema = z.lazy(() =>
  z.object({
    id: z.string(),
    matchers: z.array(MatcherSchema),
    startsAt: z.string(),
    endsAt: z.string(),
    createdBy: z.string(),
    comment: z.string(),
    /** Started and not yet expired or removed. */
    active: z.boolean(),
    /**
     * Why a stored silence cannot be applied (an impossible end, broken matchers), or null: it silences
     * nothing, and can still be removed. Its times are then shown as stored.
     */
    problem: z.string().nullable(),
  }),
);
export type Silence = z.infer<typeof SilenceSchema>;

export const SilenceInputSchema = z.lazy(() =>
  z
    .object({
      matchers: z.array(MatcherSchema).min(1).max(20),
      /** How long from now: `30m`, `1h`, `2d` (at most MAX_DURATION_TEXT). */
      duration: DurationTextSchema,
      comment: z.string().max(1000).optional(),
      createdBy: z.string().max(200).optional(),
    })
    .strict(),
);

/** The rule file as the UI shows it: its text, the rules in effect, and any problem with it. */
export const RuleInfoSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    kind: RuleKindSchema,
    builtin: z.boolean(),
    enabled: z.boolean(),
    severity: AlertSeveritySchema,
    /** The rule, as it would appear in the file (YAML). */
    yaml: z.string(),
    description: z.string(),
    /** Its condition in one line: `error_rate > 40% over 5 min by server, tool for 1 min`. */
    condition: z.string(),
  }),
);
export type RuleInfo = z.infer<typeof RuleInfoSchema>;

/** What is in effect: the rule file, its last version that loaded (the file has a mistake), or the built-ins. */
export const ConfigInEffectSchema = z.enum(["file", "last-good", "built-in"]);
export type ConfigInEffect = z.infer<typeof ConfigInEffectSchema>;

/** What a rule file with a mistake leaves in effect, in words: the CLI's line and the Alerts view's banner. */
export function ruleFileFallbackText(inEffect: ConfigInEffect): string {
  return inEffect === "built-in"
    ? "none of its versions has loaded, so only the built-in rules and the desktop channel are in effect"
    : "its last good rules, channels and routes stay in effect";
}

export const RulesDocumentSchema = z.lazy(() =>
  z.object({
    path: z.string(),
    /** The file's text with channel secrets masked (empty when it does not parse). */
    text: z.string(),
    /** `alerts.yaml:12: rules[1].threshold: expected a number` when the file is wrong (see `inEffect`). */
    problem: z.string().nullable(),
    inEffect: ConfigInEffectSchema,
    evaluationIntervalMs: z.number(),
    rules: z.array(RuleInfoSchema),
  }),
);
export type RulesDocument = z.infer<typeof RulesDocumentSchema>;

/** A rule file that validates, summarised (`mcpscope rules check`); one that does not is an error. */
export const RuleFileCheckSchema = z.lazy(() =>
  z.object({
    ok: z.literal(true),
    rules: z.number().int(),
    userRules: z.number().int(),
    disabled: z.array(z.string()),
    channels: z.array(z.string()),
    routes: z.number().int(),
    evaluationIntervalMs: z.number(),
    /** What the file still says the old way (a deprecated key), each in a line. */
    notes: z.array(z.string()),
  }),
);
export type RuleFileCheck = z.infer<typeof RuleFileCheckSchema>;

/** What a rule would have done over a range: its value per label group and when it would have fired. */
export const RulePreviewSchema = z.lazy(() =>
  z.object({
    ok: z.boolean(),
    error: z.string().nullable(),
    stepMs: z.number(),
    series: z.array(
      z.object({
        labels: Labels,
        points: z.array(z.tuple([z.number(), z.number().nullable()])),
      }),
    ),
    firings: z.array(z.object({ labels: Labels, from: z.number(), to: z.number().nullable() })),
    /** Too many active steps to replay each at the evaluation interval: some were judged at `stepMs`. */
    capped: z.boolean(),
    /**
     * The rule's value between two evaluated steps is not bounded by them (a rate, percentile or mean, the
     * newest sample, a `<` rule): a firing that began and ended between two steps may not show.
     */
    approximate: z.boolean(),
  }),
);
export type RulePreview = z.infer<typeof RulePreviewSchema>;

export const DeliveryAttemptSchema = z.lazy(() =>
  z.object({
    time: z.string(),
    ok: z.boolean(),
    status: z.number().nullable(),
    error: z.string().nullable(),
    durationMs: z.number(),
  }),
);

/** One notification to one channel, with every attempt to deliver it. */
export const DeliverySchema = z.lazy(() =>
  z.object({
    id: z.number().int(),
    channel: z.string(),
    kind: z.enum(["firing", "resolved", "test", "report"]),
    groupKey: z.string(),
    alertIds: z.array(z.string()),
    title: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    createdAt: z.string(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    lastError: z.string().nullable(),
    attempts: z.array(DeliveryAttemptSchema),
  }),
);
export type Delivery = z.infer<typeof DeliverySchema>;

export const CHANNEL_TYPES = ["desktop", "webhook", "slack", "discord", "email", "command"] as const;
export const ChannelInfoSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.enum(CHANNEL_TYPES),
    /** Where it goes, masked: a URL's origin, an address, a command line (`--api-key [masked:…]`). */
    target: z.string(),
    builtin: z.boolean(),
    /**
     * The channel as written in alerts.yaml, masked: secret keys read `••••••`, other values as a server's
     * (`?token=[masked:…]`). A field saved back as shown keeps the stored value while the type and
     * destination stay the same.
     */
    yaml: z.string(),
    /** Its newest test delivery, from the app or `mcpscope alerts test`; null when never tested. */
    lastTest: DeliverySchema.nullable(),
  }),
);
export type ChannelInfo = z.infer<typeof ChannelInfoSchema>;

/** An attempt's status as its channel's protocol names it: `HTTP 200`, `SMTP 250`, `exit 0`; null for none. */
export function attemptStatusText(
  type: (typeof CHANNEL_TYPES)[number] | undefined,
  status: number | null,
): string | null {
  if (status === null || type === "desktop") return null;
  if (type === "email") return `SMTP ${status}`;
  if (type === "command") return `exit ${status}`;
  return `HTTP ${status}`;
}

/**
 * Why a desktop test was not sent while desktop notifications are paused: `until` is the pause's end as
 * the front writes times (the CLI and the API in UTC, the app in local time), `howToResume` in its words.
 */
export function pausedTestText(until: string, howToResume: string): string {
  return `the test was not sent: desktop notifications are paused until ${until}; ${howToResume}, then test again`;
}

export const RouteInfoSchema = z.lazy(() =>
  z.object({
    matchers: z.array(MatcherSchema),
    channels: z.array(z.string()),
    groupBy: z.array(z.string()),
    groupWaitMs: z.number(),
    groupIntervalMs: z.number(),
    repeatIntervalMs: z.number(),
    sendResolved: z.boolean(),
  }),
);

export const ChannelsDocumentSchema = z.lazy(() =>
  z.object({
    channels: z.array(ChannelInfoSchema),
    routes: z.array(RouteInfoSchema),
    /** Native notifications are paused until then (ISO), or null. */
    pausedUntil: z.string().nullable(),
  }),
);

export const DeliveriesQuerySchema = z.lazy(() =>
  z
    .object({
      channel: z.string().max(200).optional(),
      alertId: z.string().max(100).optional(),
      status: z.enum(["pending", "delivered", "failed"]).optional(),
      limit: PageLimitSchema.optional(),
    })
    .strict(),
);

/** Pushed whenever an alert changes state or a silence changes: what the tray and the Alerts view show. */
export const AlertsSnapshotSchema = z.lazy(() =>
  z.object({
    /** Pending and firing alerts. */
    alerts: z.array(AlertInstanceSchema),
    /** Firing, not silenced: the worst severity, or ok. */
    worst: z.enum(["ok", "warning", "critical"]),
    firing: z.number().int(),
    pausedUntil: z.string().nullable(),
  }),
);
export type AlertsSnapshot = z.infer<typeof AlertsSnapshotSchema>;

/** A grouped notification for the desktop: Electron shows it natively, the browser with Web Notifications. */
export const DesktopNotificationSchema = z.lazy(() =>
  z.object({
    deliveryId: z.number().int(),
    status: z.enum(["firing", "resolved"]),
    severity: AlertSeveritySchema,
    title: z.string(),
    body: z.string(),
    alertIds: z.array(z.string()),
  }),
);
export type DesktopNotification = z.infer<typeof DesktopNotificationSchema>;
