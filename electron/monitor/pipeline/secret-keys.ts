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

export type SecretKeyStrength = "strong" | "weak" | null;

export function secretKeyStrength(key: string): SecretKeyStrength {
  const k = key.toLowerCase().replace(/[-_.]/g, "");
  const strength = strengthOf(k);
  if (strength || !k.endsWith("s")) return strength;
  // A plural names a list of secrets (`passwords`, `secrets`, `api_keys`); `tokens` also counts them
  // (`total_tokens: 1723`), so only what looks random under it is one.
  const one = k.slice(0, -1);
  const plural = strengthOf(one);
  return plural === "strong" && one.endsWith("token") ? "weak" : plural;
}

/** The strength of a key already lower-cased without `-`, `_` and `.`. */
function strengthOf(k: string): SecretKeyStrength {
  if (k === "" || NOT_SECRET_KEYS.has(k)) return null;
  if (SECRET_SUFFIXES.some((s) => k.endsWith(s)) || SECRET_INFIXES.some((s) => k.includes(s)))
    return "strong";
  if (WEAK_SUFFIXES.some((s) => k.endsWith(s))) return "weak";
  return null;
}

export function isSecretKey(key: string): boolean {
  return secretKeyStrength(key) !== null;
}

/** Whether `value` under a key of this strength is a secret (placeholders and references are not). */
export function secretValue(value: string, strength: SecretKeyStrength): boolean {
  if (strength === null || value === "" || value.startsWith("[masked") || value.startsWith("$")) return false;
  if (/^(?:true|false|null|undefined|none|\*+)$/i.test(value)) return false;
  return strength === "strong" || (value.length >= 8 && entropy(value) >= 3);
}
