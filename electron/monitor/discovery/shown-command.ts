/**
 * How a program is shown to the user (a channel's target, the question before running it): one quoting,
 * secrets masked, and every character that could hide or reorder text on screen written out.
 */
import { SECRET_MASK } from "../../../shared/alerts.js";
import { maskArgs, maskConfigValue, maskText } from "./mask-config.js";

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
  return [maskText(command), ...maskArgs([...args], command)]
    .map((part) => quoteArg(visibleText(hide(part))))
    .join(" ");
}

/**
 * Variables that change which code a program loads or runs, whatever its command line says (a preloaded
 * library, a runtime's options or module path, a shell's startup file): a question about running the
 * program shows their values, or the user would agree to something other than what runs.
 */
const CHANGES_WHAT_RUNS =
  /^(?:LD_\w+|DYLD_\w+|PYTHON(?:PATH|STARTUP|HOME|INSPECT|USERBASE)|NODE_OPTIONS|NODE_PATH|PERL5OPT|PERL5LIB|PERLLIB|RUBYOPT|RUBYLIB|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|CLASSPATH|PATH|BASH_ENV|ENV|GCONV_PATH|DOTNET_STARTUP_HOOKS|CORECLR_\w+|COR_PROFILER\w*|LUA_INIT\w*|LUA_C?PATH\w*|PHPRC|PHP_INI_SCAN_DIR|ELECTRON_RUN_AS_NODE)$/i;

/**
 * An environment as a question shows it: `NODE_OPTIONS='--require /tmp/x.js', TOKEN=••••••` — the values
 * of variables that change what runs, masked as a configured value is (and `hide` taking out what else
 * must not show), every other value hidden.
 */
export function shownEnv(
  env: Readonly<Record<string, unknown>> | null | undefined,
  hide: (part: string) => string = (part) => part,
): string {
  return Object.entries(env ?? {})
    .map(([name, value]) => {
      const shown = CHANGES_WHAT_RUNS.test(name)
        ? quoteArg(visibleText(hide(maskConfigValue(name, String(value)))))
        : SECRET_MASK;
      return `${visibleText(name)}=${shown}`;
    })
    .join(", ");
}

/**
 * An argument as the user's shell reads it back unchanged, for a command line they may paste: quoted when
 * it holds anything that shell would act on. A POSIX shell takes it in single quotes. On Windows the
 * shell is unknown: PowerShell (the default terminal there) is assumed, in double quotes, which cmd.exe
 * also reads a path with spaces from; inside them `"` is doubled (both read `""` as one) and PowerShell's
 * `$`, backtick and typographic double quotes (“ ” „, which it takes for `"`) are escaped with a backtick.
 */
export function quoteArg(arg: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32")
    return /^[\w+=:./\\-]+$/.test(arg)
      ? arg
      : `"${arg.replace(/["$`\u201c-\u201e]/g, (c) => (c === '"' ? '""' : `\`${c}`))}"`;
  // A leading `=` is quoted too: zsh expands `=word` to the path of the command `word`.
  return /^(?!=)[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * Words as one command line for the user's shell, each quoted by `quoteArg`. PowerShell reads a line that
 * starts with a quoted word as a string, not a command: its call operator `&` goes first then.
 */
export function quoteWords(words: readonly string[], platform: NodeJS.Platform = process.platform): string {
  const line = words.map((word) => quoteArg(word, platform)).join(" ");
  return platform === "win32" && line.startsWith('"') ? `& ${line}` : line;
}
