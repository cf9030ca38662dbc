import { withStoreApi } from "../api-client.js";
import { callWithFlags } from "../api-input.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { Command } from "../io.js";
import { HOME_FLAG, PICK_FLAGS, parseClientId, pickInput } from "./instrument.js";

const FLAGS: FlagSpecs = {
  client: { kind: "string", placeholder: "ID", help: "the MCP client" },
  server: { kind: "string", placeholder: "NAME", help: "the instrumented server" },
  ...PICK_FLAGS,
  project: { kind: "string", placeholder: "DIR", help: "with --scope local: the project whose entry it is" },
  home: { ...HOME_FLAG, help: "only entries in configs under DIR (as `instrument --home DIR` wrapped them)" },
  all: { kind: "boolean", help: "restore every entry mcpscope instrumented (before removing mcpscope)" },
  force: {
    kind: "boolean",
    help: "put the original entry back even if the wrapped entry was changed since (a backup is kept)",
  },
  json: {
    kind: "boolean",
    help: 'print {"entries": [{"client", "server", "file", "status", "backup", "warning", "error"}]}',
  },
};

const SAID: Record<string, string> = {
  restored: "restored",
  forced: "restored (over a changed entry, --force)",
  unchanged: "was already restored",
  forgotten: "is no longer in its file; forgot it",
};

export const uninstrumentCommand: Command = {
  name: "uninstrument",
  summary: COMMAND_SUMMARIES.uninstrument,
  flags: { uninstrument: FLAGS },
  async run(argv, io) {
    const args = parseArgs("uninstrument", argv, FLAGS, { positionals: 0 });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope uninstrument --client ID --server NAME [--file FILE] [--scope SCOPE] [--project DIR] [--force] [--home DIR] [--json] | --all [--force] [--home DIR] [--json]",
          `${this.summary}. The original entry is restored byte for byte; the rest of the file is kept as it is now.`,
          FLAGS,
        ),
      );
      return 0;
    }
    const home = flagString(args, "home");
    const force = args.flags.force === true;
    let input: Record<string, unknown>;
    if (args.flags.all) {
      if (flagString(args, "client") || flagString(args, "server"))
        throw new UsageError("--all restores everything; leave out --client and --server");
      input = { all: true, home, force };
    } else {
      const client = parseClientId(flagString(args, "client"), "--client (or --all)");
      const name = flagString(args, "server");
      if (!name) throw new UsageError("--server is required (or --all); `mcpscope instrumented` lists them");
      input = { client, server: name, ...pickInput(args), home, force };
    }
    const undo = withStoreApi(
      args,
      (api) =>
        callWithFlags(api, "instrument.undo", input, {
          file: "file",
          scope: "scope",
          project: "project",
          home: "home",
          server: "server",
        }),
      { asIs: ["file"] },
    );
    // A refusal of one entry is still a document under --json, as each failed entry of --all is.
    const { entries } = await undo.catch((error: Error) => {
      if (args.flags.json && !args.flags.all) {
        const failed = { client: input.client, server: input.server, file: input.file ?? null };
        const entry = { ...failed, status: "failed", backup: null, warning: null, error: error.message };
        io.stdout.write(`${JSON.stringify({ entries: [entry] }, null, 2)}\n`);
      }
      throw error;
    });
    if (args.flags.json) {
      io.stdout.write(`${JSON.stringify({ entries }, null, 2)}\n`);
    } else if (entries.length === 0) {
      io.stdout.write("nothing is instrumented; no config was changed\n");
    }
    const clients = new Set<string>();
    for (const entry of entries) {
      const who = `${entry.server} (${entry.client}) in ${entry.file}`;
      if (entry.error) {
        // One entry was named on the command line; of --all's, each says whose it is.
        const named =
          !args.flags.all || entry.error.includes(entry.server)
            ? entry.error
            : `${entry.server} (${entry.client}): ${entry.error}`;
        io.stderr.write(`mcpscope uninstrument: ${named}\n`);
      } else if (!args.flags.json) io.stdout.write(`${who}: ${SAID[entry.status] ?? entry.status}\n`);
      // Restored, but the backup is not listed: said after the usual line, and not a clean exit.
      if (entry.warning)
        io.stderr.write(`mcpscope uninstrument: ${who} was restored, but ${entry.warning}\n`);
      if (entry.status === "restored" || entry.status === "forced") clients.add(entry.client);
    }
    if (clients.size && !args.flags.json)
      io.stdout.write(`restart ${[...clients].join(", ")} to pick up the change\n`);
    return entries.some((e) => e.error || e.warning) ? 1 : 0;
  },
};
