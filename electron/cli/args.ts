/**
 * A small flag parser shared by every command: `--flag value`, `--flag=value`, booleans, and `--` to end
 * the flags. Unknown flags are errors with a one-line message that points at `--help`.
 */
import { positiveDurationProblem } from "../../shared/durations.js";
import { iso, parseTimeSpec, parseUntilSpec } from "../monitor/time.js";

export type FlagKind = "string" | "boolean";

export interface FlagSpec {
  kind: FlagKind;
  /** One line for --help. */
  help: string;
  placeholder?: string;
  default?: string;
  /** The default does not apply when this other flag is given (`events --session`: all of the session). */
  noDefaultWith?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface ParsedArgs {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** Every value of each string flag given more than once (`--server a --server b`), in order. */
  lists: Record<string, string[]>;
  /** Everything after `--`, untouched. */
  rest: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Flags every command accepts. */
export const COMMON_FLAGS: FlagSpecs = {
  "data-dir": {
    kind: "string",
    placeholder: "DIR",
    help: "where mcpscope keeps its database (default: $MCPSCOPE_HOME or the platform's app-data folder)",
  },
  help: { kind: "boolean", help: "show this help (or -h)" },
};

/** What a command takes besides its flags; anything else is a usage error. */
export interface ArgShape {
  /** At most this many words that are not flags (after the subcommand, if any); default none. */
  positionals?: number;
  /**
   * The first word names a subcommand, each with its own positionals and, when given, the only flags it
   * takes (besides the common ones): a flag of a sibling is refused rather than ignored.
   */
  subcommands?: Record<string, { positionals?: number; flags?: readonly string[] }>;
  /** The subcommand when no word names one (`mcpscope alerts` lists). */
  defaultSubcommand?: string;
  /** The first word and everything after it is left in `rest` (`mcpscope run COMMAND ARGS…` without `--`). */
  stopAtPositional?: boolean;
  /**
   * What follows `--` is a command to run, kept in `rest` (`mcpscope check -- npx …`). Otherwise the words
   * after `--` are positionals, as in any Unix tool (`mcpscope session -- -odd-id`), and counted as such.
   */
  commandAfterDashes?: boolean;
  /** What to say after a stray word instead of pointing at --help (`did you mean \`mcpscope logs patterns\`?`). */
  hint?: string;
  /** --since as a duration counts back from --until rather than from now (`report`). */
  sinceFromUntil?: boolean;
}

/**
 * A command's flags by how it is called, for a `Command`'s `flags`: each subcommand `shape` names with the
 * flags it takes (`alerts history`: since, rule, …), the default one as the command alone (`alerts`).
 */
export function flagsBySubcommand(
  command: string,
  specs: FlagSpecs,
  shape: ArgShape,
): Record<string, FlagSpecs> {
  const byUse: Record<string, FlagSpecs> = {};
  for (const [sub, { flags }] of Object.entries(shape.subcommands ?? {})) {
    const use = sub === shape.defaultSubcommand ? command : `${command} ${sub}`;
    byUse[use] = flags ? Object.fromEntries(flags.map((name) => [name, specs[name] as FlagSpec])) : specs;
  }
  return byUse;
}

/**
 * Parses `argv` against `specs` and `shape` (`true` is the old spelling of `{ stopAtPositional: true }`).
 * `-h` is `--help`; any other short flag, a stray word, a flag of a sibling subcommand, a bad TIME or
 * DURATION and an empty --since/--until range are usage errors.
 */
export function parseArgs(
  command: string,
  argv: string[],
  specs: FlagSpecs,
  shape: ArgShape | boolean = {},
): ParsedArgs {
  const how: ArgShape = typeof shape === "boolean" ? { stopAtPositional: shape } : shape;
  const all = { ...COMMON_FLAGS, ...specs };
  const unknown = (flag: string) =>
    new UsageError(`unknown flag ${flag} for \`mcpscope ${command}\`; see \`mcpscope ${command} --help\``);
  const flags: ParsedArgs["flags"] = {};
  const lists: ParsedArgs["lists"] = {};
  const positionals: string[] = [];
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      if (how.stopAtPositional || how.commandAfterDashes) rest = argv.slice(i + 1);
      else positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h") {
      flags.help = true;
      continue;
    }
    if (arg.startsWith("-") && !arg.startsWith("--") && arg !== "-") throw unknown(arg);
    if (!arg.startsWith("--") || arg === "-") {
      if (how.stopAtPositional) {
        rest = argv.slice(i);
        break;
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = all[name];
    if (!spec) throw unknown(`--${name}`);
    if (spec.kind === "boolean") {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    // A value may start with dashes (`--grep '-->'`) unless it is one of this command's own flags.
    if (value === undefined || (eq === -1 && isKnownFlag(value, all))) {
      throw new UsageError(`--${name} needs a value (${spec.placeholder ?? "VALUE"})`);
    }
    checkValue(name, spec, value);
    flags[name] = value;
    lists[name] = [...(lists[name] ?? []), value];
  }
  const parsed = { flags, positionals, lists, rest };
  if (!flags.help) {
    checkShape(command, parsed, how);
    checkRange(all, flags, how.sinceFromUntil === true);
  }
  return parsed;
}

function isKnownFlag(word: string, all: FlagSpecs): boolean {
  // `--` ends the flags: `--data-dir $UNSET -- cmd` is a missing value, not a folder named `--`.
  if (word === "-h" || word === "--") return true;
  if (!word.startsWith("--")) return false;
  const eq = word.indexOf("=");
  return Object.hasOwn(all, eq === -1 ? word.slice(2) : word.slice(2, eq));
}

/** Stray words, unknown subcommands and flags that belong to a sibling subcommand. */
function checkShape(command: string, args: ParsedArgs, shape: ArgShape): void {
  let words = args.positionals;
  let allowed = shape.positionals ?? 0;
  let name = command;
  if (shape.subcommands) {
    const names = Object.keys(shape.subcommands);
    const typed = words[0];
    const sub = typed ?? shape.defaultSubcommand;
    if (sub === undefined)
      throw new UsageError(
        `needs a command: ${names.slice(0, -1).join(", ")} or ${names.at(-1)}; see \`mcpscope ${command} --help\``,
      );
    const spec = shape.subcommands[sub];
    if (!spec) throw new UsageError(`unknown ${command} command "${typed}"; use ${names.join(", ")}`);
    name = `${command} ${sub}`;
    words = typed === undefined ? [] : words.slice(1);
    allowed = spec.positionals ?? 0;
    if (spec.flags) {
      const own = new Set([...Object.keys(COMMON_FLAGS), ...spec.flags]);
      const stray = Object.keys(args.flags).find((flag) => !own.has(flag));
      if (stray)
        throw new UsageError(
          `--${stray} is not an option of \`mcpscope ${name}\`; see \`mcpscope ${command} --help\``,
        );
    }
  }
  const extra = words[allowed];
  if (extra !== undefined)
    throw new UsageError(`unexpected "${extra}"; ${shape.hint ?? `see \`mcpscope ${name} --help\``}`);
}

/** --since must come before --until (its default, or now): an empty range is a mistake, not a result. */
function checkRange(all: FlagSpecs, flags: ParsedArgs["flags"], sinceFromUntil: boolean): void {
  const [sinceSpec, untilSpec] = [all.since, all.until];
  if (sinceSpec?.placeholder !== "TIME" || untilSpec?.placeholder !== "TIME") return;
  const defaulted = sinceSpec.noDefaultWith === undefined || flags[sinceSpec.noDefaultWith] === undefined;
  const sinceText = typeof flags.since === "string" ? flags.since : defaulted ? sinceSpec.default : undefined;
  const untilText = typeof flags.until === "string" ? flags.until : undefined;
  if (sinceText === undefined) return;
  const now = Date.now();
  // A report's --until ends its period at that instant; a listing's covers the millisecond written.
  const until =
    untilText === undefined ? now : (sinceFromUntil ? parseTimeSpec : parseUntilSpec)(untilText, now);
  const since = parseTimeSpec(sinceText, sinceFromUntil ? until : now);
  if (since < until) return;
  const given = flags.since === undefined ? "the default, " : "";
  const end = untilText === undefined ? "now" : `--until ${untilText}`;
  throw new UsageError(
    `the range is empty: --since ${sinceText} (${given}${iso(since)}) is not before ${end} (${iso(until)})`,
  );
}

/** Placeholders of values that name something (a folder, a file, a server): never empty. */
const NAMED_PLACES = new Set(["DIR", "FILE", "NAME"]);

/**
 * Values shown as TIME or DURATION in --help are checked here, so that a bad one is a usage error
 * (exit 2, one line) in every command, before anything is opened. Every DURATION flag is a length of
 * time to wait or keep something, so more than zero.
 */
function checkValue(name: string, spec: FlagSpec, value: string): void {
  // An unset shell variable (`--data-dir "$DIR"`) must not fall back to the default (the user's real data).
  // Only empty: a name of spaces is odd but real (a client config's key, which `instrument` wraps as it is).
  if (NAMED_PLACES.has(spec.placeholder ?? "") && value === "")
    throw new UsageError(`--${name} is empty (an unset variable?); give ${spec.placeholder}`);
  try {
    if (spec.placeholder === "TIME") parseTimeSpec(value);
    else if (spec.placeholder === "DURATION") {
      const problem = positiveDurationProblem(value);
      if (problem) throw new Error(problem);
    }
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === "string" ? value : undefined;
}

/** Every value given for a repeatable flag. */
export function flagList(args: ParsedArgs, name: string): string[] {
  return args.lists[name] ?? [];
}

export function formatHelp(usage: string, summary: string, specs: FlagSpecs, extra = ""): string {
  const all = { ...specs, ...COMMON_FLAGS };
  const rows = Object.entries(all).map(([name, spec]) => {
    const left = `  --${name}${spec.kind === "string" ? ` ${spec.placeholder ?? "VALUE"}` : ""}`;
    return `${left.padEnd(28)} ${spec.help}${spec.default ? ` (default ${spec.default})` : ""}`;
  });
  return `usage: ${usage}\n\n${summary}\n\noptions:\n${rows.join("\n")}\n${extra ? `\n${extra}\n` : ""}`;
}
