/**
 * Which keys name a secret, and which values under them are one: the policy every masking rule keyed on a
 * name applies (JSON keys, `KEY=v`, flags, headers, query parameters, config entries).
 */
import { entropy } from "./token-rules.js";

/** The kind of a value masked because of the key, flag, header or parameter it sits under. */
export const NAMED_SECRET = "named-secret";

/** Key words that make any key ending in them secret (compared lower-case without `_`, `-`, `.`). */
export const SECRET_SUFFIXES = [
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "secret",
  "token",
  "apikey",
  "accesskey",
  "secretkey",
  "privatekey",
  "accountkey",
  "signingkey",
  "encryptionkey",
  "masterkey",
  // Rails' and GitLab's `secret_key_base`, `db_key_base`, `otp_key_base`: the key every other is derived from.
  "keybase",
  "credential",
  "credentials",
  "authorization",
  "cookie",
  "bearer",
];
/** Secret wherever they occur in a key (`DB_PASSWORD_FILE` aside, `PRIVATE_KEY_PEM` is a key). */
export const SECRET_INFIXES = ["privatekey", "password"];
/** Secret only when the value looks random: `auth: none` and `session: default` are settings. */
export const WEAK_SUFFIXES = ["auth", "session", "sig"];
/**
 * Secret only when the value reads as a random credential (see `credentialShaped`) and is no id:
 * `OPENAI_KEY`, `?key=` — not `key: ArrowUp`, `sort_key: name`, a git hash as a `key`. `pass` as a word
 * of its own (`DB_PASS`, `SMTP_PASS`, `dbPass`) is a password, human-chosen as often as not: strong.
 */
export const SHAPED_SUFFIXES = ["key", "pass"];
/** Keys ending in `key` that name no secret: their values may look random and are ids. */
const NOT_SECRET_KEY_SUFFIXES = [
  "publickey",
  "primarykey",
  "foreignkey",
  "partitionkey",
  "sortkey",
  "rowkey",
  "rangekey",
  "hashkey",
  "cachekey",
  "idempotencykey",
  "dedupkey",
  "dedupekey",
  "objectkey",
  "lookupkey",
  "routingkey",
];
/** Keys ending in a word `pass` that count a run, not a password (`first_pass`, `multiPass`). */
const NOT_SECRET_PASSES = new Set([
  "firstpass",
  "secondpass",
  "lastpass",
  "finalpass",
  "singlepass",
  "multipass",
]);
/**
 * What a key holding `password` or `private_key` names when it goes on past it: something about the
 * secret, not the secret (`password_file`, `private_key_path`, `password_expires_at`).
 */
const ABOUT_SECRET =
  /(?:password|privatekey)(?:file|path|id|hint|policy|url|reseturl|changed|changedat|lastset|expires|expiresat|expiry|updatedat|createdat|age|length|minlength|maxlength|strength|rules|required|enabled|count)$/;
/** Keys that end like secrets but are protocol or counting fields. */
const NOT_SECRET_KEYS = new Set([
  "progresstoken",
  "nextpagetoken",
  "pagetoken",
  "maxtokens",
  "cursor",
  "passwordfile",
  "tokenfile",
  "secretfile",
]);

export type SecretKeyStrength = "strong" | "weak" | "shaped" | null;

/**
 * Strengths already worked out, by key as written: the same keys come back all the time (each object of
 * a list, `key` all through a file of code), and working one out costs a few hundred ns. Short keys only,
 * and at most KNOWN_MAX of them (cleared when full), so a payload of random keys cannot grow it.
 */
const known = new Map<string, SecretKeyStrength>();
const KNOWN_MAX = 4096;
const KNOWN_KEY_CHARS = 64;

export function secretKeyStrength(key: string): SecretKeyStrength {
  if (key.length > KNOWN_KEY_CHARS) return strengthOfKey(key);
  let strength = known.get(key);
  if (strength === undefined) {
    if (known.size >= KNOWN_MAX) known.clear();
    strength = strengthOfKey(key);
    known.set(key, strength);
  }
  return strength;
}

function strengthOfKey(key: string): SecretKeyStrength {
  const k = key.toLowerCase().replace(/[-_.]/g, "");
  const strength = strengthOf(k, key);
  if (strength || !k.endsWith("s")) return strength;
  // A plural names a list of secrets (`passwords`, `secrets`, `api_keys`); `tokens` also counts them
  // (`total_tokens: 1723`), so only what looks random under it is one.
  const one = k.slice(0, -1);
  const plural = strengthOf(one, key.slice(0, -1));
  return plural === "strong" && one.endsWith("token") ? "weak" : plural;
}

/** The strength of `key`, `k` being it lower-cased without `-`, `_` and `.`. */
function strengthOf(k: string, key: string): SecretKeyStrength {
  if (k === "" || NOT_SECRET_KEYS.has(k)) return null;
  if (SECRET_SUFFIXES.some((s) => k.endsWith(s))) return "strong";
  if (SECRET_INFIXES.some((s) => k.includes(s))) return ABOUT_SECRET.test(k) ? null : "strong";
  if (WEAK_SUFFIXES.some((s) => k.endsWith(s))) return "weak";
  if (k.endsWith("key") && !NOT_SECRET_KEY_SUFFIXES.some((s) => k.endsWith(s))) return "shaped";
  if (
    k.endsWith("pass") &&
    !NOT_SECRET_PASSES.has(k) &&
    (/(?:^|[-_.])pass$/i.test(key) || /[a-z0-9]Pass$/.test(key))
  )
    return "strong";
  return null;
}

export function isSecretKey(key: string): boolean {
  return secretKeyStrength(key) !== null;
}

/**
 * Whether `value` under a key of this strength is a secret. Placeholders and references are not. Under a
 * name that is a secret only for a random-looking value (`auth`, `key`), neither is a date or timestamp,
 * an absolute file path, or an http(s) URL (a secret inside one is masked by its own rules: a password in
 * its user info, a secret-named query parameter) — unless the "path" reads as a credential, as one base64
 * key in 64 starts with `/`. Under a strong name (`password`, `client_secret`) the value is a secret by
 * its name, whatever it looks like: `/hunter2` and `2024-01-01` are passwords too.
 */
export function secretValue(value: string, strength: SecretKeyStrength, key?: string): boolean {
  if (strength === null || value === "" || value.startsWith("[masked") || value.startsWith("$")) return false;
  if (/^(?:true|false|null|undefined|none|\*+)$/i.test(value)) return false;
  if (key !== undefined && digitsOnly(value) && pluralName(key)) return false;
  if (strength !== "strong" && NOT_A_SECRET.test(value) && !randomPath(value)) return false;
  // Laravel's `APP_KEY=base64:…` spells its key with the encoding in front.
  if (strength === "shaped") {
    const shaped = value.replace(/^base64:/, "");
    return credentialShaped(shaped) && !ID_SHAPED.test(shaped);
  }
  return strength === "strong" || (value.length >= 8 && entropy(value) >= 3);
}

/**
 * Values that are ids by their shape, under a name secret only for a random-looking value: a MongoDB
 * ObjectId or Azure row id (24 hex), a git or SHA-1 hash (40), a SHA-256 (64), a ULID (26 of Crockford's
 * base32, upper-case). A 32-hex value is as often an API key as an MD5: masked.
 */
const ID_SHAPED =
  /^(?:[0-9a-f]{24}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9A-F]{24}|[0-9A-F]{40}|[0-9A-F]{64}|[0-7][0-9A-HJKMNP-TV-Z]{25})$/;

function digitsOnly(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Whether `key` is the plural of a secret name (`secrets`, `api_keys`, `total_tokens`): a number under
 * it counts secrets (`"secrets": 2`, `"input_tokens": 15728640`), it is none.
 */
function pluralName(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_.]/g, "");
  return (
    k.endsWith("s") && strengthOf(k, key) === null && strengthOf(k.slice(0, -1), key.slice(0, -1)) !== null
  );
}

/**
 * Dates, paths and URLs. A path is its segments each written once (`[\w.@ -]+(?:\/[\w.@ -]+)*\/?`): the
 * same texts as `(?:[\w.@ -]+\/?)+`, which tried every split of a run of word characters before failing,
 * and took seconds on a 30-character value that is no path at its end (`/aaa…a!`).
 */
const NOT_A_SECRET =
  /^(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|(?:~|\.{1,2})?\/[\w.@ -]+(?:\/[\w.@ -]+)*\/?|[A-Za-z]:\\[\w.\\ -]*|https?:\/\/[^\s@]+)$/;

/** A segment of a path that is a word (`/home/`, `/etc/`, `/secrets`): random base64 seldom holds one. */
const PATH_WORD = /\/[a-z]{3,}(?:\/|$)/;

/** A value NOT_A_SECRET reads as a path that is rather a credential holding `/` (`/9j4Ks/Lm2Qp…`). */
function randomPath(value: string): boolean {
  return value.includes("/") && !PATH_WORD.test(value) && credentialShaped(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A dash-joined part that is a word (`prod`, `password`, `Default`): the value is a name. */
const WORD_PART = /(?:^|-)(?:[a-z]{3,}|[A-Z][a-z]{2,})(?:-|$)/;

/**
 * A value that reads as a random credential, not a name: 16 or more token characters mixing letters and
 * digits, with a credential's entropy, neither a UUID nor words joined by dashes
 * (`wJalrXUtnFEMI/K7MDENG/…`, not `prod-db-password-v3`, `MyAppDatabasePassword` or an id).
 */
export function credentialShaped(value: string): boolean {
  return (
    /^[A-Za-z0-9/+=_-]{16,}$/.test(value) &&
    /[0-9]/.test(value) &&
    /[A-Za-z]/.test(value) &&
    !UUID.test(value) &&
    !(value.includes("-") && WORD_PART.test(value)) &&
    value.length >= 8 &&
    entropy(value) >= 3
  );
}
