/**
 * Masks the secrets in a discovered entry before it is shown or stored: env and header values under
 * secret-looking keys, credential patterns anywhere (args, URLs, plain-looking values), and the value
 * after a secret-looking flag (`--api-key VALUE`). References that clients resolve at launch —
 * `${input:…}`, `${env:…}`, `${VAR}`, `$VAR`, `${{ secrets.X }}` — hold no secret and are shown as is.
 */

import { gluedPasswordArgs } from "../pipeline/credential-file-rules.js";
import { isSecretKey, maskedText, maskString, NAMED_SECRET } from "../pipeline/mask.js";

const REFERENCE = /\$\{\{[^}]*\}\}|\$\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*/g;
const AUTH_SCHEME = /^\s*(?:Bearer|Basic|Token)\s+/i;

/** True when nothing but references (and an auth scheme word) remains: `Bearer ${input:token}`. */
function onlyReferences(value: string): boolean {
  const rest = value.replace(REFERENCE, "");
  return rest !== value && rest.replace(AUTH_SCHEME, "").trim() === "";
}

/** Credential patterns and URL passwords in free text (commands, args, URLs, plain values). */
export function maskText(text: string): string {
  return maskString(text);
}

export function maskConfigValue(key: string, value: string): string {
  if (value === "" || onlyReferences(value)) return value;
  if (isSecretKey(key)) return maskedText(NAMED_SECRET, value);
  return maskText(value);
}

export function maskRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, maskConfigValue(key, value)]));
}

function secretFlag(arg: string | undefined): boolean {
  if (!arg?.startsWith("-") || arg.includes("=")) return false;
  return isSecretKey(arg.replace(/^-+/, ""));
}

/** `args` masked; `command`: the program they are given to (`mysql` makes `-pPASSWORD` one). */
export function maskArgs(args: string[], command = ""): string[] {
  const glued = gluedPasswordArgs([command, ...args]);
  return args.map((arg, i) => {
    if (glued.has(i + 1)) return `-p${maskConfigValue("password", arg.slice(2))}`;
    if (secretFlag(args[i - 1]) && !arg.startsWith("-")) return maskConfigValue("token", arg);
    return maskText(arg);
  });
}
