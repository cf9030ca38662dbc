import { resolve } from "node:path";
import { CLIENT_IDS, type ClientId } from "../../../shared/discovery.js";
import type { InstrumentEntryResult, PickScope } from "../../../shared/servers.js";
import { PickScopeSchema, RepairResultSchema } from "../../../shared/servers.js";
import { entryPickFlags, listedPlace, matchesPick } from "../../monitor/api/entry-pick.js";
import { maskText } from "../../monitor/discovery/mask-config.js";
import { quoteArg, quoteWords, visibleText } from "../../monitor/discovery/shown-command.js";
import { launcherOtherMessage } from "../../monitor/instrument/instrument-status.js";
import { runtimePruneText } from "../../monitor/store/storage-events.js";
import { withStoreApi } from "../api-client.js";
import { callWithFlags } from "../api-input.js";
import {
  type FlagSpec,
  type FlagSpecs,
  flagString,
  formatHelp,
  type ParsedArgs,
  parseArgs,
  UsageError,
} from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { CliIo, Command } from "../io.js";
import { runRepair } from "./instrument-repair.js";

/** `--home`, shared by the commands that edit or list client configs. */
export const HOME_FLAG: FlagSpec = {
  kind: "string",
  placeholder: "DIR",
  help: "read configs under DIR instead of your home folder, for testing",
};

export { underHome } from "../../monitor/api/config-handlers.js";

/** `--file` and `--scope`: which entry, when the name is in several (one file can hold several). */
export const PICK_FLAGS: FlagSpecs = {
  file: { kind: "string", placeholder: "FILE", help: "the config file, when the name is in several" },
  scope: {
    kind: "string",
    placeholder: "SCOPE",
    help: `the entry's scope (${PickScopeSchema.options.join(", ")}), when the name is in several; with --project DIR for a local one`,
  },
};

/** `--scope`, checked; `--file` and `--project` made absolute (the engine may run in another folder). */
export function pickInput(args: ParsedArgs): { file?: string; scope?: PickScope; project?: string } {
  const scope = flagString(args, "scope");
  if (scope !== undefined && !(PickScopeSchema.options as readonly string[]).includes(scope))
    throw new UsageError(`--scope: one of ${PickScopeSchema.options.join(", ")}`);
  const path = (flag: string) => {
    const value = flagString(args, flag);
    return value === undefined ? undefined : resolve(value);
  };
  return { file: path("file"), scope: scope as PickScope | undefined, project: path("project") };
}

type Wrapped = Extract<InstrumentEntryResult, { kind: "wrapped" }>;
/** What `instrument` asks for one entry (instrument.entry's input). */
type WrappedInput = ReturnType<typeof pickInput> & { client: ClientId; server: string; home?: string };
type Proxied = Extract<InstrumentEntryResult, { kind: "proxied" }>;

/** The fields `--json` prints, in order, for the help and the output alike. */
const WRAPPED_JSON = [
  "status",
  "client",
  "server",
  "file",
  "command",
  "args",
  "backup",
  "warning",
  "disabled",
  "notes",
  "gone",
  "other",
  "pruned",
] as const satisfies ReadonlyArray<keyof Wrapped>;
const PROXIED_JSON = [
  "status",
  "client",
  "server",
  "file",
  "upstream",
  "url",
  "backup",
  "warning",
  "disabled",
] as const satisfies ReadonlyArray<keyof Proxied>;
/** `--repair --json` prints the API's answer as it is: its entries' fields are the schema's. */
const REPAIR_JSON = Object.keys(RepairResultSchema.shape.entries.element.shape);

/** `{"status", "client", …}`: the fields of a JSON document, for the help. */
function fieldList(fields: readonly string[]): string {
  return `{${fields.map((f) => JSON.stringify(f)).join(", ")}}`;
}

/** The document `--json` prints: `fields` of `result`, in that order. */
function printed<T extends object>(result: T, fields: ReadonlyArray<keyof T>): string {
  return `${JSON.stringify(Object.fromEntries(fields.map((f) => [f, result[f]])), null, 2)}\n`;
}

const FLAGS: FlagSpecs = {
  client: { kind: "string", placeholder: "ID", help: `the MCP client (${CLIENT_IDS.join(", ")})` },
  server: { kind: "string", placeholder: "NAME", help: "the server's name in that client's config" },
  ...PICK_FLAGS,
  project: {
    kind: "string",
    placeholder: "DIR",
    help: "also look in this project's configs; of the local and project scopes, only DIR's entries",
  },
  home: HOME_FLAG,
  repair: {
    kind: "boolean",
    help: "point every wrapped entry (or those the other flags name) at this mcpscope, when the one they run has moved or gone",
  },
  json: {
    kind: "boolean",
    help: `print ${fieldList(WRAPPED_JSON)}; for a remote entry ${fieldList(PROXIED_JSON)}; with --repair {"entries": [${fieldList(REPAIR_JSON)}], "pruned"}; "pruned": old copies of the CLI removed from the data dir, or null`,
  },
};

export function parseClientId(value: string | undefined, flag = "--client"): ClientId {
  if (value === undefined) throw new UsageError(`${flag} is required (${CLIENT_IDS.join(", ")})`);
  if (!(CLIENT_IDS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown client "${value}"; one of: ${CLIENT_IDS.join(", ")}`);
  }
  return value as ClientId;
}

/** A command line (secrets already masked) for display, quoted where a shell would need it. */
function quoteCommand(command: string, args: string[]): string {
  return quoteWords([command, ...args]);
}

/** Said after instrumenting an entry the client has switched off: restarting the client changes nothing. */
function disabledNote(name: string, client: string): string {
  return `${name} is disabled in ${client}'s config: ${client} does not launch it until you enable it there (then its calls are recorded)`;
}

/**
 * A change made whose backup the manifest could not list: said in one line on stderr, after the usual
 * output, and exit 1, so that a script does not take it for a clean success.
 */
function warned(io: CliIo, what: string, warning: string | null): number {
  if (warning === null) return 0;
  io.stderr.write(`mcpscope instrument: ${what} was instrumented, but ${warning}\n`);
  return 1;
}

function undoHint(name: string, client: string): string {
  return `\`mcpscope uninstrument --client ${client} --server ${quoteArg(visibleText(name))}\` undoes it`;
}

/** The flag that sets each field of instrument.entry's input. */
const FLAG_OF = {
  client: "client",
  server: "server",
  file: "file",
  scope: "scope",
  project: "project",
  home: "home",
};

export const instrumentCommand: Command = {
  name: "instrument",
  summary: COMMAND_SUMMARIES.instrument,
  flags: { instrument: FLAGS },
  async run(argv, io) {
    const args = parseArgs("instrument", argv, FLAGS, { positionals: 0 });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope instrument --client ID --server NAME [--file FILE] [--scope SCOPE] [--project DIR] [--home DIR] [--json] | --repair [--client ID] [--server NAME] [--file FILE] [--scope SCOPE] [--project DIR] [--home DIR] [--json]",
          `${this.summary}. Only that entry of the config is changed (atomically, after a backup); \`mcpscope uninstrument\` puts it back byte for byte.`,
          FLAGS,
        ),
      );
      return 0;
    }
    if (args.flags.repair) return runRepair(args, io);
    const client = parseClientId(flagString(args, "client"));
    const name = flagString(args, "server");
    if (!name) throw new UsageError("--server is required; `mcpscope discover` lists the servers");
    const input: WrappedInput = {
      client,
      server: name,
      ...pickInput(args),
      home: flagString(args, "home"),
    };
    const result = await withStoreApi(args, (api) => callWithFlags(api, "instrument.entry", input, FLAG_OF), {
      asIs: ["file"],
    });
    if (result.kind === "proxied") {
      if (args.flags.json) {
        io.stdout.write(printed(result, PROXIED_JSON));
        return warned(io, `${name} (${client}) in ${result.file}`, result.warning);
      }
      if (result.status === "already-instrumented") {
        io.stdout.write(
          `${name} (${client}) already goes through mcpscope's proxy at ${result.url}; nothing changed\n`,
        );
        return 0;
      }
      if (result.status === "marked") {
        io.stdout.write(
          `marked ${name} (${client}): an earlier mcpscope proxied it without its entry id; its calls through ${result.url} now count for this entry only (${result.file} is unchanged)\n`,
        );
        return 0;
      }
      io.stdout.write(
        [
          `instrumented ${name} (${client}) in ${result.file}`,
          `  was: ${result.upstream}`,
          `  now: ${result.url}`,
          `  backup: ${result.backup}`,
          `the proxy on that port runs inside mcpscope: ${client} reaches ${name} only while the app or \`mcpscope serve\` is running`,
          result.disabled
            ? `${disabledNote(name, client)}; ${undoHint(name, client)}`
            : `restart ${client} to pick up the change; ${undoHint(name, client)}`,
          "",
        ].join("\n"),
      );
      return warned(io, `${name} (${client}) in ${result.file}`, result.warning);
    }
    const code = await wrappedOutput(io, args, input, result);
    const pruned = result.pruned && runtimePruneText(result.pruned);
    if (pruned && !args.flags.json) io.stdout.write(`${pruned}\n`);
    return code;
  },
};

/** What `instrument` says of a stdio entry; returns the exit code. */
async function wrappedOutput(
  io: CliIo,
  args: ParsedArgs,
  input: WrappedInput,
  result: Wrapped,
): Promise<number> {
  const { client, server: name } = input;
  // What changed in the file: the entry's command before (when it was rewritten) and now, its backup.
  const changedText = (head: string, was: string | null): string =>
    [
      head,
      ...(was === null ? [] : [`  was: ${was}`]),
      `  now: ${quoteCommand(maskText(result.command), result.args)}`,
      `  backup: ${result.backup}`,
      ...result.notes.map((note) => `note: ${note}`),
      result.disabled
        ? `${disabledNote(name, client)}; ${undoHint(name, client)}`
        : `restart ${client} to pick up the change; ${undoHint(name, client)}`,
      "",
    ].join("\n");
  if (args.flags.json) {
    io.stdout.write(printed(result, WRAPPED_JSON));
    return warned(io, `${name} (${client}) in ${result.file}`, result.warning);
  }
  if (result.status === "marked") {
    io.stdout.write(
      changedText(
        `marked ${name} (${client}) in ${result.file}: an earlier mcpscope wrapped it with its client alone; its calls now count for this entry only`,
        null,
      ),
    );
    return warned(io, `${name} (${client}) in ${result.file}`, result.warning);
  }
  if (result.status === "repaired") {
    io.stdout.write(
      changedText(
        `repaired ${name} (${client}) in ${result.file}: the mcpscope it ran (${result.gone}) is gone; it now runs this one`,
        quoteCommand(result.before.command, result.before.args),
      ),
    );
    return warned(io, `${name} (${client}) in ${result.file}`, result.warning);
  }
  if (result.status === "already-instrumented") {
    const how = result.byHand ? " (wrapped by hand)" : "";
    io.stdout.write(`${name} (${client}) is already launched through mcpscope run${how}; nothing changed\n`);
    if (result.other) {
      const pick = await thisEntryPick(args, { ...input, file: result.file });
      io.stdout.write(
        `${launcherOtherMessage(`${name} (${client}) in ${result.file}`, result.other, flagString(args, "data-dir"), pick)}\n`,
      );
    }
    if (!result.gone) return 0;
    // Only a wrapping written by hand is left broken: mcpscope keeps no original to rewrite it from.
    io.stderr.write(
      `mcpscope instrument: ${client} cannot start it: the mcpscope it runs (${result.gone}) is gone — put a path that exists in its command by hand\n`,
    );
    return 1;
  }
  io.stdout.write(
    changedText(
      `instrumented ${name} (${client}) in ${result.file}`,
      quoteCommand(result.before.command, result.before.args),
    ),
  );
  return warned(io, `${name} (${client}) in ${result.file}`, result.warning);
}

/**
 * The flags that re-point the one entry `instrument` found (`--repair` acts on what mcpscope recorded):
 * its record among those of its name in its file that the user's flags pick; its name alone when there
 * is no such record (wrapped through the other mcpscope's own data dir).
 */
async function thisEntryPick(
  args: ParsedArgs,
  entry: { client: string; server: string; file: string; scope?: string; project?: string },
): Promise<string> {
  const recorded = (await withStoreApi(args, (api) => api.call("instrument.records", {}))).map(listedPlace);
  const found = recorded.filter(
    (r) =>
      r.client === entry.client &&
      r.server === entry.server &&
      r.file === entry.file &&
      matchesPick(r, { scope: entry.scope, project: entry.project }),
  );
  const one = found.length === 1 ? found[0] : undefined;
  return one ? entryPickFlags(one, recorded) : entryPickFlags({ ...entry, scope: null, project: null }, []);
}
