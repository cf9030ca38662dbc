/**
 * Masking one text: every rule's spans found in one read of it (token-rules.ts, structural-rules.ts), merged,
 * and each written as its masked spelling. Also the masking of private-key blocks across stderr lines.
 */

import { BASE64_PEM_NEEDLE, DB_CLIENT_NEEDLES, NETRC_NEEDLE } from "./credential-file-rules.js";
import type { MaskBudget } from "./mask-budget.js";
import { NAMED_SECRET } from "./secret-keys.js";
import {
  AUTH_SCHEMES,
  CAPABILITY_URLS,
  LOOSE_TOKENS,
  PRIVATE_KEY_NEEDLE,
  structuralSpans,
  URL_NEEDLE,
} from "./structural-rules.js";
import { TextScanner } from "./text-scan.js";
import { AWS_KEY_ID, awsSecretAfter, type SecretSpan, tokenSpans } from "./token-rules.js";

/** What a masked value (as `maskedText` spells it) looks like inside a string: `[masked:named-secret…6789]`. */
export const MASKED_VALUE = /\[masked:[^\]\s]+\]/;

/** The one spelling of a masked value (`budget`: see MaskBudget.ellipsis). */
export function maskedText(kind: string, secret: string, budget?: MaskBudget): string {
  if (secret.length < 16) return `[masked:${kind}]`;
  return `[masked:${kind}${budget?.ellipsis ?? "…"}${secret.slice(-4)}]`;
}

let built: TextScanner | undefined;
/**
 * The one pass over each text masked: the rules' keywords, secret words, and what the other rules need.
 * Built on the first text masked, not at import, as are the keyword scanners of token-rules.ts and
 * mask-precheck.ts (together about 50 ms of CPU): a command that loads the store's modules but masks
 * nothing (`mcpscope stats`) never builds them, and a wrapper's observer or the engine builds them on its
 * first message rather than as it loads, about the same moment.
 */
function textScanner(): TextScanner {
  built ??= new TextScanner([
    PRIVATE_KEY_NEEDLE,
    URL_NEEDLE,
    BASE64_PEM_NEEDLE,
    NETRC_NEEDLE,
    ...DB_CLIENT_NEEDLES,
    ...AUTH_SCHEMES,
    ...LOOSE_TOKENS.map((t) => t[1]),
    ...CAPABILITY_URLS.map((t) => t[1]),
  ]);
  return built;
}

/** Overlapping spans become one, named by the most specific rule among them. */
function merge(spans: SecretSpan[]): SecretSpan[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretSpan[] = [];
  for (const span of spans) {
    const last = out[out.length - 1];
    if (last && span.start < last.end) {
      if (span.start === last.start) last.quote ??= span.quote;
      last.end = Math.max(last.end, span.end);
      if (span.rank > last.rank) {
        last.kind = span.kind;
        last.rank = span.rank;
      }
    } else out.push({ ...span });
  }
  return out;
}

/**
 * Masks every secret in a string; `found` collects the kinds. `key`: the name the string sits under in
 * structured data, when it holds a credential format's keyword. Many formats are recognised only by their
 * keyword next to the value (`okta … = 00…`), as text spells it; a JSON key is that keyword, so the rules
 * read `key=text`, and only spans within the text count.
 */
export function maskString(
  text: string,
  found?: Set<string>,
  keepTo = Number.POSITIVE_INFINITY,
  budget?: MaskBudget,
  key?: string,
): string {
  if (text.length < 6) return text.slice(0, keepTo);
  const spans: SecretSpan[] = [];
  if (key === undefined) {
    const scan = textScanner().scan(text);
    tokenSpans(text, spans, scan.rules);
    structuralSpans(text, spans, scan);
  } else keyedSpans(key, text, spans);
  // A payload's strings are masked one by one: an AWS key id in an earlier one (`{"id": …, "key": …}`,
  // a CSV row as a list) opens the window its secret key is looked for in for the strings after it.
  if (found?.has(AWS_KEY_ID)) awsSecretAfter(text, 0, spans);
  if (spans.length === 0) return text.slice(0, keepTo);
  let out = "";
  let at = 0;
  for (const span of merge(spans)) {
    found?.add(span.kind);
    // Past the kept part: found (it crossed the wrapper), never stored.
    if (span.start >= keepTo) continue;
    const quote = span.quote ?? "";
    out += `${text.slice(at, span.start)}${quote}${maskedText(span.kind, text.slice(span.start, span.end), budget)}${quote}`;
    at = span.end;
  }
  return at < keepTo ? out + text.slice(at, keepTo) : out;
}

/** The spans of `text` read as `key=text`, in `text`'s offsets (see maskString). */
function keyedSpans(key: string, text: string, spans: SecretSpan[]): void {
  const at = key.length + 1;
  const whole = `${key}=${text}`;
  const all: SecretSpan[] = [];
  const scan = textScanner().scan(whole);
  tokenSpans(whole, all, scan.rules);
  structuralSpans(whole, all, scan);
  // The value as the key's own: the caller judges it whole (a password holding `"` or `\\` is one
  // value, where `key=text` reads it only to the quote).
  for (const span of all)
    if (span.end > at && !(span.start === at && span.kind === NAMED_SECRET))
      spans.push({ ...span, start: Math.max(span.start, at) - at, end: span.end - at });
}

/**
 * Masks multi-line private-key blocks in a stream of lines (stderr is stored record by record): every line
 * from a BEGIN … PRIVATE KEY line to its END line is masked whole. Other lines pass unchanged, to be masked
 * once where they are stored.
 */
export class LineMasker {
  private inKeyBlock = false;

  mask(line: string, found?: Set<string>): string {
    const end = /-----END[ A-Z0-9_-]*PRIVATE KEY/;
    if (this.inKeyBlock) {
      if (end.test(line)) this.inKeyBlock = false;
      return maskedText("private-key", "");
    }
    if (/-----BEGIN[ A-Z0-9_-]*PRIVATE KEY/.test(line) && !end.test(line)) {
      this.inKeyBlock = true;
      found?.add("private-key");
      return maskedText("private-key", "");
    }
    return line;
  }
}
