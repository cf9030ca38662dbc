/**
 * `mcpscope --data-dir DIR stats`: a flag before the command. Says where it goes, with an example of a
 * command that takes it (the one named, if it does, with the subcommand that takes it), or that no command
 * takes it, or (`-x`) that it is no flag at all.
 */
import { COMMON_FLAGS, type FlagSpec } from "./args.js";
import type { CommandName } from "./command-summaries.js";
import type { Command } from "./io.js";

/** The example's command when the words name none that takes the flag, and it takes it. */
const EXAMPLE_COMMAND = "stats";

type Loaders = Record<CommandName, () => Promise<Command>>;

/**
 * The one-line problem with `argv`, whose first word is a flag (`--name`, `--name=value`, `-x`). The only
 * short flags are `-h` and `-v`, which `main` answers: any other is none mcpscope takes.
 */
export async function flagFirstProblem(argv: string[], loaders: Loaders): Promise<string> {
  const flag = (argv[0] ?? "").split("=")[0] ?? "";
  if (!flag.startsWith("--")) return `${flag} is not a flag mcpscope takes; see \`mcpscope --help\``;
  const name = flag.slice(2);
  const named = argv.find((word): word is CommandName => Object.hasOwn(loaders, word));
  // The subcommand named too (`mcpscope --for 2h alerts pause`), if any, before its siblings.
  const said = named && `${named} ${argv[argv.indexOf(named) + 1]}`;
  const example = await exampleOf(name, named, said, loaders);
  if (!example) return `no command takes ${flag}; run \`mcpscope --help\` for the list`;
  const value = example.spec.kind === "string" ? ` ${example.spec.placeholder ?? "VALUE"}` : "";
  return `${flag} goes after the command, as in \`mcpscope ${example.usage} ${flag}${value}\``;
}

async function exampleOf(
  name: string,
  named: CommandName | undefined,
  said: string | undefined,
  loaders: Loaders,
): Promise<{ usage: string; spec: FlagSpec } | undefined> {
  const common = Object.hasOwn(COMMON_FLAGS, name) ? COMMON_FLAGS[name] : undefined;
  if (common) return { usage: named ?? EXAMPLE_COMMAND, spec: common };
  const first = [named ?? EXAMPLE_COMMAND, EXAMPLE_COMMAND] as const;
  const order = [...new Set<CommandName>([...first, ...(Object.keys(loaders) as CommandName[])])];
  // Most flags are the named command's (or the example's): only a rarer one loads every command.
  for (const candidates of [order.slice(0, 2), order.slice(2)]) {
    const commands = await Promise.all(candidates.map((c) => loaders[c]()));
    for (const command of commands)
      for (const [usage, specs] of Object.entries(command.flags).sort(
        ([a], [b]) => Number(b === said) - Number(a === said),
      ))
        if (Object.hasOwn(specs, name)) return { usage, spec: specs[name] as FlagSpec };
  }
  return undefined;
}
