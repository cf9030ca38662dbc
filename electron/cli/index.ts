/** The `mcpscope` command: dispatches to one file per command under commands/. */
import { VERSION } from "../monitor/version.js";
import { alertsCommand } from "./commands/alerts.js";
import { auditCommand } from "./commands/audit.js";
import { backupCommand, restoreCommand } from "./commands/backup.js";
import { callsCommand } from "./commands/calls.js";
import { checkCommand } from "./commands/check.js";
import { dbCommand } from "./commands/db.js";
import { discoverCommand } from "./commands/discover.js";
import { eventsCommand } from "./commands/events.js";
import { instrumentCommand } from "./commands/instrument.js";
import { instrumentedCommand } from "./commands/instrumented.js";
import { logsCommand } from "./commands/logs.js";
import { proxyCommand } from "./commands/proxy.js";
import { reportCommand } from "./commands/report.js";
import { rulesCommand } from "./commands/rules.js";
import { runCommand } from "./commands/run.js";
import { serveCommand } from "./commands/serve.js";
import { sessionCommand } from "./commands/session.js";
import { statsCommand } from "./commands/stats.js";
import { toolsCommand } from "./commands/tools.js";
import { uninstrumentCommand } from "./commands/uninstrument.js";
import type { CliIo, Command } from "./io.js";
import { runCommandSafely } from "./run-command.js";

const COMMANDS: Command[] = [
  runCommand,
  proxyCommand,
  serveCommand,
  statsCommand,
  callsCommand,
  logsCommand,
  eventsCommand,
  sessionCommand,
  discoverCommand,
  instrumentCommand,
  uninstrumentCommand,
  instrumentedCommand,
  checkCommand,
  toolsCommand,
  auditCommand,
  alertsCommand,
  rulesCommand,
  reportCommand,
  dbCommand,
  backupCommand,
  restoreCommand,
];

function usage(): string {
  const rows = COMMANDS.map((c) => `  ${c.name.padEnd(13)} ${c.summary}`).join("\n");
  return `mcpscope ${VERSION} — monitor the MCP servers on this machine

usage: mcpscope <command> [options]

commands:
${rows}

Every command takes --data-dir DIR and --help; listing commands take --json.
Wrap a server in your MCP client's config:
  "command": "mcpscope", "args": ["run", "--name", "files", "--", "npx", "-y", "@modelcontextprotocol/server-filesystem", "/home/me"]
`;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.stdout.write(usage());
    return 0;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`mcpscope: unknown command "${name}"; run \`mcpscope --help\` for the list\n`);
    return 2;
  }
  return runCommandSafely(command, rest, io);
}
