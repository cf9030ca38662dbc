/**
 * The channels of alerts.yaml as the fronts edit them: each shown masked (with the file's stored secret
 * values, which an alias may bring into any field) and saved back with the fields left as shown restored,
 * by one reading of a put that the request policy shares.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseDocument, stringify } from "yaml";
import { PLAIN_ISSUES } from "../../../shared/issue-text.js";
import { ChannelConfigSchema } from "./channels/config.js";
import { fileSecretValues, keepStoredSecrets, maskChannelEntry } from "./channels/secrets.js";
import { YAML_OUT } from "./entry-text.js";
import {
  alertsFilePath,
  issueMessage,
  parseEntry,
  putEntry,
  RuleFileError,
  removeEntry,
} from "./rule-file.js";

/**
 * Adds or replaces a channel. A field left as shown (masked) keeps the value stored in the entry it
 * replaces, by name or by `replaces` (a rename), while the type and the destination stay the same.
 */
type Entry = Record<string, unknown>;

export function putChannel(dataDir: string, yamlText: string, replaces?: string): void {
  putEntry(
    alertsFilePath(dataDir),
    "channels",
    resolveChannelPut(dataDir, yamlText, replaces).entry,
    replaces,
  );
}

/**
 * What a channel put would write (`entry`: fields left as shown restored to their stored values), beside
 * the entry as sent (`typed`) and the stored entry it replaces as it is shown (`shown`); throws the error
 * the put would. The one reading of a put, for the put itself and for judging whether it changes what
 * the channel runs.
 */
export function resolveChannelPut(
  dataDir: string,
  yamlText: string,
  replaces?: string,
): { typed: Entry; entry: Entry; shown: Entry | undefined; known: string[] } {
  const typed = parseEntry(yamlText, "channel");
  if (typed.name === "desktop") throw new RuleFileError("channel: desktop is built in; pick another name");
  const { entries, known } = readChannels(dataDir);
  const stored = entries.find((c) => c?.name === (replaces ?? typed.name));
  const entry = keepStoredSecrets(typed, stored, known);
  const parsed = ChannelConfigSchema.safeParse(entry, PLAIN_ISSUES);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RuleFileError(`channel.${(issue?.path ?? []).join(".")}: ${issueMessage(issue)}`);
  }
  return { typed, entry, shown: stored ? maskChannelEntry(stored, known) : undefined, known };
}

export function removeChannel(dataDir: string, name: string): boolean {
  return removeEntry(alertsFilePath(dataDir), "channels", name);
}

/**
 * Each channel as the file has it, masked, for the UI's editor (name → YAML), and the file's stored
 * secret values, which an alias may bring into any channel's target. One read of the file.
 */
export function channelViews(dataDir: string): { yamls: Map<string, string>; known: string[] } {
  const { entries, known } = readChannels(dataDir);
  const yamls = new Map(
    entries.map((entry) => [String(entry.name), stringify(maskChannelEntry(entry, known), YAML_OUT)]),
  );
  return { yamls, known };
}

export function channelYamls(dataDir: string): Map<string, string> {
  return channelViews(dataDir).yamls;
}

function readChannels(dataDir: string): { entries: Record<string, unknown>[]; known: string[] } {
  const path = alertsFilePath(dataDir);
  if (!existsSync(path)) return { entries: [], known: [] };
  const doc = parseDocument(readFileSync(path, "utf8"));
  const data = doc.toJS() as { channels?: unknown } | null;
  const entries = Array.isArray(data?.channels) ? (data.channels as Record<string, unknown>[]) : [];
  return { entries, known: fileSecretValues(doc) };
}
