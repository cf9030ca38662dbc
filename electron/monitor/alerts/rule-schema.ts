/**
 * The alert rule file's shapes (`<dataDir>/alerts.yaml`), as a person writes them: snake_case keys,
 * durations as `30s`/`5m`, thresholds as numbers or with a unit (`20%`, `5s`, `1GiB`). Unknown keys are
 * errors, so a typo is named instead of silently ignored.
 */
import { z } from "zod";
import { AlertSeveritySchema, type RuleKind } from "../../../shared/alerts.js";
import { OutcomeSchema } from "../../../shared/domain.js";
import { EventCategorySchema, EventSeveritySchema } from "../../../shared/events.js";
import { LogLevelSchema } from "../../../shared/logs.js";
import { thresholdValue } from "../../../shared/units.js";
import { maskString, NAMED_SECRET } from "../pipeline/mask.js";
import { parseDuration } from "../time.js";

export const METRIC_SIGNALS = [
  "error_rate",
  "call_rate",
  "latency_p50",
  "latency_p95",
  "latency_p99",
  "outcome_count",
  "cpu",
  "memory",
  "dropped",
] as const;
export type MetricSignal = (typeof METRIC_SIGNALS)[number];

/** A duration (`90s`, `5m`) in ms. */
export const DurationSchema = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

/** A number, or a number with a unit: `20%` → 0.2, `5s` → 5000 (ms), `1GiB` → bytes (shared/units.ts). */
export const ThresholdSchema = z.union([z.number(), z.string()]).transform((input, ctx) => {
  if (typeof input === "number") return input;
  const value = thresholdValue(input);
  if (value !== null) return value;
  ctx.addIssue({ code: "custom", message: `"${input}" is not a threshold; use a number, 20%, 5s or 1GiB` });
  return z.NEVER;
});

const Name = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, "use letters, digits and _ . : - (at most 100)");
const LabelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "not a label name");

const Op = z.enum([">", ">=", "<", "<="]);

const common = {
  name: Name,
  enabled: z.boolean().optional(),
  description: z.string().max(2000).optional(),
  severity: AlertSeveritySchema.optional(),
  for: DurationSchema.optional(),
  keep_firing_for: DurationSchema.optional(),
  labels: z.record(LabelName, z.string().max(500)).optional(),
  summary: z.string().max(2000).optional(),
  /** Only this server (its name as mcpscope shows it). */
  server: z.string().min(1).max(500).optional(),
};

const MetricRule = z
  .object({
    ...common,
    kind: z.literal("metric"),
    signal: z.enum(METRIC_SIGNALS),
    /** For `outcome_count`: which outcome to count. */
    outcome: OutcomeSchema.exclude(["ok"]).optional(),
    /** Only this tool (or method). */
    tool: z.string().min(1).max(500).optional(),
    by: z
      .array(z.enum(["server", "tool"]))
      .max(2)
      .optional(),
    window: DurationSchema.optional(),
    op: Op.optional(),
    threshold: ThresholdSchema,
    /** For `error_rate` and latency: ignore groups with fewer calls in the window (default 1). */
    min_calls: z.number().int().min(1).optional(),
  })
  .strict();

const AbsenceRule = z
  .object({
    ...common,
    kind: z.literal("absence"),
    /** No call from a server for this long (a server that had calls in the last 7 days). */
    duration: DurationSchema,
  })
  .strict();

const HealthRule = z
  .object({ ...common, kind: z.literal("health"), state: z.enum(["down", "degraded"]).optional() })
  .strict();

const LogsRule = z
  .object({
    ...common,
    kind: z.literal("logs"),
    /** At or above this level. */
    level: LogLevelSchema.optional(),
    /** Case-insensitive text the message must contain. */
    match: z.string().min(1).max(500).optional(),
    window: DurationSchema.optional(),
    op: Op.optional(),
    threshold: ThresholdSchema.optional(),
  })
  .strict();

const LogTemplateRule = z
  .object({ ...common, kind: z.literal("log_template"), window: DurationSchema.optional() })
  .strict();

const EventRule = z
  .object({
    ...common,
    kind: z.literal("event"),
    category: EventCategorySchema.optional(),
    /** An event type, or a prefix ending in `*` (`process.*`). */
    type: z.string().min(1).max(200).optional(),
    /** This severity and above. */
    event_severity: EventSeveritySchema.optional(),
    window: DurationSchema.optional(),
    threshold: ThresholdSchema.optional(),
  })
  .strict();

export const RuleSchema = z.discriminatedUnion("kind", [
  MetricRule,
  AbsenceRule,
  HealthRule,
  LogsRule,
  LogTemplateRule,
  EventRule,
]);
export type ParsedRule = z.output<typeof RuleSchema>;

/** A rule with every default filled in: what the evaluator works with. */
export interface Rule {
  name: string;
  kind: RuleKind;
  enabled: boolean;
  builtin: boolean;
  description: string;
  severity: "info" | "warning" | "critical";
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  summary: string;
  server?: string;
  tool?: string;
  /** The series the rule compares: a metric signal, or the kind's own (see signals.ts). */
  signal: string;
  outcome?: string;
  by: ("server" | "tool")[];
  windowMs: number;
  op: ">" | ">=" | "<" | "<=";
  threshold: number;
  minCalls: number;
  level?: string;
  match?: string;
  healthState?: "down" | "degraded";
  category?: string;
  eventType?: string;
  eventSeverity?: string;
  /** The rule as written (snake_case), for the UI and the file. */
  source: Record<string, unknown>;
}

const CALL_SIGNALS = new Set([
  "error_rate",
  "call_rate",
  "latency_p50",
  "latency_p95",
  "latency_p99",
  "outcome_count",
]);

/**
 * The rule with `hide` applied to the text it only shows and sends: its description and summary. What it
 * matches and its labels (which routes, silences and grouping match) stay as written.
 */
export function withShownText(rule: Rule, hide: (text: string) => string): Rule {
  return { ...rule, description: hide(rule.description), summary: hide(rule.summary) };
}

/**
 * What a log rule's `match` is compared with. Log lines are stored masked, so a secret in them reads
 * `[masked:github-pat…LMNO]`: a `match` holding a token with its own format is matched, and shown, in its
 * masked form, as a leak canary needs. Any other `match` is matched as written: a value masked only for
 * the name before it (`Authorization: Bearer`, `token: expired`) depends on what follows in a stored line,
 * which a `match` does not have, so its masked form would never occur there.
 */
export function logRuleMatch(match: string): string {
  const found = new Set<string>();
  const masked = maskString(match, found);
  return [...found].some((kind) => kind !== NAMED_SECRET) ? masked : match;
}

export function normalizeRule(parsed: ParsedRule, source: Record<string, unknown>, builtin = false): Rule {
  const base = {
    name: parsed.name,
    kind: parsed.kind,
    enabled: parsed.enabled ?? true,
    builtin,
    description: parsed.description ?? "",
    severity: parsed.severity ?? "warning",
    forMs: parsed.for ?? 0,
    keepFiringForMs: parsed.keep_firing_for ?? 0,
    labels: parsed.labels ?? {},
    server: parsed.server,
    source,
    minCalls: 1,
    op: ">" as Rule["op"],
  };
  switch (parsed.kind) {
    case "metric": {
      const perCall = CALL_SIGNALS.has(parsed.signal);
      return {
        ...base,
        signal: parsed.signal,
        outcome: parsed.outcome,
        tool: parsed.tool,
        by: parsed.by ?? (perCall ? ["server", "tool"] : ["server"]),
        windowMs: parsed.window ?? 300_000,
        op: parsed.op ?? ">",
        threshold: parsed.threshold,
        minCalls: parsed.min_calls ?? 1,
        summary:
          parsed.summary ??
          defaultMetricSummary(parsed.signal, parsed.by ?? (perCall ? ["server", "tool"] : ["server"])),
      };
    }
    case "absence":
      return {
        ...base,
        signal: "traffic_age",
        by: ["server"],
        windowMs: parsed.duration,
        threshold: parsed.duration,
        summary: parsed.summary ?? "no traffic from {{server}} for {{value}}",
      };
    case "health":
      return {
        ...base,
        signal: "health",
        by: ["server"],
        windowMs: 0,
        op: ">=",
        threshold: 1,
        healthState: parsed.state ?? "down",
        summary: parsed.summary ?? `{{server}} is ${parsed.state ?? "down"}`,
      };
    case "logs":
      return {
        ...base,
        signal: "log_count",
        by: ["server"],
        windowMs: parsed.window ?? 300_000,
        op: parsed.op ?? ">",
        threshold: parsed.threshold ?? 0,
        level: parsed.level,
        match: parsed.match === undefined ? undefined : logRuleMatch(parsed.match),
        summary: parsed.summary ?? "{{value}} matching log lines from {{server}}",
      };
    case "log_template":
      return {
        ...base,
        signal: "new_log_templates",
        by: ["server"],
        windowMs: parsed.window ?? 300_000,
        threshold: 0,
        summary: parsed.summary ?? "{{value}} new kind(s) of log line from {{server}}",
      };
    case "event":
      return {
        ...base,
        signal: "event_count",
        by: ["server"],
        windowMs: parsed.window ?? 300_000,
        threshold: parsed.threshold ?? 0,
        category: parsed.category,
        eventType: parsed.type,
        eventSeverity: parsed.event_severity,
        summary: parsed.summary ?? "{{value}} matching event(s){{#server}} on {{server}}{{/server}}",
      };
  }
}

function defaultMetricSummary(signal: string, by: string[]): string {
  const where = by.includes("tool") ? "{{tool}} on {{server}}" : "{{server}}";
  switch (signal) {
    case "error_rate":
      return `${where} fails {{value}} of calls`;
    case "call_rate":
      return `${where} handles {{value}} calls a minute`;
    case "outcome_count":
      return `${where}: {{value}} calls ended {{outcome}}`;
    case "cpu":
      return `${where} uses {{value}} CPU`;
    case "memory":
      return `${where} uses {{value}} of memory`;
    case "dropped":
      return `mcpscope could not record {{value}} calls of ${where}`;
    default:
      return `${where}: ${signal.replace("latency_", "")} latency {{value}}`;
  }
}
