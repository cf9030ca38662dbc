/** The `mcpscope` command: prints the usage and the version itself, and loads the one command asked for. */
import { VERSION } from "../monitor/version.js";
import { COMMAND_SUMMARIES, type CommandName } from "./command-summaries.js";
import type { CliIo, Command } from "./io.js";
import { nearestName } from "./nearest-name.js";

/**
 * Each command's code, imported only when that command runs: `--help`, `--version` and `run` start without
 * the engine, SQLite and the API's schemas.
 */
const COMMAND_LOADERS: Record<CommandName, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.js")).runCommand,
  proxy: async () => (await import("./commands/proxy.js")).proxyCommand,
  serve: async () => (await import("./commands/serve.js")).serveCommand,
  stats: async () => (await import("./commands/stats.js")).statsCommand,
  calls: async () => (await import("./commands/calls.js")).callsCommand,
  logs: async () => (await import("./commands/logs.js")).logsCommand,
  events: async () => (await import("./commands/events.js")).eventsCommand,
  session: async () => (await import("./commands/session.js")).sessionCommand,
  discover: async () => (await import("./commands/discover.js")).discoverCommand,
  instrument: async () => (await import("./commands/instrument.js")).instrumentCommand,
  uninstrument: async () => (await import("./commands/uninstrument.js")).uninstrumentCommand,
  instrumented: async () => (await import("./commands/instrumented.js")).instrumentedCommand,
  check: async () => (await import("./commands/check.js")).checkCommand,
  tools: async () => (await import("./commands/tools.js")).toolsCommand,
  audit: async () => (await import("./commands/audit.js")).auditCommand,
  alerts: async () => (await import("./commands/alerts.js")).alertsCommand,
  rules: async () => (await import("./commands/rules.js")).rulesCommand,
  report: async () => (await import("./commands/report.js")).reportCommand,
  db: async () => (await import("./commands/db.js")).dbCommand,
  backup: async () => (await import("./commands/backup.js")).backupCommand,
  restore: async () => (await import("./commands/backup.js")).restoreCommand,
};

function usage(): string {
  const rows = Object.entries(COMMAND_SUMMARIES)
    .map(([name, summary]) => `  ${name.padEnd(13)} ${summary}`)
    .join("\n");
  return `mcpscope ${VERSION} — monitor the MCP servers on this machine

usage: mcpscope <command> [options]

commands:
${rows}

Every command takes --data-dir DIR and --help (-h); listing commands take --json.
\`mcpscope help COMMAND\` prints a command's help.
Wrap a server in your MCP client's config:
  "command": "mcpscope", "args": ["run", "--name", "files", "--", "npx", "-y", "@modelcontextprotocol/server-filesystem", "/home/me"]
`;
}

/** Commands whose words after the flags are a command line to run, not a subcommand. */
const RUNS_A_COMMAND = new Set(["run", "check"]);

export async function main(argv: string[], io: CliIo): Promise<number> {
  // `mcpscope help stats` (or `help report schedule`) is `mcpscope stats --help`. Only the command and a
  // subcommand's name are passed on, the help flag first: what follows them is never run (`help run cmd`).
  if (argv[0] === "help" && argv.length > 1) {
    const [command = "", sub] = argv.slice(1);
    const named = sub !== undefined && /^[a-z][a-z-]*$/.test(sub) && !RUNS_A_COMMAND.has(command);
    return main(named ? [command, sub, "--help"] : [command, "--help"], io);
  }
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.stdout.write(usage());
    return 0;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (name.startsWith("-") && name !== "-") {
    const { flagFirstProblem } = await import("./flag-first.js");
    io.stderr.write(`mcpscope: ${await flagFirstProblem(argv, COMMAND_LOADERS)}\n`);
    return 2;
  }
  if (!Object.hasOwn(COMMAND_LOADERS, name)) {
    const near = nearestName(name, Object.keys(COMMAND_LOADERS));
    const next = near ? `did you mean \`mcpscope ${near}\`?` : "run `mcpscope --help` for the list";
    io.stderr.write(`mcpscope: unknown command "${name}"; ${next}\n`);
    return 2;
  }
  const [command, { runCommandSafely }] = await Promise.all([
    COMMAND_LOADERS[name as CommandName](),
    import("./run-command.js"),
  ]);
  return runCommandSafely(command, rest, io);
}
