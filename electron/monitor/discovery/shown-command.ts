/**
 * How a program is shown to the user (a channel's target, the question before running it): one quoting,
 * secrets masked, and every character that could hide or reorder text on screen written out.
 */
import { SECRET_MASK } from "../../../shared/alerts.js";
import { maskArgs, maskText } from "./mask-config.js";

/** Control, format (bidi overrides, zero-width), line and paragraph separators. */
const UNSEEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `text` with each character that does not show as itself written as `\u{202e}`. */
export function visibleText(text: string): string {
  return text.replace(UNSEEN, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

/**
 * A command line as the UI shows it: secrets masked (and `hide` taking out what else must not show), an
 * argument a shell would split or expand quoted.
 */
export function shownCommandLine(
  command: string,
  args: readonly string[],
  hide: (part: string) => string = (part) => part,
): string {
  return [maskText(command), ...maskArgs([...args])]
    .map((part) => quoteArg(visibleText(hide(part))))
    .join(" ");
}

/** An environment by names, values hidden: `LD_PRELOAD=••••••, TOKEN=••••••`. */
export function shownEnvNames(env: Readonly<Record<string, unknown>> | null | undefined): string {
  return Object.keys(env ?? {})
    .map((name) => `${visibleText(name)}=${SECRET_MASK}`)
    .join(", ");
}

/** An argument as a POSIX shell reads it back unchanged: quoted when it holds anything a shell would act on. */
export function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
