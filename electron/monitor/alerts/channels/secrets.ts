/**
 * A channel's secrets, shown and saved back. Every string of a channel a front sees is masked as a
 * server's command, args, URL and headers are (credential formats, URL passwords, `?token=…`, the value
 * after `--api-key`), and the keys that are secret whole (SECRET_KEYS) read `••••••`. Saved back, a field
 * left exactly as shown keeps its stored value, but only while the channel keeps its type and its
 * destination: stored credentials never follow a channel to another host, SMTP server or command line.
 */
import { isDeepStrictEqual } from "node:util";
import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type YAMLMap,
} from "yaml";
import { SECRET_MASK } from "../../../../shared/alerts.js";
import { PLAIN_ISSUES } from "../../../../shared/issue-text.js";
import { maskArgs, maskRecord, maskText } from "../../discovery/mask-config.js";
import { MonitoringError } from "../../errors.js";
import { MASKED_VALUE } from "../../pipeline/mask.js";
import { YAML_OUT } from "../entry-text.js";
import { type ChannelConfig, ChannelConfigSchema, SECRET_KEYS } from "./config.js";

type Entry = Record<string, unknown>;
type Path = (string | number)[];

/** Names and types are never secret (a name is letters, digits, `_`, `.`, `-`). */
const SHOWN_AS_IS = new Set(["name", "type"]);

function secretKeys(type: unknown): string[] {
  return SECRET_KEYS[String(type) as keyof typeof SECRET_KEYS] ?? [];
}

function isRecord(value: unknown): value is Entry {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A channel entry (as alerts.yaml holds it) as any front may see it; `known` are the file's stored secret
 * values, which an alias may bring into any field.
 */
export function maskChannelEntry(entry: Entry, known: readonly string[] = []): Entry {
  const secret = new Set(secretKeys(entry.type));
  const shown = Object.fromEntries(
    Object.entries(entry).map(([key, value]) => {
      if (SHOWN_AS_IS.has(key)) return [key, value];
      if (secret.has(key)) return [key, maskWhole(value)];
      if (key === "args" && Array.isArray(value) && value.every((a) => typeof a === "string"))
        return [key, maskArgs(value)];
      return [key, maskFree(value)];
    }),
  );
  return known.length ? (maskKnown(shown, known) as Entry) : shown;
}

function maskKnown(value: unknown, known: readonly string[]): unknown {
  if (typeof value === "string") return maskStoredSecrets(value, known);
  if (Array.isArray(value)) return value.map((v) => maskKnown(v, known));
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskKnown(v, known)]));
  return value;
}

/**
 * The channel entries of alerts.yaml's document masked in place, each value where it is, so that anchors
 * stay and aliases still resolve. Every entry is read before any is changed: an alias in one may point
 * into another.
 */
export function maskChannelNodes(
  doc: Document,
  items: readonly YAMLMap[],
  known: readonly string[] = [],
): void {
  const entries = items.map((item) => item.toJS(doc) as Entry);
  for (const [i, item] of items.entries())
    maskNode(doc, item, maskChannelEntry(entries[i] ?? {}, known), entries[i]);
}

/**
 * `node` (which reads as `value`) made to read as `shown`: scalars changed in place; a node of another
 * shape replaced, its anchor kept.
 */
function maskNode(doc: Document, node: unknown, shown: unknown, value: unknown): unknown {
  // An alias stays where it reads as shown: unmasked here, or its anchor (always earlier) masked alike.
  if (isAlias(node))
    return isDeepStrictEqual(value, shown) || isDeepStrictEqual(node.toJS(doc), shown)
      ? node
      : doc.createNode(shown);
  if (isScalar(node) && !isRecord(shown) && !Array.isArray(shown)) {
    if (!isDeepStrictEqual(node.value, shown)) node.value = shown;
    return node;
  }
  if (isMap(node) && isRecord(shown) && isRecord(value)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (key in shown) pair.value = maskNode(doc, pair.value, shown[key], value[key]) as typeof pair.value;
    }
    return node;
  }
  if (isSeq(node) && Array.isArray(shown) && Array.isArray(value)) {
    node.items = node.items.map((item, i) => maskNode(doc, item, shown[i], value[i]));
    return node;
  }
  if (node === null || node === undefined || isDeepStrictEqual(value, shown)) return node;
  const replaced = doc.createNode(shown);
  if (isNode(node) && node.anchor) replaced.anchor = node.anchor;
  return replaced;
}

/**
 * Every comment of a document masked as free text is, and the stored secret values in `known` replaced;
 * true when any changed.
 */
export function maskComments(doc: Document, known: readonly string[] = []): boolean {
  let changed = false;
  const mask = (text: string | null | undefined) => {
    if (!text) return text;
    const masked = maskTextAndKnown(text, known);
    if (masked !== text) changed = true;
    return masked;
  };
  doc.commentBefore = mask(doc.commentBefore) ?? null;
  doc.comment = mask(doc.comment) ?? null;
  visit(doc, {
    Node(_, node) {
      if (node.commentBefore) node.commentBefore = mask(node.commentBefore);
      if (node.comment) node.comment = mask(node.comment);
    },
  });
  return changed;
}

/** Free text (a comment, a delivery's error) with stored secret values and credential formats masked. */
export function maskTextAndKnown(text: string, known: readonly string[]): string {
  return maskText(maskStoredSecrets(text, known));
}

/** Shorter values are too likely to be ordinary words to replace wherever they occur. */
const MIN_KNOWN_SECRET = 6;

/**
 * The values a channel stores that are real secrets (secret keys, secret-named header and env values,
 * masked parts of URLs and args), longest first: what to take out of any text that may echo them. A
 * header or env value under an ordinary name (`Content-Type: application/json`, `TEAM: platform`) is
 * hidden in the channel's own view but is no secret to take out of every other text.
 */
export function storedSecretValues(entry: Entry): string[] {
  const found = new Set<string>();
  collectSecrets(entry, secretsView(entry), found);
  return [...found].filter((v) => v.length >= MIN_KNOWN_SECRET).sort((a, b) => b.length - a.length);
}

/** The channel as shown, except that a record of headers or env masks only its secret-named values. */
function secretsView(entry: Entry): Entry {
  const shown = maskChannelEntry(entry);
  for (const key of secretKeys(entry.type)) {
    const value = entry[key];
    if (isRecord(value) && Object.values(value).every((v) => typeof v === "string"))
      shown[key] = maskRecord(value as Record<string, string>);
  }
  return shown;
}

function collectSecrets(stored: unknown, shown: unknown, found: Set<string>): void {
  if (Array.isArray(stored) && Array.isArray(shown))
    for (const [i, v] of stored.entries()) collectSecrets(v, shown[i], found);
  else if (isRecord(stored) && isRecord(shown))
    for (const [k, v] of Object.entries(stored)) collectSecrets(v, shown[k], found);
  else if (typeof stored === "object" && stored !== null && !isDeepStrictEqual(stored, shown))
    // A record or list shown as one mask: every value in it.
    for (const v of Object.values(stored)) collectSecrets(v, SECRET_MASK, found);
  else if (stored !== null && stored !== undefined && !isDeepStrictEqual(stored, shown)) {
    const text = String(stored);
    if (typeof shown !== "string" || shown === SECRET_MASK) found.add(text);
    else for (const part of maskedParts(text, shown)) found.add(part);
  }
}

/** The parts of `stored` that `shown` masks: what lies between the text `shown` kept as it was. */
function maskedParts(stored: string, shown: string): string[] {
  const kept = shown.split(new RegExp(MASKED_VALUE.source, "g"));
  const parts: string[] = [];
  if (!stored.startsWith(kept[0] ?? "")) return [stored];
  let at = kept[0]?.length ?? 0;
  for (const [i, literal] of kept.entries()) {
    if (i === 0) continue;
    const end = i === kept.length - 1 ? stored.length - literal.length : stored.indexOf(literal, at);
    if (end < at) return [stored];
    parts.push(stored.slice(at, end));
    at = end + literal.length;
  }
  return parts;
}

/** `text` with every one of `known` (longest first) replaced by the mask. */
export function maskStoredSecrets(text: string, known: readonly string[]): string {
  let out = text;
  for (const value of known) out = out.replaceAll(value, SECRET_MASK);
  return out;
}

/**
 * The file's text with every channel masked as the channels are shown, and every comment masked (with
 * the channels' stored values); empty when it does not parse.
 */
export function maskedFileText(text: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length) return "";
  try {
    const known = fileSecretValues(doc);
    const channels = doc.get("channels");
    if (isSeq(channels)) maskChannelNodes(doc, channels.items.filter(isMap), known);
    maskComments(doc, known);
    return doc.toString(YAML_OUT);
  } catch {
    return "";
  }
}

/** Every stored secret value of the file's channels, longest first. */
export function fileSecretValues(doc: Document): string[] {
  if (doc.errors.length) return [];
  try {
    const data = doc.toJS() as { channels?: unknown } | null;
    const channels = Array.isArray(data?.channels) ? (data.channels as unknown[]) : [];
    const values = channels.flatMap((c) => (isRecord(c) ? storedSecretValues(c) : []));
    return [...new Set(values)].sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}

/** A record's names stay readable (which headers are set); every value is the mask. */
function maskWhole(value: unknown): unknown {
  if (isRecord(value)) return Object.fromEntries(Object.keys(value).map((k) => [k, SECRET_MASK]));
  return SECRET_MASK;
}

function maskFree(value: unknown): unknown {
  if (typeof value === "string") return maskText(value);
  if (Array.isArray(value)) return value.map(maskFree);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskFree(v)]));
  return value;
}

/**
 * The entry a front sent, each field still exactly as shown put back to its stored value. Refuses, with
 * one line naming the field, a masked value that has nothing to keep or was edited, and a kept value
 * when the type or destination changed. `stored` is the entry being replaced, as alerts.yaml holds it;
 * `known` the file's stored secret values, as the entry was shown with them.
 */
export function keepStoredSecrets(
  entry: Entry,
  stored: Entry | undefined,
  known: readonly string[] = [],
): Entry {
  const kept: Path[] = [];
  const out = stored ? (restore(entry, stored, maskChannelEntry(stored, known), [], kept) as Entry) : entry;
  const first = kept[0];
  if (first && stored) {
    const why = movedBy(out, stored);
    if (why) throw MonitoringError.input(`channel.${pathText(first)}: ${why}; enter the secret again`);
  }
  const left = stillMasked(out, stored, []);
  if (left) {
    const { path, value } = left;
    throw MonitoringError.input(
      value === SECRET_MASK
        ? `channel.${pathText(path)}: enter the secret`
        : `channel.${pathText(path)}: holds a masked value; type the whole value`,
    );
  }
  return out;
}

function restore(value: unknown, stored: unknown, shown: unknown, path: Path, kept: Path[]): unknown {
  if (stored === undefined) return value;
  if (Array.isArray(value) && Array.isArray(stored) && Array.isArray(shown))
    return value.map((v, i) => restore(v, stored[i], shown[i], [...path, i], kept));
  if (isRecord(value) && isRecord(stored) && isRecord(shown))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, restore(v, stored[k], shown[k], [...path, k], kept)]),
    );
  const masked = !isDeepStrictEqual(shown, stored);
  // `headers: ••••••` from a front that shows a whole record as one mask keeps the whole record.
  const wholeMask = value === SECRET_MASK && path.length === 1 && isRecord(stored);
  if ((masked && isDeepStrictEqual(value, shown)) || wholeMask) {
    kept.push(path);
    return stored;
  }
  return value;
}

/** The first string still holding a mask that is not the stored value itself. */
function stillMasked(value: unknown, stored: unknown, path: Path): { path: Path; value: string } | null {
  if (typeof value === "string")
    return (value.includes(SECRET_MASK) || MASKED_VALUE.test(value)) && value !== stored
      ? { path, value }
      : null;
  const inner = (v: unknown, k: string | number) =>
    stillMasked(v, isRecord(stored) || Array.isArray(stored) ? (stored as Entry)[k] : undefined, [
      ...path,
      k,
    ]);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = inner(v, i);
      if (found) return found;
    }
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      const found = inner(v, k);
      if (found) return found;
    }
  }
  return null;
}

/** Why stored secrets may not stay with this entry: another type, or another place they would go. */
function movedBy(entry: Entry, stored: Entry): string | null {
  if (entry.type !== stored.type) return "the type changed";
  const now = ChannelConfigSchema.safeParse(entry, PLAIN_ISSUES);
  // An entry that does not validate is refused after this, naming its own problem; nothing is written.
  if (!now.success) return null;
  const before = ChannelConfigSchema.safeParse(stored, PLAIN_ISSUES);
  // A stored entry that does not validate (edited by hand) has no origin to compare: its keys must match.
  if (!before.success)
    return DESTINATION_KEYS[now.data.type].every((k) => isDeepStrictEqual(entry[k], stored[k]))
      ? null
      : "the destination changed";
  if (destination(now.data) !== destination(before.data))
    return now.data.type === "command" ? "the command line changed" : "the destination changed";
  if (connection(now.data) !== connection(before.data)) return "the connection's TLS settings changed";
  return null;
}

/** The keys that say where a channel's credentials go. */
const DESTINATION_KEYS: Record<ChannelConfig["type"], string[]> = {
  webhook: ["url"],
  slack: ["url"],
  discord: ["url"],
  email: ["host", "port", "secure", "starttls", "tls_reject_unauthorized"],
  command: ["command", "args"],
};

/** Where a channel's credentials go: a URL's origin (scheme, host, port), an SMTP server, a command line. */
function destination(config: ChannelConfig): string {
  switch (config.type) {
    case "webhook":
    case "slack":
    case "discord":
      return new URL(config.url).origin;
    case "email":
      return `${config.host.toLowerCase()}:${config.port}`;
    case "command":
      // The arguments say where the data goes too (`curl … https://host`, `sh -c '…'`). Compared in clear:
      // a short value after `--token` masks the same whatever it is, and a masked argument kept is its
      // stored value again.
      return JSON.stringify([config.command, config.args]);
  }
}

/** An email password sent over a connection with less TLS is sent somewhere else in effect. */
function connection(config: ChannelConfig): string {
  if (config.type !== "email") return "";
  return JSON.stringify([config.secure, config.starttls, config.tls_reject_unauthorized]);
}

function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
