import { CLIENT_IDS, type ClientId } from "../../../shared/discovery.js";
import { defaultDiscoveryContext } from "../../monitor/discovery/context.js";
import { discoverServers } from "../../monitor/discovery/discover.js";
import { maskArgs, maskText } from "../../monitor/discovery/mask-config.js";
import { MonitoringError } from "../../monitor/errors.js";
import { instrument } from "../../monitor/instrument/instrument.js";
import { instrumentRemote } from "../../monitor/instrument/instrument-remote.js";
import { defaultDataDir, resolveDataDir } from "../../monitor/paths.js";
import { type FlagSpec, type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import type { Command } from "../io.js";

/** `--home`, shared by the commands that edit or list client configs. */
export const HOME_FLAG: FlagSpec = {
  kind: "string",
  placeholder: "DIR",
  help: "read configs under DIR instead of your home folder, for testing",
};

export { underHome } from "../../monitor/api/config-handlers.js";

const FLAGS: FlagSpecs = {
  client: { kind: "string", placeholder: "ID", help: `the MCP client (${CLIENT_IDS.join(", ")})` },
  server: { kind: "string", placeholder: "NAME", help: "the server's name in that client's config" },
  file: { kind: "string", placeholder: "FILE", help: "the config file, when the name is in several" },
  project: { kind: "string", placeholder: "DIR", help: "also look in this project's configs" },
  home: HOME_FLAG,
  json: {
    kind: "boolean",
    help: 'print {"status", "client", "server", "file", "command", "args", "backup"}',
  },
};

export function parseClientId(value: string | undefined, flag = "--client"): ClientId {
  if (value === undefined) throw new UsageError(`${flag} is required (${CLIENT_IDS.join(", ")})`);
  if (!(CLIENT_IDS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown client "${value}"; one of: ${CLIENT_IDS.join(", ")}`);
  }
  return value as ClientId;
}

/** A command line for display, secrets masked. */
export function displayCommand(command: string, args: string[]): string {
  return [maskText(command), ...maskArgs(args)]
    .map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a))
    .join(" ");
}

export const instrumentCommand: Command = {
  name: "instrument",
  summary: "wrap a server in its client's config so the client's calls are recorded",
  async run(argv, io) {
    const args = parseArgs("instrument", argv, FLAGS);
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope instrument --client ID --server NAME [--file FILE] [--json]",
          `${this.summary}. Only that entry of the config is changed (atomically, after a backup); \`mcpscope uninstrument\` puts it back byte for byte.`,
          FLAGS,
        ),
      );
      return 0;
    }
    const client = parseClientId(flagString(args, "client"));
    const name = flagString(args, "server");
    if (!name) throw new UsageError("--server is required; `mcpscope discover` lists the servers");
    const home = flagString(args, "home");
    const project = flagString(args, "project");
    const ctx = await defaultDiscoveryContext({ home, projectDirs: project ? [project] : [] });
    const { servers } = await discoverServers(ctx, { clients: [client] });
    const file = flagString(args, "file");
    const matches = servers.filter((s) => s.definition.name === name && (!file || s.location?.file === file));
    if (matches.length === 0) {
      throw MonitoringError.input(
        `no server "${name}" in ${client}'s config${file ? ` file ${file}` : ""}; \`mcpscope discover --client ${client}\` lists them`,
      );
    }
    if (matches.length > 1) {
      const files = matches.map((s) => s.location?.file ?? "(added by hand)").join(", ");
      throw new UsageError(`"${name}" is in several ${client} configs (${files}); pick one with --file`);
    }
    const dataDir = resolveDataDir(flagString(args, "data-dir"));
    const found = matches[0]!;
    if (found.definition.transport !== "stdio") {
      const remote = await instrumentRemote(found, { dataDir });
      if (args.flags.json) {
        const { status, server, file: where, upstream, url, backup } = remote;
        io.stdout.write(
          `${JSON.stringify({ status, client, server, file: where, upstream, url, backup }, null, 2)}\n`,
        );
        return 0;
      }
      if (remote.status === "already-instrumented") {
        io.stdout.write(
          `${name} (${client}) already goes through mcpscope's proxy at ${remote.url}; nothing changed\n`,
        );
        return 0;
      }
      io.stdout.write(
        [
          `instrumented ${name} (${client}) in ${remote.file}`,
          `  was: ${remote.upstream}`,
          `  now: ${remote.url}`,
          `  backup: ${remote.backup}`,
          `the proxy on that port runs inside mcpscope: ${client} reaches ${name} only while the app or \`mcpscope serve\` is running`,
          `restart ${client} to pick up the change; \`mcpscope uninstrument --client ${client} --server ${JSON.stringify(name).slice(1, -1)}\` undoes it`,
          "",
        ].join("\n"),
      );
      return 0;
    }
    const result = await instrument(found, {
      dataDir,
      // Written into the entry only when the wrapper would not find this data dir by default.
      wrapperDataDir: dataDir === defaultDataDir({}) ? undefined : dataDir,
    });
    if (args.flags.json) {
      const { status, server, backup } = result;
      const { command, args: after } = result.after;
      const out = { status, client, server, file: result.file, command, args: maskArgs(after), backup };
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    if (result.status === "already-instrumented") {
      const how = matches[0]?.wrapped?.byHand ? " (wrapped by hand)" : "";
      io.stdout.write(
        `${name} (${client}) is already launched through mcpscope run${how}; nothing changed\n`,
      );
      return 0;
    }
    io.stdout.write(
      [
        `instrumented ${name} (${client}) in ${result.file}`,
        `  was: ${displayCommand(result.before.command, result.before.args)}`,
        `  now: ${displayCommand(result.after.command, result.after.args)}`,
        `  backup: ${result.backup}`,
        `restart ${client} to pick up the change; \`mcpscope uninstrument --client ${client} --server ${JSON.stringify(name).slice(1, -1)}\` undoes it`,
        "",
      ].join("\n"),
    );
    return 0;
  },
};
