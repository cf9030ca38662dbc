/**
 * The structural rules: secrets no credential format names, found by where they sit — the password in a
 * URL's user info, the value after a secret-named key (in JSON, YAML, `.env`, `export`, flags, headers and
 * query strings), a Bearer/Basic credential, a private-key block — and the loose `sk-…` and JWT shapes.
 */
import { credentialFileSpans } from "./credential-file-rules.js";
import { schemaKeys } from "./schema-fragment.js";
import {
  credentialShaped,
  NAMED_SECRET,
  type SecretKeyStrength,
  secretKeyStrength,
  secretValue,
} from "./secret-keys.js";
import { KEY_WORD, type TextScan } from "./text-scan.js";
import { AWS_SECRET_KIND, isAwsSecret, type SecretSpan } from "./token-rules.js";

/**
 * `KEY<sep>VALUE` where KEY holds a secret word: `X_TOKEN=v`, `"x_secret": "v"`, `password: v`,
 * `--api-key=v`, `--password v`, `Authorization: Bearer v`, `?access_token=v&`, `AccountKey=v;`, and a
 * name/value pair's `"DB_PASSWORD", "value": "v"` or YAML's `name: DB_PASSWORD` line and `value: v` line
 * after it (Kubernetes and ECS env, HAR headers; `mask-value.ts` reads the same pairs in structured
 * data), and an XML element's `<password>v</password>` (its text whole, up to the closing tag). A quoted
 * value is a JSON string, escapes and all (`"ab\"cd"`), also escaped once more (`\"ab\\\"cd\"`) as JSON
 * text inside a string spells it.
 */
const ASSIGNMENT = new RegExp(
  `(?<![\\w.-])(-{0,2}[\\w.-]*?(?:${KEY_WORD})[\\w.-]*)(\\\\?["'][ \\t]*,\\s*\\\\?["']?value\\\\?["']?[ \\t]*[:=][ \\t]*|(?=["']?[ \\t]*\\r?\\n)(?<=\\b[Nn]ame:[ \\t]*["']?[\\w.-]+)["']?[ \\t]*\\r?\\n[ \\t]*[Vv]alue:[ \\t]*|>(?=[^<\\r\\n]+<\\/)|\\\\?["']?[ \\t]*(?:=>|:=|=|:)[ \\t]*|[ \\t]+)((?:Bearer|Basic|Token|Digest)[ \\t]+)?((?<=>)[^<\\r\\n]+(?=<\\/)|\\\\"(?:[^"\\\\]|\\\\\\\\\\\\[\\\\"]|\\\\[^"\\\\])+\\\\"|"(?:[^"\\\\\\r\\n]|\\\\.)+"|'[^'\\r\\n]+'|[^\\s"'\\\\&,;<>)}\\]]+)`,
  "gid",
);
/** The same pattern, tried only where a key can start (see `assignments`). */
const ASSIGNMENT_AT = new RegExp(ASSIGNMENT.source, "yid");
/**
 * A name/value pair written value first, `{"value": "v", "name": "DB_PASSWORD"}` (also `Name`/`Value`,
 * `key`/`Key`, escaped, `util.inspect`ed or as YAML's two lines): ASSIGNMENT reads the name-first order.
 */
const VALUE_FIRST =
  /(?<![\w-])(\\?")?(?:value|Value)\\?["']?[ \t]*[:=][ \t]*(\\?"[^"\\\r\n]*\\?"|'[^'\r\n]*'|[^\s"'\\,;{}[\]]+)[ \t]*(?:,\s*|\r?\n[ \t]*)\\?["']?(?:name|Name|key|Key)\\?["']?[ \t]*[:=][ \t]*\\?["']?([\w.-]+)/dy;
/**
 * Each rule runs only on text holding what it needs (text-scan.ts tells), the regex only then. A URL's
 * user info: the password after its `:`, or a user part alone when it reads as a credential (a Sentry
 * DSN's key, `https://TOKEN@host`), not a name (`git@`, `me@`).
 */
const URL_USERINFO = /\b[a-z][a-z0-9+.-]{1,30}:\/\/([^\s:/@"'<>]*)(?::([^\s@/"'<>]+))?@/dgi;
/**
 * URLs that are credentials themselves: whoever holds one posts as the integration (Discord and Teams
 * webhooks) or controls the bot (Telegram). The secret part is masked, the host kept. Also their paths
 * alone, in the shape only these have, as an HTTP client's debug log prints them apart from the host
 * (urllib3: `https://discord.com:443 "POST /api/webhooks/…/… HTTP/1.1"`), and without a scheme. Each
 * runs only on text holding its needle.
 */
export const CAPABILITY_URLS: [string, string, RegExp][] = [
  [
    "discord-webhook-url",
    "webhooks/",
    /(?:discord(?:app)?\.com\/api\/webhooks\/\d+\/([A-Za-z0-9_-]{16,})|\/api\/webhooks\/\d{17,20}\/([A-Za-z0-9_-]{60,}))/dgi,
  ],
  [
    "teams-webhook-url",
    "webhookb2",
    /(?:\.webhook\.office\.com\/webhookb2\/([^\s"'<>\\]+)|\/webhookb2\/([0-9a-f-]{36}@[0-9a-f-]{36}\/IncomingWebhook\/[^\s"'<>\\]+))/dgi,
  ],
  [
    "telegram-bot-token",
    "/bot",
    /(?:api\.telegram\.org\/(?:file\/)?bot(\d+:[A-Za-z0-9_-]{20,})|\/bot(\d{6,12}:[A-Za-z0-9_-]{30,}))/dg,
  ],
];
/** The parameters a Bearer challenge opens with (`WWW-Authenticate: Bearer realm="…"`): no credential. */
const CHALLENGE_PARAM = "(?:realm|scope|error|error_description|error_uri|resource_metadata)[ \\t]*=";
const CHALLENGE_PARAM_AT = new RegExp(`^${CHALLENGE_PARAM}`, "i");
const AUTH_SCHEME = new RegExp(
  `\\b(?:Bearer|Basic)[ \\t]+(?!${CHALLENGE_PARAM})([A-Za-z0-9._~+/-]{8,}=*)`,
  "dg",
);
/** Shapes older than or looser than the rule set's: `sk-…` keys and any three-part JWT. */
export const LOOSE_TOKENS: [string, string, RegExp][] = [
  ["sk-key", "sk-", /\bsk-(?:proj-|ant-|live-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/dg],
  ["jwt", "eyJ", /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/dg],
];
export const PRIVATE_KEY_NEEDLE = "PRIVATE KEY";
export const URL_NEEDLE = "://";
export const AUTH_SCHEMES = ["bearer", "basic"];
const PRIVATE_KEY =
  /-----BEGIN[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----|$)/dg;

/** Adds the span of each secret the structural rules find in `text` (`scan`: what it holds, read once). */
export function structuralSpans(text: string, spans: SecretSpan[], scan: TextScan): void {
  if (scan.has(PRIVATE_KEY_NEEDLE) && text.includes(PRIVATE_KEY_NEEDLE))
    for (const m of text.matchAll(PRIVATE_KEY)) {
      const at = m.indices?.[0];
      if (at) spans.push({ start: at[0], end: at[1], kind: "private-key", rank: 3 });
    }
  if (scan.has(URL_NEEDLE) && text.includes(URL_NEEDLE)) {
    for (const m of text.matchAll(URL_USERINFO)) {
      const secret = m[2] ?? m[1] ?? "";
      const at = m.indices?.[m[2] === undefined ? 1 : 2];
      if (!at || secret.startsWith("$") || secret.startsWith("[masked")) continue;
      if (m[2] !== undefined || credentialShaped(secret))
        spans.push({ start: at[0], end: at[1], kind: "url-password", rank: 2 });
    }
  }
  for (const [kind, needle, pattern] of CAPABILITY_URLS)
    if (scan.has(needle))
      for (const m of text.matchAll(pattern)) {
        const at = m.indices?.[1] ?? m.indices?.[2];
        if (at) spans.push({ start: at[0], end: at[1], kind, rank: 3 });
      }
  credentialFileSpans(text, spans, scan);
  for (const [kind, needle, pattern] of LOOSE_TOKENS)
    if (scan.has(needle) && text.includes(needle))
      for (const m of text.matchAll(pattern)) {
        const at = m.indices?.[0];
        if (at) spans.push({ start: at[0], end: at[1], kind, rank: 2 });
      }
  if (AUTH_SCHEMES.some((scheme) => scan.has(scheme)))
    for (const m of text.matchAll(AUTH_SCHEME)) {
      const at = m.indices?.[1];
      if (at) spans.push({ start: at[0], end: at[1], kind: "bearer", rank: 2 });
    }
  assignments(text, spans, scan.keyWordEnds);
  if (scan.keyWordEnds.length > 0) valueFirstPairs(text, spans);
}

/**
 * The pairs VALUE_FIRST finds, tried only where a `value` starts (code says `value` and `key` often: a
 * scan of the whole text tried the pattern at every character and cost a third more on 64 KiB of it).
 */
function valueFirstPairs(text: string, spans: SecretSpan[]): void {
  for (let i = text.indexOf("alue"); i > 0; i = text.indexOf("alue", i + 4)) {
    let start = i - 1;
    if (text[start - 1] === '"') start -= text[start - 2] === "\\" ? 2 : 1;
    VALUE_FIRST.lastIndex = start;
    const m = VALUE_FIRST.exec(text);
    if (m) {
      const at = m.indices?.[2];
      const quote = /^\\?["']/.exec(m[2] as string)?.[0].length ?? 0;
      const value = (m[2] as string).slice(quote, quote ? -quote : undefined);
      if (!at || !secretValue(value, secretKeyStrength(m[3] as string), m[3])) continue;
      // A bare value in JSON (a number): masked as a string, as after a key.
      const json = quote === 0 && m[1] !== undefined ? m[1] : undefined;
      spans.push({ start: at[0] + quote, end: at[1] - quote, kind: NAMED_SECRET, rank: 2, quote: json });
    }
  }
}

/**
 * 1 for `[\w.-]`, the characters a key is made of; 2 for `[A-Za-z0-9/+=_-]`, those of a credential-shaped
 * value; 3 for both.
 */
const CHAR_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  CHAR_CLASS[c] = (/[\w.-]/.test(ch) ? 1 : 0) | (/[A-Za-z0-9/+=_-]/.test(ch) ? 2 : 0);
}
const KEY_CHAR = 1;
const SHAPED_CHAR = 2;

function isKeyChar(code: number): boolean {
  return code < 128 && ((CHAR_CLASS[code] as number) & KEY_CHAR) !== 0;
}

function isShapedChar(code: number): boolean {
  return code < 128 && ((CHAR_CLASS[code] as number) & SHAPED_CHAR) !== 0;
}

/** How many characters a credential-shaped value holds at least, and how far past a key one is looked for. */
const SHAPED_RUN = 16;
const SHAPED_WINDOW = 48;

/**
 * Whether SHAPED_RUN characters a credential-shaped value is made of follow `from` closely (within
 * SHAPED_WINDOW). Such a run holds every SHAPED_RUN-th character, so those are read first: past a key in
 * code (`key = cache.get(…)`) a few reads tell there is none.
 */
function shapedNear(text: string, from: number): boolean {
  const end = Math.min(text.length, from + SHAPED_WINDOW);
  // Where the run may start: no run of SHAPED_RUN starts before `low`.
  let low = from;
  for (let probe = low + SHAPED_RUN - 1; probe < end; probe = low + SHAPED_RUN - 1) {
    if (!isShapedChar(text.charCodeAt(probe))) {
      low = probe + 1;
      continue;
    }
    let start = probe;
    while (start > low && isShapedChar(text.charCodeAt(start - 1))) start--;
    let after = probe + 1;
    while (after < end && after - start < SHAPED_RUN && isShapedChar(text.charCodeAt(after))) after++;
    if (after - start >= SHAPED_RUN) return true;
    low = after + 1;
  }
  return false;
}

/**
 * The matches `ASSIGNMENT` finds scanning the whole text, found by trying it only at the start of each
 * run of key characters that holds a secret word: a key is such a run (the look-behind pins its start),
 * and a match needs a secret word in its key. A scan of 64 KiB of code mentioning `key` tried the pattern
 * at all 65,536 positions; this tries it at a few. `wordEnds`: where each secret word ends (the text
 * scan's), so each run holding one is tried once, unless an earlier match already covers its start.
 */
function assignments(text: string, spans: SecretSpan[], wordEnds: readonly number[]): void {
  let matchedTo = 0;
  let runEnd = 0;
  // The last key read and its strength: text repeats its keys (`key` all through code), and comparing
  // in place costs less than cutting the key out to look it up.
  let lastKey = "";
  let lastStrength: SecretKeyStrength = null;
  for (const end of wordEnds) {
    // A word in the run just tried (words lie within runs: their characters are all key characters).
    if (end < runEnd) continue;
    let start = end;
    while (start > 0 && isKeyChar(text.charCodeAt(start - 1))) start--;
    runEnd = end + 1;
    while (runEnd < text.length && isKeyChar(text.charCodeAt(runEnd))) runEnd++;
    if (start < matchedTo) continue;
    // The pattern's key is the whole run: a run naming no secret, or naming one only for a value shaped
    // as a credential with none near it (`const key = cache.get(…)` in code), is not tried. The key as
    // secretKeyStrength reads it: the run without the dashes of a flag.
    let keyStart = start;
    while (keyStart < runEnd && text.charCodeAt(keyStart) === 45) keyStart++;
    if (runEnd - keyStart !== lastKey.length || !text.startsWith(lastKey, keyStart)) {
      lastKey = text.slice(keyStart, runEnd);
      lastStrength = secretKeyStrength(lastKey);
    }
    const strength = lastStrength;
    if (strength === null && !/(?:Bearer|Basic|Token|Digest)/i.test(text.slice(runEnd, runEnd + 24)))
      continue;
    if (strength === "shaped" && !shapedNear(text, runEnd)) continue;
    ASSIGNMENT_AT.lastIndex = start;
    const m = ASSIGNMENT_AT.exec(text);
    if (!m) continue;
    matchedTo = Math.max(ASSIGNMENT_AT.lastIndex, assignmentSpan(text, m, spans));
  }
}

/** Adds the span of the secret of one ASSIGNMENT match; returns where what it read ends (0: no more). */
function assignmentSpan(text: string, m: RegExpExecArray, spans: SecretSpan[]): number {
  const [, key, sep, , raw] = m;
  const at = m.indices?.[4];
  if (!at || !key || !sep || !raw) return 0;
  // `Authorization: Bearer realm="…"` is a challenge's parameter, not a credential.
  if (m[3] && CHALLENGE_PARAM_AT.test(text.slice(at[0]))) return 0;
  let start = at[0];
  let end = at[1];
  const quoted = /^\\?["']/.exec(raw);
  if (quoted) {
    start += quoted[0].length;
    end -= quoted[0].length;
  }
  const value = text.slice(start, end);
  // `password is …` is prose; only a flag takes its value after a space, and a secret word a credential.
  if (sep.trim() === "" && !key.startsWith("-")) {
    if (!SECRET_WORD_KEY.test(key)) return 0;
    // Prose ends sentences and clauses with punctuation no credential ends with.
    const word = quoted ? value : value.replace(/[.!?:]+$/, "");
    const wordEnd = start + word.length;
    if (isAwsSecret(word)) spans.push({ start, end: wordEnd, kind: AWS_SECRET_KIND, rank: 3 });
    else if (credentialShaped(word)) spans.push({ start, end: wordEnd, kind: NAMED_SECRET, rank: 2 });
    return 0;
  }
  const name = key.replace(/^-+/, "");
  const strength = m[3] ? "strong" : secretKeyStrength(name);
  // A bare value after a quoted key (`"pin":4821`, `\"pin\":4821`) is JSON's: masked as a string.
  const json = !quoted && /^\\?"[ \t]*[:,]/.test(sep) ? /^\\?"/.exec(sep)?.[0] : undefined;
  // Masked already (text stored masked, masked again where it is shown or put in an event): kept as is.
  if (text.startsWith(MASKED_OPEN, start)) return 0;
  // A nested value (`"credentials": {"user": …}`, `"api_keys": […]`): its values are the key's, as in JSON.
  if (!quoted && (value.startsWith("{") || value.startsWith("[")))
    return nestedSpans(text, start, strength, spans, json);
  if (!secretValue(value, strength, name)) return 0;
  // A Cookie header's value runs to the end of the line (`a=1; b=2`).
  if (/cookie$/i.test(key) && sep.includes(":") && !quoted) {
    const eol = text.slice(end).search(/[\r\n]|$/);
    end += eol;
  }
  spans.push({ start, end, kind: NAMED_SECRET, rank: 2, quote: json });
  return 0;
}

/** How a masked value opens (see maskedText). */
const MASKED_OPEN = "[masked:";

/**
 * One token of a nested value in text: a bracket, or a quoted string (also escaped, as JSON text inside a
 * string spells it) or bare word, with the `:` or `=` after it that makes it a key.
 */
const NESTED_TOKEN =
  /([{[])|([}\]])|(\\"(?:[^"\\]|\\\\)*\\"|"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'|[^\s"'\\,:;{}[\]()=<>]+)([ \t]*(?:=>|:|=)(?!\/\/))?/g;

/**
 * Masks the values of the object or list opening at `open` (a `{` or `[` after a secret name) as that
 * name's values, the way mask-value.ts masks the same data parsed: under a name of either strength a
 * list's items are judged as its value; under a strong name an object's every value is a secret, unless the
 * object is shaped as a JSON Schema (a parameter's schema describes a secret; it is not one). Returns
 * where it ends.
 */
function nestedSpans(
  text: string,
  open: number,
  strength: SecretKeyStrength,
  spans: SecretSpan[],
  json: string | undefined,
): number {
  if (!strength || (strength !== "strong" && text[open] === "{")) return 0;
  const found: SecretSpan[] = [];
  const keys: string[] = [];
  let depth = 0;
  NESTED_TOKEN.lastIndex = open;
  for (let m = NESTED_TOKEN.exec(text); m; m = NESTED_TOKEN.exec(text)) {
    if (m[1] === "[" && text.startsWith(MASKED_OPEN, m.index)) {
      // A value masked already: its `masked:` is no key, its kind no value.
      const close = text.indexOf("]", m.index);
      if (close === -1) break;
      NESTED_TOKEN.lastIndex = close + 1;
    } else if (m[1]) depth++;
    else if (m[2]) {
      if (--depth === 0) break;
    } else if (m[4]) {
      if (depth === 1) keys.push(unquote(m[3] as string));
    } else {
      const token = m[3] as string;
      const value = unquote(token);
      if (!secretValue(value, strength)) continue;
      const start = m.index + (token.length - value.length) / 2;
      // A bare value in JSON (a number): masked as a string, as after a key.
      const quote = token === value && json ? json : undefined;
      found.push({ start, end: start + value.length, kind: NAMED_SECRET, rank: 2, quote });
    }
  }
  const end = NESTED_TOKEN.lastIndex === 0 ? text.length : NESTED_TOKEN.lastIndex;
  if (text[open] === "{" && schemaKeys(keys)) return 0;
  spans.push(...found);
  return end;
}

function unquote(token: string): string {
  const quote = /^\\?["']/.exec(token)?.[0].length ?? 0;
  return quote ? token.slice(quote, -quote) : token;
}

/**
 * Keys that name a secret plainly enough that a credential after them in prose is theirs:
 * `secret`, `client secret`, `aws_secret_access_key`, `SecretAccessKey`, `secret-key`.
 */
const SECRET_WORD_KEY = /secret(?:[_.-]?access)?(?:[_.-]?key)?$/i;
