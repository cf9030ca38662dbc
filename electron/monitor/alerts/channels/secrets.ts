/**
 * A channel's secrets, shown and saved back. Every string of a channel a front sees is masked as a
 * server's command, args, URL and headers are (credential formats, URL passwords, `?token=…`, the value
 * after `--api-key`), and the keys that are secret whole (SECRET_KEYS) read `••••••`. Saved back, a field
 * left exactly as shown keeps its stored value, but only while the channel keeps its type and its
 * destination: stored credentials never follow a channel to another host, SMTP server or program.
 */
import { isDeepStrictEqual } from "node:util";
import { type Document, visit, type YAMLMap } from "yaml";
import { SECRET_MASK } from "../../../../shared/alerts.js";
import { PLAIN_ISSUES } from "../../../../shared/issue-text.js";
import { maskArgs, maskText } from "../../discovery/mask-config.js";
import { MonitoringError } from "../../errors.js";
import { type ChannelConfig, ChannelConfigSchema, SECRET_KEYS } from "./config.js";

type Entry = Record<string, unknown>;
type Path = (string | number)[];

/** Names and types are never secret (a name is letters, digits, `_`, `.`, `-`). */
const SHOWN_AS_IS = new Set(["name", "type"]);
/** What a masked value looks like inside a string: `[masked:named-secret…6789]`. */
const MASKED_PART = /\[masked:[^\]\s]+\]/;

function secretKeys(type: unknown): string[] {
  return SECRET_KEYS[String(type) as keyof typeof SECRET_KEYS] ?? [];
}

function isRecord(value: unknown): value is Entry {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A channel entry (as alerts.yaml holds it) as any front may see it. */
export function maskChannelEntry(entry: Entry): Entry {
  const secret = new Set(secretKeys(entry.type));
  return Object.fromEntries(
    Object.entries(entry).map(([key, value]) => {
      if (SHOWN_AS_IS.has(key)) return [key, value];
      if (secret.has(key)) return [key, maskWhole(value)];
      if (key === "args" && Array.isArray(value) && value.every((a) => typeof a === "string"))
        return [key, maskArgs(value)];
      return [key, maskFree(value)];
    }),
  );
}

/** A channel entry of alerts.yaml's document, masked in place: its values, and the comments in it. */
export function maskChannelNode(doc: Document, item: YAMLMap): void {
  const entry = item.toJS(doc) as Entry;
  for (const [key, value] of Object.entries(maskChannelEntry(entry)))
    if (!isDeepStrictEqual(value, entry[key])) item.set(key, doc.createNode(value));
  visit(item, {
    Node(_, node) {
      if (node.commentBefore) node.commentBefore = maskText(node.commentBefore);
      if (node.comment) node.comment = maskText(node.comment);
    },
  });
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
 * when the type or destination changed. `stored` is the entry being replaced, as alerts.yaml holds it.
 */
export function keepStoredSecrets(entry: Entry, stored: Entry | undefined): Entry {
  const kept: Path[] = [];
  const out = stored ? (restore(entry, stored, maskChannelEntry(stored), [], kept) as Entry) : entry;
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
    return (value.includes(SECRET_MASK) || MASKED_PART.test(value)) && value !== stored
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
  if (destination(now.data) !== destination(before.data)) return "the destination changed";
  if (connection(now.data) !== connection(before.data)) return "the connection's TLS settings changed";
  return null;
}

/** The keys that say where a channel's credentials go. */
const DESTINATION_KEYS: Record<ChannelConfig["type"], string[]> = {
  webhook: ["url"],
  slack: ["url"],
  discord: ["url"],
  email: ["host", "port", "secure", "starttls", "tls_reject_unauthorized"],
  command: ["command"],
};

/** Where a channel's credentials go: a URL's origin (scheme, host, port), an SMTP server, a program. */
function destination(config: ChannelConfig): string {
  switch (config.type) {
    case "webhook":
    case "slack":
    case "discord":
      return new URL(config.url).origin;
    case "email":
      return `${config.host.toLowerCase()}:${config.port}`;
    case "command":
      return config.command;
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
