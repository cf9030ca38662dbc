/**
 * A small flag parser shared by every command: `--flag value`, `--flag=value`, booleans, and `--` to end
 * the flags. Unknown flags are errors with a one-line message that points at `--help`.
 */
import { parseDuration, parseTimeSpec } from "../monitor/time.js";

export type FlagKind = "string" | "boolean";

export interface FlagSpec {
  kind: FlagKind;
  /** One line for --help. */
  help: string;
  placeholder?: string;
  default?: string;
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
  help: { kind: "boolean", help: "show this help" },
};

/**
 * Parses `argv` against `specs`. With `stopAtPositional`, the first non-flag argument and everything after
 * it is left in `rest` (for `mcpscope run NAME-less COMMAND ARGS…` without `--`).
 */
export function parseArgs(
  command: string,
  argv: string[],
  specs: FlagSpecs,
  stopAtPositional = false,
): ParsedArgs {
  const all = { ...COMMON_FLAGS, ...specs };
  const flags: ParsedArgs["flags"] = {};
  const lists: ParsedArgs["lists"] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") return { flags, positionals, lists, rest: argv.slice(i + 1) };
    if (!arg.startsWith("--") || arg === "-") {
      if (stopAtPositional) return { flags, positionals, lists, rest: argv.slice(i) };
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = all[name];
    if (!spec)
      throw new UsageError(
        `unknown flag --${name} for \`mcpscope ${command}\`; see \`mcpscope ${command} --help\``,
      );
    if (spec.kind === "boolean") {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith("--"))) {
      throw new UsageError(`--${name} needs a value (${spec.placeholder ?? "VALUE"})`);
    }
    checkValue(name, spec, value);
    flags[name] = value;
    lists[name] = [...(lists[name] ?? []), value];
  }
  return { flags, positionals, lists, rest: [] };
}

/** Placeholders of values that name something (a folder, a file, a server): never empty. */
const NAMED_PLACES = new Set(["DIR", "FILE", "NAME"]);

/**
 * Values shown as TIME or DURATION in --help are checked here, so that a bad one is a usage error
 * (exit 2, one line) in every command, before anything is opened.
 */
function checkValue(name: string, spec: FlagSpec, value: string): void {
  // An unset shell variable (`--data-dir "$DIR"`) must not fall back to the default (the user's real data).
  if (NAMED_PLACES.has(spec.placeholder ?? "") && value.trim() === "")
    throw new UsageError(`--${name} is empty (an unset variable?); give ${spec.placeholder}`);
  try {
    if (spec.placeholder === "TIME") parseTimeSpec(value);
    else if (spec.placeholder === "DURATION") parseDuration(value);
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
