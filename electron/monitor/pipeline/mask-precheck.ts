/** Whether a payload's JSON text could be changed by masking at all, judged without masking it. */

import { BASE64_PEM_NEEDLE, DB_CLIENT_NEEDLES, hasPgpassPort } from "./credential-file-rules.js";
import { KeywordScanner } from "./keyword-scan.js";
import { MAX_DEPTH } from "./mask-value.js";
import { SECRET_INFIXES, SECRET_SUFFIXES, SHAPED_SUFFIXES, WEAK_SUFFIXES } from "./secret-keys.js";
import { CAPABILITY_URLS, LOOSE_TOKENS, PRIVATE_KEY_NEEDLE, URL_NEEDLE } from "./structural-rules.js";
import { anyTokenKeyword } from "./token-rules.js";

/**
 * Every word a structural rule or a secret-named key needs, lower-case without `-`, `_`, `.` (how keys
 * are compared): each spelling of KEY_WORD, each key suffix and infix, the auth schemes, the MySQL
 * clients whose `-p` takes a password, and the paths of the capability URLs. Built on first use (see
 * mask-text.ts).
 */
let built: KeywordScanner | undefined;
function neededWords(): KeywordScanner {
  built ??= new KeywordScanner(
    [
      ...new Set([
        ...SECRET_SUFFIXES,
        ...SECRET_INFIXES,
        ...WEAK_SUFFIXES,
        ...SHAPED_SUFFIXES,
        ...["passd", "passwrd", "password", "passwd", "passphrase", "pwd", "secret", "token", "apikey"],
        ...["accesskey", "secretkey", "privatekey", "accountkey", "signingkey", "encryptionkey", "masterkey"],
        ...["credential", "auth", "cookie", "session", "bearer", "sig", "basic"],
        ...DB_CLIENT_NEEDLES,
        // A capability URL's path (`webhooks/`, `/bot`): read in the same pass, at no cost per text.
        ...CAPABILITY_URLS.map((url) => url[1]),
      ]),
    ],
    "-_.",
  );
  return built;
}

/**
 * Whether `maskValue(value, found, { left })` could differ from `value`, judged from `json`, the JSON text
 * of a parsed value with `json.length * 2 < left` (so the budget never runs out, see maskBudgeted). False
 * only when no rule can match any key or string in it: a string's every rule needs one of the rules'
 * keywords, `PRIVATE KEY`, `://`, a loose token's prefix or a neededWords() word, all ASCII without
 * quotes or backslashes, so a string holding one holds it in its JSON spelling too; a secret-named key
 * holds a neededWords() word once lower-cased and stripped of `-_.`, so its JSON spelling does as well.
 * A small call's payload usually has none: it is then stored as its JSON text, without the masking copy.
 */
export function mayHoldSecret(json: string): boolean {
  if (json.includes(PRIVATE_KEY_NEEDLE) || json.includes(URL_NEEDLE) || json.includes(BASE64_PEM_NEEDLE))
    return true;
  for (const token of LOOSE_TOKENS) if (json.includes(token[1])) return true;
  if (hasPgpassPort(json)) return true;
  // More containers than masking descends into: maybe "[too deep]". Counted by native searches.
  let opens = 0;
  for (const open of ["{", "["])
    for (let i = json.indexOf(open); i !== -1; i = json.indexOf(open, i + 1))
      if (++opens > MAX_DEPTH) return true;
  if (anyTokenKeyword(json)) return true;
  // All ASCII exactly when every character is one byte of UTF-8 (counted natively).
  const ascii = Buffer.byteLength(json, "utf8") === json.length;
  // The scan folds ASCII case only; a few other characters lower-case to ASCII letters (K, İ).
  return neededWords().any(ascii ? json : json.toLowerCase());
}
