import type { ClientId } from "../../../shared/discovery.js";
import { defaultDiscoveryContext } from "../../monitor/discovery/context.js";
import { discoverServers } from "../../monitor/discovery/discover.js";
import { MonitoringError } from "../../monitor/errors.js";
import {
  type UninstrumentAllItem,
  uninstrumentAll,
  uninstrumentRecord,
} from "../../monitor/instrument/instrument.js";
import { readRecords } from "../../monitor/instrument/records.js";
import { resolveDataDir } from "../../monitor/paths.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import type { Command } from "../io.js";
import { HOME_FLAG, parseClientId, underHome } from "./instrument.js";

const FLAGS: FlagSpecs = {
  client: { kind: "string", placeholder: "ID", help: "the MCP client" },
  server: { kind: "string", placeholder: "NAME", help: "the instrumented server" },
  file: { kind: "string", placeholder: "FILE", help: "the config file, when the name is in several" },
  home: { ...HOME_FLAG, help: "only entries in configs under DIR (as `instrument --home DIR` wrapped them)" },
  all: { kind: "boolean", help: "restore every entry mcpscope instrumented (before removing mcpscope)" },
  force: {
    kind: "boolean",
    help: "put the original entry back even if the wrapped entry was changed since (a backup is kept)",
  },
  json: {
    kind: "boolean",
    help: 'print {"entries": [{"client", "server", "file", "status", "backup", "error"}]}',
  },
};

const SAID: Record<string, string> = {
  restored: "restored",
  forced: "restored (over a changed entry, --force)",
  unchanged: "was already restored",
  forgotten: "is no longer in its file; forgot it",
};

/** When the entry is wrapped in `mcpscope run` by hand, why there is nothing to undo. */
async function wrappedByHand(
  client: ClientId,
  name: string,
  home: string | undefined,
): Promise<string | null> {
  const { servers } = await discoverServers(await defaultDiscoveryContext({ home }), { clients: [client] });
  const found = servers.find((s) => s.definition.name === name && s.wrapped?.byHand);
  return found
    ? `${name} (${client}) is not instrumented by mcpscope: its entry in ${found.location?.file} was wrapped in \`mcpscope run\` by hand; remove the wrapper there by hand`
    : null;
}

export const uninstrumentCommand: Command = {
  name: "uninstrument",
  summary: "put a client's config entry back as it was before `mcpscope instrument`",
  async run(argv, io) {
    const args = parseArgs("uninstrument", argv, FLAGS);
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope uninstrument --client ID --server NAME [--force] | --all [--force]",
          `${this.summary}. The original entry is restored byte for byte; the rest of the file is kept as it is now.`,
          FLAGS,
        ),
      );
      return 0;
    }
    const dataDir = resolveDataDir(flagString(args, "data-dir"));
    const opts = { dataDir, force: args.flags.force === true };
    const home = flagString(args, "home");
    let items: UninstrumentAllItem[];
    if (args.flags.all) {
      if (flagString(args, "client") || flagString(args, "server"))
        throw new UsageError("--all restores everything; leave out --client and --server");
      items = await uninstrumentAll({ ...opts, only: home ? (r) => underHome(r.file, home) : undefined });
    } else {
      const client = parseClientId(flagString(args, "client"), "--client (or --all)");
      const name = flagString(args, "server");
      if (!name) throw new UsageError("--server is required (or --all); `mcpscope instrumented` lists them");
      const file = flagString(args, "file");
      const records = (await readRecords(dataDir)).filter(
        (r) =>
          r.client === client &&
          r.server === name &&
          (!file || r.file === file) &&
          (!home || underHome(r.file, home)),
      );
      if (records.length === 0) {
        const byHand = await wrappedByHand(client, name, home);
        if (byHand) throw MonitoringError.input(byHand);
        throw MonitoringError.input(
          `${name} (${client}) is not instrumented in ${dataDir}; \`mcpscope instrumented\` lists what is`,
        );
      }
      if (records.length > 1) {
        const files = records.map((r) => r.file).join(", ");
        throw new UsageError(
          `"${name}" is instrumented in several ${client} configs (${files}); pick one with --file`,
        );
      }
      items = [{ record: records[0]!, result: await uninstrumentRecord(records[0]!, opts) }];
    }
    if (args.flags.json) {
      const entries = items.map(({ record, result, error }) => ({
        client: record.client,
        server: record.server,
        file: record.file,
        status: result?.status ?? "failed",
        backup: result?.backup ?? null,
        error: error ?? null,
      }));
      io.stdout.write(`${JSON.stringify({ entries }, null, 2)}\n`);
    } else if (items.length === 0) {
      io.stdout.write("nothing is instrumented; no config was changed\n");
    }
    const clients = new Set<string>();
    for (const { record, result, error } of items) {
      const who = `${record.server} (${record.client}) in ${record.file}`;
      if (error) {
        const named = error.includes(record.server) ? error : `${record.server} (${record.client}): ${error}`;
        io.stderr.write(`mcpscope uninstrument: ${named}\n`);
      } else if (!args.flags.json)
        io.stdout.write(`${who}: ${SAID[result?.status ?? ""] ?? result?.status}\n`);
      if (result && (result.status === "restored" || result.status === "forced")) clients.add(record.client);
    }
    if (clients.size && !args.flags.json)
      io.stdout.write(`restart ${[...clients].join(", ")} to pick up the change\n`);
    return items.some((i) => i.error) ? 1 : 0;
  },
};
