/**
 * `<dataDir>/alerts.yaml`: rules, channels, routes and delivery settings, written by hand or by the UI.
 * Reading validates everything and names the line and key of the first problem
 * (`alerts.yaml:14: rules[2].threshold: …`); the UI's edits go through the same validation, change one
 * entry in place (comments and order kept) and replace the file atomically.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { type Document, isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import type { Matcher } from "../../../shared/alerts.js";
import { PLAIN_ISSUES } from "../../../shared/issue-text.js";
import { MonitoringError } from "../errors.js";
import { BUILTIN_RULES } from "./builtin-rules.js";
import { type ChannelConfig, ChannelConfigSchema } from "./channels/config.js";
import { fileSecretValues, maskStoredSecrets, maskTextAndKnown } from "./channels/secrets.js";
import { editorText, entryTexts, spliceEntry, YAML_OUT } from "./entry-text.js";
import { parseMatcher } from "./matchers.js";
import { DurationSchema, normalizeRule, type Rule, RuleSchema, withShownText } from "./rule-schema.js";

export const ALERTS_FILE = "alerts.yaml";

export interface Route {
  matchers: Matcher[];
  channels: string[];
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  sendResolved: boolean;
}

export interface AlertConfig {
  evaluationIntervalMs: number;
  rules: Rule[];
  channels: ChannelConfig[];
  routes: Route[];
  /** The route for alerts no configured route matches. */
  defaultRoute: Route;
  inhibit: boolean;
  delivery: { initialBackoffMs: number; maxBackoffMs: number; giveUpAfterMs: number };
  /**
   * `history_retention` as written, or null. Deprecated: `storage.retention.alertHistory` governs alert
   * history; this is read in its place only while settings.json does not set it (storage-settings.ts).
   */
  historyRetentionMs: number | null;
  /**
   * Every channel's stored secret values, longest first. An alias may carry one into any other field
   * (another channel, a rule's summary): whatever the file's values can reach is cleaned of them all.
   */
  secretValues: readonly string[];
}

const MatcherText = z.string().transform((text, ctx) => {
  try {
    return parseMatcher(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

const RouteSchema = z
  .object({
    matchers: z.array(MatcherText).optional(),
    channels: z.array(z.string().min(1)).min(1),
    group_by: z.array(z.string().min(1)).optional(),
    group_wait: DurationSchema.optional(),
    group_interval: DurationSchema.optional(),
    repeat_interval: DurationSchema.optional(),
    send_resolved: z.boolean().optional(),
  })
  .strict();

const FileSchema = z
  .object({
    evaluation_interval: DurationSchema.optional(),
    rules: z.array(z.record(z.string(), z.unknown())).optional(),
    channels: z.array(z.record(z.string(), z.unknown())).optional(),
    routes: z.array(RouteSchema).optional(),
    default_route: RouteSchema.partial().strict().optional(),
    inhibit: z.boolean().optional(),
    delivery: z
      .object({
        initial_backoff: DurationSchema.optional(),
        max_backoff: DurationSchema.optional(),
        give_up_after: DurationSchema.optional(),
      })
      .strict()
      .optional(),
    history_retention: DurationSchema.optional(),
  })
  .strict();

const DEFAULT_ROUTE: Route = {
  matchers: [],
  channels: ["desktop"],
  groupBy: ["alertname", "server"],
  groupWaitMs: 10_000,
  groupIntervalMs: 60_000,
  repeatIntervalMs: 4 * 3_600_000,
  sendResolved: true,
};

export const BUILTIN_RULE_NAMES = new Set(BUILTIN_RULES.map((r) => String(r.name)));

/** Said wherever the file is checked or loaded while it sets `history_retention`. */
export const HISTORY_RETENTION_DEPRECATED =
  "history_retention is deprecated: alert history is kept for storage.retention.alertHistory in settings.json (the Storage view), which wins when both are set; move the value there";

export function alertsFilePath(dataDir: string): string {
  return join(dataDir, ALERTS_FILE);
}

/** A problem in the file: `alerts.yaml:12: rules[1].threshold: expected a number`. */
export class RuleFileError extends MonitoringError {
  constructor(message: string) {
    super("input", message);
    this.name = "RuleFileError";
  }
}

/** Parses and validates the text of an alerts file; throws RuleFileError naming the line and key. */
export function parseAlertConfig(text: string, fileName = ALERTS_FILE): AlertConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const where = (offset: number | undefined) =>
    `${fileName}:${offset === undefined ? 1 : lines.linePos(offset).line}`;
  const yamlError = doc.errors[0];
  if (yamlError) throw new RuleFileError(`${where(yamlError.pos[0])}: ${yamlError.message.split("\n")[0]}`);
  const data = doc.toJS() ?? {};
  const known = fileSecretValues(doc);
  const fail = (path: (string | number)[], message: string): never => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const keyText = path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
    // A problem quotes what it found (`no channel named "…"`), which an alias may have made a secret.
    const line = maskStoredSecrets(message, known);
    throw new RuleFileError(`${where(node?.range?.[0])}: ${keyText || "file"}: ${line}`);
  };
  if (typeof data !== "object" || Array.isArray(data)) return fail([], "expected a mapping of settings");
  const root = FileSchema.safeParse(data, PLAIN_ISSUES);
  if (!root.success) {
    const issue = root.error.issues[0];
    const path = (issue?.path ?? []) as (string | number)[];
    return fail(path, issueMessage(issue));
  }
  const file = root.data;

  const rules = new Map<string, Rule>();
  for (const source of BUILTIN_RULES) rules.set(String(source.name), buildRule(source, true, []));
  const seen = new Set<string>();
  for (const [index, entry] of (file.rules ?? []).entries()) {
    const name = typeof entry.name === "string" ? entry.name : undefined;
    if (!name) fail(["rules", index], "every rule needs a name");
    if (!name) continue;
    if (seen.has(name)) fail(["rules", index, "name"], `a second rule named "${name}"`);
    seen.add(name);
    const builtin = BUILTIN_RULE_NAMES.has(name);
    const source = withBuiltin(entry);
    if (!builtin && entry.kind === undefined)
      fail(["rules", index], `"${name}" needs a kind (metric, absence, health, logs, log_template, event)`);
    const rule = buildRule(source, builtin, ["rules", index]);
    // Labels are routed, silenced and grouped on as written, so one that holds a secret cannot be masked.
    for (const [label, value] of Object.entries(rule.labels))
      if (maskStoredSecrets(value, known) !== value)
        fail(
          ["rules", index, "labels", label],
          "holds a channel's secret; labels are shown and routed on as written",
        );
    rules.set(name, rule);
  }

  const channelNames = new Set(["desktop"]);
  const channels = (file.channels ?? []).map((entry, index) => {
    const parsed = ChannelConfigSchema.safeParse(entry, PLAIN_ISSUES);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(["channels", index, ...((issue?.path ?? []) as (string | number)[])], issueMessage(issue));
    }
    if (channelNames.has(parsed.data.name))
      return fail(["channels", index, "name"], `the channel name "${parsed.data.name}" is taken`);
    channelNames.add(parsed.data.name);
    return parsed.data;
  });

  const toRoute = (r: z.output<typeof RouteSchema>, index: number, base: Route): Route => {
    for (const [i, name] of r.channels.entries())
      if (!channelNames.has(name))
        fail(
          ["routes", index, "channels", i],
          `no channel named "${name}" (known: ${[...channelNames].join(", ")})`,
        );
    return {
      matchers: r.matchers ?? [],
      channels: r.channels,
      groupBy: r.group_by ?? base.groupBy,
      groupWaitMs: r.group_wait ?? base.groupWaitMs,
      groupIntervalMs: r.group_interval ?? base.groupIntervalMs,
      repeatIntervalMs: r.repeat_interval ?? base.repeatIntervalMs,
      sendResolved: r.send_resolved ?? base.sendResolved,
    };
  };
  const d = file.default_route;
  const defaultRoute: Route = {
    ...DEFAULT_ROUTE,
    channels: d?.channels ?? DEFAULT_ROUTE.channels,
    groupBy: d?.group_by ?? DEFAULT_ROUTE.groupBy,
    groupWaitMs: d?.group_wait ?? DEFAULT_ROUTE.groupWaitMs,
    groupIntervalMs: d?.group_interval ?? DEFAULT_ROUTE.groupIntervalMs,
    repeatIntervalMs: d?.repeat_interval ?? DEFAULT_ROUTE.repeatIntervalMs,
    sendResolved: d?.send_resolved ?? DEFAULT_ROUTE.sendResolved,
  };
  for (const [i, name] of defaultRoute.channels.entries())
    if (!channelNames.has(name)) fail(["default_route", "channels", i], `no channel named "${name}"`);

  return {
    evaluationIntervalMs: Math.max(file.evaluation_interval ?? 15_000, 100),
    rules: [...rules.values()].map((r) => withShownText(r, (text) => maskStoredSecrets(text, known))),
    channels,
    routes: (file.routes ?? []).map((r, i) => toRoute(r, i, defaultRoute)),
    defaultRoute,
    inhibit: file.inhibit ?? true,
    delivery: {
      initialBackoffMs: file.delivery?.initial_backoff ?? 5_000,
      maxBackoffMs: file.delivery?.max_backoff ?? 300_000,
      giveUpAfterMs: file.delivery?.give_up_after ?? 86_400_000,
    },
    historyRetentionMs: file.history_retention ?? null,
    secretValues: known,
  };

  function buildRule(source: Record<string, unknown>, builtin: boolean, path: (string | number)[]): Rule {
    const parsed = RuleSchema.safeParse(source, PLAIN_ISSUES);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail([...path, ...((issue?.path ?? []) as (string | number)[])], issueMessage(issue));
    }
    return normalizeRule(parsed.data, source, builtin);
  }
}

export function issueMessage(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "invalid";
  if (issue.code === "unrecognized_keys") return `unknown key ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  if (issue.code === "invalid_union" && "note" in issue && issue.note === "No matching discriminator")
    return "unknown kind; use metric, absence, health, logs, log_template or event";
  return issue.message;
}

/** The YAML of one entry, parsed; throws a one-line error naming the line. */
export function parseEntry(yamlText: string, what: string): Record<string, unknown> {
  const doc = parseDocument(yamlText, { prettyErrors: false });
  const first = doc.errors[0];
  if (first) throw new RuleFileError(`${what}: ${first.message.split("\n")[0]}`);
  const value = doc.toJS();
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new RuleFileError(`${what}: expected a mapping with a name`);
  return value as Record<string, unknown>;
}

function readDoc(path: string): Document {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const doc = parseDocument(text);
  if (doc.errors.length)
    throw new RuleFileError(
      `${path} has a YAML error; fix it by hand first: ${doc.errors[0]?.message.split("\n")[0]}`,
    );
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
  return doc;
}

function writeDocAtomically(path: string, doc: Document): void {
  writeTextAtomically(path, doc.toString(YAML_OUT));
}

function writeTextAtomically(path: string, text: string): void {
  parseAlertConfig(text, basename(path)); // never write a file that would not load
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
}

/**
 * Adds or replaces one entry (by name) of `rules` or `channels`, keeping the rest of the file as it is;
 * `own` is the entry as the user typed it, written as it is when it reads as `entry` (comments kept).
 */
export function putEntry(
  path: string,
  key: "rules" | "channels",
  entry: Record<string, unknown>,
  replaces?: string,
  own?: string,
): void {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const doc = readDoc(path);
  let seq = doc.get(key);
  if (!isSeq(seq)) {
    doc.set(key, doc.createNode([]));
    seq = doc.get(key);
  }
  if (!isSeq(seq)) throw new RuleFileError(`${key} in ${path} is not a list`);
  const name = String(entry.name ?? "");
  const target = replaces ?? name;
  const index = seq.items.findIndex((item) => isMap(item) && item.get("name") === target);
  const clash = seq.items.findIndex((item) => isMap(item) && item.get("name") === name);
  if (clash !== -1 && clash !== index) throw new RuleFileError(`there is already one named "${name}"`);
  const spliced = spliceEntry(text, key, seq, index, entry, own);
  if (spliced !== null) {
    writeTextAtomically(path, spliced);
    return;
  }
  const node = doc.createNode(entry);
  if (index === -1) seq.items.push(node);
  else seq.items[index] = node;
  writeDocAtomically(path, doc);
}

export function removeEntry(path: string, key: "rules" | "channels", name: string): boolean {
  const doc = readDoc(path);
  const seq = doc.get(key);
  if (!isSeq(seq)) return false;
  const index = seq.items.findIndex((item) => isMap(item) && item.get("name") === name);
  if (index === -1) return false;
  seq.items.splice(index, 1);
  writeDocAtomically(path, doc);
  return true;
}

/** Validates one rule (YAML) and writes it; a built-in's name overrides the built-in. */
export function putRule(dataDir: string, yamlText: string, replaces?: string): Rule {
  const entry = parseEntry(yamlText, "rule");
  const rule = validateRule(withBuiltin(entry));
  putEntry(alertsFilePath(dataDir), "rules", entry, replaces, yamlText);
  return rule;
}

/** One rule's YAML → the rule, or a one-line error naming the key. */
export function validateRule(source: Record<string, unknown>): Rule {
  const parsed = RuleSchema.safeParse(source, PLAIN_ISSUES);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = (issue?.path ?? []).join(".");
    throw new RuleFileError(`rule${key ? `.${key}` : ""}: ${issueMessage(issue)}`);
  }
  return normalizeRule(parsed.data, source, BUILTIN_RULE_NAMES.has(parsed.data.name));
}

export function parseRuleYaml(yamlText: string): Rule {
  return validateRule(withBuiltin(parseEntry(yamlText, "rule")));
}

/** An entry without a kind that names a built-in rule adjusts it: the built-in with the entry's keys. */
function withBuiltin(entry: Record<string, unknown>): Record<string, unknown> {
  const builtin = BUILTIN_RULES.find((r) => r.name === entry.name);
  return builtin && entry.kind === undefined ? { ...builtin, ...entry } : entry;
}

/** Removes a user rule; a built-in one is disabled (an `enabled: false` entry) instead. */
export function removeRule(dataDir: string, name: string): "removed" | "disabled" | "missing" {
  const path = alertsFilePath(dataDir);
  if (BUILTIN_RULE_NAMES.has(name)) {
    putEntry(path, "rules", { name, enabled: false });
    return "disabled";
  }
  return removeEntry(path, "rules", name) ? "removed" : "missing";
}

/**
 * Each rule as YAML text for the UI's editor, by name: the file's own text of its entry (comments
 * included) where that reads as the rule and masking changes nothing in it (a comment may hold an old
 * key; a saved rule must not write the masked one back over it), else the rule printed.
 */
export function ruleYamls(fileText: string, rules: readonly Rule[]): Map<string, string> {
  const own = entryTexts(fileText, "rules");
  const known = fileSecretValues(parseDocument(fileText));
  const unmasked = (text: string | undefined) =>
    text !== undefined && maskTextAndKnown(text, known) === text ? text : undefined;
  // The printed rule may hold a channel's secret through an alias (`description: *hook`).
  return new Map(
    rules.map((rule) => [
      rule.name,
      maskStoredSecrets(editorText(rule.source, unmasked(own.get(rule.name))), known),
    ]),
  );
}
