import { CLIENT_IDS, type ClientId, type DiscoveryResult } from "../../../shared/discovery.js";
import { defaultDiscoveryContext } from "../../monitor/discovery/context.js";
import { lookedAt } from "../../monitor/discovery/discover.js";
import { manualServersPath } from "../../monitor/discovery/manual-servers.js";
import { tildePath } from "../../monitor/discovery/platform-paths.js";
import { resolveDataDir } from "../../monitor/paths.js";
import { withStoreApi } from "../api-client.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { Command } from "../io.js";
import { renderTable } from "../table.js";

const FLAGS: FlagSpecs = {
  client: { kind: "string", placeholder: "ID", help: `only this client (${CLIENT_IDS.join(", ")}, manual)` },
  project: {
    kind: "string",
    placeholder: "DIR",
    help: "also read this project's configs (.mcp.json, .cursor/, .vscode/…); repeatable",
  },
  home: {
    kind: "string",
    placeholder: "DIR",
    help: "read configs under DIR instead of your home folder, for testing",
  },
  json: { kind: "boolean", help: "print one JSON document (shape in docs/cli.md)" },
};

function parseClient(value: string | undefined): ClientId | "manual" | undefined {
  if (value === undefined) return undefined;
  if (value === "manual" || (CLIENT_IDS as readonly string[]).includes(value)) return value as ClientId;
  throw new UsageError(`unknown client "${value}"; one of: ${CLIENT_IDS.join(", ")}, manual`);
}

const MAX_CELL = 72;

export const discoverCommand: Command = {
  name: "discover",
  summary: COMMAND_SUMMARIES.discover,
  flags: { discover: FLAGS },
  async run(argv, io) {
    const args = parseArgs("discover", argv, FLAGS, { positionals: 0 });
    const projects = args.lists.project ?? [];
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope discover [--client ID] [--project DIR]… [--home DIR] [--json]",
          this.summary,
          FLAGS,
          "Missing config files are skipped; unreadable or malformed ones are reported as warnings.",
        ),
      );
      return 0;
    }
    const client = parseClient(flagString(args, "client"));
    const home = flagString(args, "home");
    const result: DiscoveryResult = await withStoreApi(
      args,
      (api) => api.call("discovery.list", { client, home, projectDirs: projects }),
      { flagOf: { projectDirs: "project" } },
    );
    if (args.flags.json) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    // For the messages only: where the configs were looked for, and paths shown under ~ — your ~, not
    // the folder --home names, whose files are shown as they are.
    const ctx = await defaultDiscoveryContext({ home, projectDirs: projects });
    const shown = (file: string) => (home === undefined ? tildePath(file, ctx.home) : file);
    if (result.servers.length === 0 && client === "manual") {
      const file = manualServersPath(resolveDataDir(flagString(args, "data-dir")));
      io.stdout.write(
        `No servers added by hand. \`manual\` lists the servers added in the app (Add server), kept in ${shown(file)}.\n`,
      );
    } else if (result.servers.length === 0) {
      const looked = lookedAt(ctx, { clients: client ? [client] : undefined });
      io.stdout.write(`No MCP servers found. Looked at:\n${looked.map((f) => `  ${shown(f)}`).join("\n")}\n`);
    } else {
      io.stdout.write(`${renderServers(result)}\n`);
    }
    for (const warning of result.warnings) {
      io.stderr.write(`warning: ${shown(warning.file)}: ${warning.message}\n`);
    }
    return 0;
  },
};

export function renderServers(result: DiscoveryResult): string {
  return renderTable(
    ["NAME", "CLIENT", "SCOPE", "TRANSPORT", "COMMAND/URL", "INSTRUMENTED"],
    result.servers.map((s) => [
      s.name,
      // Switched off in the client: it does not launch it, and mcpscope neither probes nor alerts on it.
      s.disabled ? `${s.client} (disabled)` : s.client,
      s.scope,
      s.transport,
      s.command !== null ? [s.command, ...s.args].join(" ") : (s.url ?? ""),
      s.launcherGone && s.instrumented
        ? "broken (mcpscope gone)"
        : s.instrumented && s.launcherOther
          ? s.launcherOther.older
            ? "not recording (older mcpscope)"
            : "yes (another mcpscope)"
          : s.instrumented
            ? "yes"
            : s.notEditable
              ? "no (not editable)"
              : "no",
    ]),
    [],
    { 4: MAX_CELL },
  );
}
