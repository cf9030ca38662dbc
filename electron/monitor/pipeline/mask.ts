/**
 * Masks secrets before anything is stored or shown: values under secret-looking keys, and credential
 * patterns inside any string. The secret itself never leaves this module; only the detector's name does.
 */

const MASK = "[masked]";

/** Keys whose values are secrets, compared lower-case with `_` and `-` removed. */
const SECRET_KEYS = new Set([
  "password",
  "passwd",
  "pwd",
  "secret",
  "token",
  "apikey",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "privatekey",
  "credentials",
  "credential",
  "sessiontoken",
  "bearer",
  "xapikey",
]);
const SECRET_KEY_SUFFIXES = [
  "password",
  "secret",
  "apikey",
  "token",
  "privatekey",
  "accesskey",
  "credentials",
];
/** Keys that end like secrets but are protocol fields. */
const NOT_SECRET_KEYS = new Set(["progresstoken", "nextpagetoken", "pagetoken", "maxtokens", "cursor"]);

interface Detector {
  name: string;
  pattern: RegExp;
  /** Replace only this capture group (1-based), keeping the rest of the match readable. */
  group?: number;
}

const DETECTORS: Detector[] = [
  {
    name: "private_key",
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  },
  { name: "aws_access_key", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: "github_token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})\b/g },
  { name: "openai_key", pattern: /\bsk-(?:proj-|ant-|live-)?[A-Za-z0-9_-]{20,}/g },
  { name: "slack_token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  { name: "google_api_key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: "stripe_key", pattern: /\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}\b/g },
  { name: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { name: "bearer", pattern: /\b((?:Bearer|Basic)\s+)([A-Za-z0-9._~+/-]{8,}=*)/gi, group: 2 },
  {
    name: "assignment",
    // `password=…`, `token: …`, and `"password":"…"` written as JSON inside a string.
    pattern:
      /\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?access[_-]?key|client[_-]?secret|auth[_-]?token|authorization)\w*["']?\s*[=:]\s*["']?)(?!Bearer\b|Basic\b|\[masked)([^\s"'&,;]{4,})/gi,
    group: 2,
  },
];

/**
 * Masks multi-line private-key blocks in a stream of lines (stderr is stored line by line): every line
 * from a BEGIN … PRIVATE KEY line to its END line is masked whole.
 */
export class LineMasker {
  private inKeyBlock = false;

  mask(line: string, found?: Set<string>): string {
    if (this.inKeyBlock) {
      if (/-----END [A-Z ]*PRIVATE KEY-----/.test(line)) this.inKeyBlock = false;
      return "[masked:private_key]";
    }
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(line) && !/-----END [A-Z ]*PRIVATE KEY-----/.test(line)) {
      this.inKeyBlock = true;
      found?.add("private_key");
      return "[masked:private_key]";
    }
    return maskString(line, found);
  }
}

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, "");
  if (NOT_SECRET_KEYS.has(k)) return false;
  return SECRET_KEYS.has(k) || SECRET_KEY_SUFFIXES.some((s) => k.endsWith(s));
}

/** A cheap first look: a string with none of these cannot match any detector. */
const MAYBE_SECRET =
  /PRIVATE KEY|AKIA|ASIA|gh[pousr]_|github_pat_|sk-|xox[abprs]-|AIza|[rs]k_(?:live|test)_|eyJ|bearer|basic|pass|pwd|secret|token|key|auth/i;

/** Masks credential patterns in a string; `found` collects detector names. */
export function maskString(text: string, found?: Set<string>): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  for (const detector of DETECTORS) {
    detector.pattern.lastIndex = 0;
    if (!detector.pattern.test(out)) continue;
    detector.pattern.lastIndex = 0;
    found?.add(detector.name);
    out = out.replace(detector.pattern, (_match, ...groups: unknown[]) => {
      if (!detector.group) return `[masked:${detector.name}]`;
      const keep = groups.slice(0, detector.group - 1).join("");
      return `${keep}${MASK}`;
    });
  }
  return out;
}

/** A deep copy of `value` with secrets masked. Bounded depth; cycles cannot occur in parsed JSON. */
export function maskValue(value: unknown, found?: Set<string>, depth = 0): unknown {
  if (typeof value === "string") return maskString(value, found);
  if (value === null || typeof value !== "object") return value;
  if (depth > 64) return "[too deep]";
  if (Array.isArray(value)) return value.map((item) => maskValue(item, found, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (isSecretKey(key) && item !== null && item !== "" && typeof item !== "object") {
      found?.add(`key:${key}`);
      out[key] = MASK;
    } else if (isSecretKey(key) && item !== null && typeof item === "object" && !Array.isArray(item)) {
      // e.g. "credentials": {…}: mask every leaf.
      out[key] = maskAll(item);
    } else {
      out[key] = maskValue(item, found, depth + 1);
    }
  }
  return out;
}

function maskAll(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value === null ? null : MASK;
  if (Array.isArray(value)) return value.map(maskAll);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAll(v)]));
}
