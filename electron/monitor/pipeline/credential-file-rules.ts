/**
 * The credential files' rules: secrets no name sits next to, found by the shape of the file that holds
 * them — a private key in base64 (a kubeconfig, a Secret), a `.netrc` entry, a `.pgpass` line, and a
 * MySQL client's password glued to its `-p` flag.
 */
import { NAMED_SECRET, secretValue } from "./secret-keys.js";
import type { TextScan } from "./text-scan.js";
import type { SecretSpan } from "./token-rules.js";

/** The start of `-----BEGIN ` in base64, as a kubeconfig's `client-key-data` or a Secret's `tls.key` hold a key. */
export const BASE64_PEM_NEEDLE = "LS0tLS1CRUdJT";
/**
 * Its lines too when wrapped (`base64` writes 76 columns): a line break, or JSON text's `\n`, then a line
 * that is base64 to its end.
 */
const BASE64_PEM =
  /LS0tLS1CRUdJT[A-Za-z0-9+/]{8,}(?:(?:\r?\n|(?:\\r)?\\n)[ \t]*[A-Za-z0-9+/]+(?==*(?![^\r\n\\"'])))*={0,2}/dg;
/**
 * A `.netrc` entry: `machine HOST login USER password SECRET` (one line or one per field), opening a line
 * (or a string), its host a host (a dot, `localhost`, or alone on its line): "the default password is …"
 * and "machine learning login page password reset" are prose.
 */
export const NETRC_NEEDLE = "machine";
const NETRC =
  /(?:(?<![^\r\n"])|(?<=\\n))[ \t]*(?:machine[ \t]+(?:[\w-]+\.[\w.-]+|localhost|[\w.-]+(?=[ \t]*(?:\r?\n|\\n)))|default)(?:\s+(?:login|account|port)[ \t]+\S+)*\s+password[ \t]+(\S+)/dg;
/**
 * A `.pgpass` line: `HOST:PORT:DATABASE:USER:PASSWORD`, the password to the line's end (`\:` and `\\`
 * escaped), or to the end of a JSON string holding the file (`"…\nHOST:…:PASSWORD\n…"`). No keyword
 * names it: the shape does, a host (`*`, or 3+ characters with a letter or dot, never a MAC's or a
 * time's two digits) and a port (digits or `*`) opening a line.
 */
const PGPASS_FIELDS =
  '(?:\\*|(?=[\\w.-]*[A-Za-z.])[\\w.-]{3,}):(?:\\d{1,5}|\\*):(?:[^\\s:\\\\"]|\\\\.)+:(?:[^\\s:\\\\"]|\\\\.)+:';
/**
 * Whether `text` holds what every `.pgpass` line holds, in any spelling: a port (1–5 digits, or `*`)
 * between colons (see `mayHoldSecret`). A walk from colon to colon: a regular expression read every
 * character of a 16 KiB listing at twice the cost.
 */
export function hasPgpassPort(text: string): boolean {
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) {
    let j = i + 1;
    if (text.charCodeAt(j) === 42) j++;
    else while (j < i + 6 && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    if (j > i + 1 && text.charCodeAt(j) === 58) return true;
  }
  return false;
}
const PGPASS = new RegExp(
  `^${PGPASS_FIELDS}([^\\r\\n]+?)\\r?$|(?<=\\\\n|")${PGPASS_FIELDS}((?:[^"\\\\\\r\\n]|\\\\[^n])+)`,
  "dgm",
);
/**
 * A MySQL or MariaDB client's password glued to its `-p` flag (`mysql -uroot -pS3cret db`,
 * `mysqldump -p'…'`): no name is next to it, only the program named earlier in the same command (a shell
 * line, or a JSON list of its arguments). `-p` alone asks for the password; `-P` is the port.
 */
export const DB_CLIENT_NEEDLES = ["mysql", "mariadb"];
const DB_CLIENT = "(?<![\\w-])(?:mysql[a-z]*|mariadb(?:-[a-z]+)?)(?:\\.exe)?(?![\\w.-])";
const DB_CLIENT_ARG = new RegExp(`${DB_CLIENT}$`);
const GLUED_PASSWORD = new RegExp(
  `${DB_CLIENT}[^\\r\\n;&|]*?(?<=[\\s"',[])-p('[^'\\r\\n]+'|\\\\?"[^"\\\\\\r\\n]+\\\\?"|[^\\s"'\\\\,\\]]+)`,
  "dg",
);

/** Adds the span of each secret a credential file's rule finds in `text` (see structuralSpans). */
export function credentialFileSpans(text: string, spans: SecretSpan[], scan: TextScan): void {
  if (scan.has(BASE64_PEM_NEEDLE))
    for (const m of text.matchAll(BASE64_PEM)) {
      const at = m.indices?.[0];
      // A certificate starts the same way; only a private key is a secret.
      if (at && Buffer.from(m[0].slice(0, 64), "base64").toString("latin1").includes("PRIVATE KEY"))
        spans.push({ start: at[0], end: at[1], kind: "private-key", rank: 3 });
    }
  if (scan.has(NETRC_NEEDLE))
    for (const m of text.matchAll(NETRC)) {
      const at = m.indices?.[1];
      if (at && secretValue(m[1] as string, "strong"))
        spans.push({ start: at[0], end: at[1], kind: NAMED_SECRET, rank: 2 });
    }
  if (hasPgpassPort(text))
    for (const m of text.matchAll(PGPASS)) {
      const at = m.indices?.[m[1] === undefined ? 2 : 1];
      if (at && secretValue(text.slice(at[0], at[1]), "strong"))
        spans.push({ start: at[0], end: at[1], kind: NAMED_SECRET, rank: 2 });
    }
  if (DB_CLIENT_NEEDLES.some((needle) => scan.has(needle)))
    for (const m of text.matchAll(GLUED_PASSWORD)) {
      const at = m.indices?.[1];
      const quote = /^\\?["']/.exec(m[1] as string)?.[0].length ?? 0;
      if (at && secretValue((m[1] as string).slice(quote, quote ? -quote : undefined), "strong"))
        spans.push({ start: at[0] + quote, end: at[1] - quote, kind: NAMED_SECRET, rank: 2 });
    }
}

/** The items of an argument list that are a `-pPASSWORD` after one naming a MySQL client (see GLUED_PASSWORD). */
export function gluedPasswordArgs(argv: readonly unknown[]): Set<number> {
  const found = new Set<number>();
  let client = false;
  argv.forEach((arg, i) => {
    if (typeof arg !== "string") return;
    if (client && arg.length > 2 && arg.startsWith("-p") && secretValue(arg.slice(2), "strong")) found.add(i);
    else if (!client && DB_CLIENT_NEEDLES.some((n) => arg.includes(n))) client = DB_CLIENT_ARG.test(arg);
  });
  return found;
}
