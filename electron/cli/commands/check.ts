import type { CheckDocument, CheckInput } from "../../../shared/check.js";
import { maskText } from "../../monitor/discovery/mask-config.js";
import { closeLiveChildren } from "../../monitor/supervisor/child-transport.js";
import { withStoreApi } from "../api-client.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { CliIo, Command } from "../io.js";
import { onStopSignals } from "../stop-signals.js";
import { formatMs } from "../table.js";
import { cellText } from "../terminal-text.js";
import { HOME_FLAG } from "./instrument.js";

const FLAGS: FlagSpecs = {
  server: {
    kind: "string",
    placeholder: "ID|NAME",
    help: "check a configured server (an id or name `mcpscope discover` lists), as its config launches it",
  },
  home: { ...HOME_FLAG, help: "with --server: look it up in the configs under DIR, for testing" },
  url: {
    kind: "string",
    placeholder: "URL",
    help: "check a remote server at URL instead of running a command",
  },
  header: {
    kind: "string",
    placeholder: "'K: V'",
    help: "a header to send to --url (repeat for more)",
  },
  transport: {
    kind: "string",
    placeholder: "http|sse",
    default: "http",
    help: "for --url: Streamable HTTP, or the older HTTP+SSE",
  },
  timeout: {
    kind: "string",
    placeholder: "DURATION",
    default: "10s",
    help: "how long each step (handshake, ping, tools/list) may take",
  },
  slow: {
    kind: "string",
    placeholder: "DURATION",
    default: "2s",
    help: "a ping or tools/list slower than this is reported as degraded",
  },
  json: { kind: "boolean", help: "print one JSON document (shape in docs/cli.md)" },
};

const USAGE =
  "mcpscope check [--timeout 10s] [--slow 2s] [--json] -- COMMAND [ARGS…]\n       mcpscope check --server ID|NAME [--home DIR] [--json]\n       mcpscope check --url URL [--header 'K: V']… [--transport http|sse] [--json]";

export const checkCommand: Command = {
  name: "check",
  summary: COMMAND_SUMMARIES.check,
  flags: { check: FLAGS },
  async run(argv, io) {
    const args = parseArgs("check", argv, FLAGS, { positionals: 0, commandAfterDashes: true });
    const headers = headersOf(args.lists.header ?? []);
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          USAGE,
          "Connects to the server as an MCP client, in its protocol era (initialize + ping, or server/discover\nfor 2026-07-28 servers), lists its tools and prints what it found. Exits 0 when the handshake and\ntools/list worked (a slow server is reported as degraded but still exits 0), 1 otherwise.",
          FLAGS,
        ),
      );
      return 0;
    }
    const target = checkTarget(
      args.rest,
      flagString(args, "server"),
      flagString(args, "url"),
      headers,
      flagString(args, "transport"),
      flagString(args, "home"),
    );
    // Served in this process: the only transport that runs a command (or reaches a URL) it is given.
    const checked = withStoreApi(args, (api) =>
      api.call("servers.check", {
        ...target,
        timeout: flagString(args, "timeout") ?? "10s",
        slow: flagString(args, "slow") ?? "2s",
      }),
    );
    const stop = onStopSignals();
    try {
      const doc = await Promise.race([checked, stop.code]);
      if (typeof doc === "number") {
        await closeLiveChildren();
        return doc;
      }
      return report(doc, args.flags.json === true, io);
    } finally {
      stop.off();
    }
  },
};

/** Prints what the check found; the exit code: 0 healthy, 1 not. */
function report(doc: CheckDocument, json: boolean, io: CliIo): number {
  if (json) io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else if (doc.status === "down") io.stderr.write(`mcpscope check: ${doc.error}\n`);
  else io.stdout.write(renderCheck(doc));
  return doc.healthy ? 0 : 1;
}

/** Every `--header 'K: V'` given, as a map. */
function headersOf(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header needs a value like 'Authorization: Bearer …'`);
    headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
  }
  return headers;
}

/** What to check, from the flags: a command after --, a configured server, or a URL. */
function checkTarget(
  command: string[],
  server: string | undefined,
  url: string | undefined,
  headers: Record<string, string>,
  transport = "http",
  home: string | undefined = undefined,
): Pick<CheckInput, "server" | "home" | "command" | "url" | "headers" | "transport"> {
  if (url && command.length) throw new UsageError("give either --url or a command after --, not both");
  if (server && (url || command.length))
    throw new UsageError("give --server alone, not with --url or a command after --");
  if (!url && !command.length && !server)
    throw new UsageError(`no server to check; usage: ${USAGE.split("\n")[0]}`);
  if (transport !== "http" && transport !== "sse") throw new UsageError("--transport must be http or sse");
  if (!url && Object.keys(headers).length) throw new UsageError("--header goes with --url");
  if (home !== undefined && !server) throw new UsageError("--home goes with --server");
  if (server) return { server, home };
  if (url) {
    if (!URL.canParse(url)) throw new UsageError(`--url "${maskText(url)}" is not a URL`);
    return { url, headers, transport };
  }
  return { command };
}

export function renderCheck(doc: CheckDocument): string {
  const who = [doc.server.name, doc.server.version].filter(Boolean).join(" ") || doc.target;
  const era = doc.era === "stateless" ? "stateless" : "session";
  const lines = [`${doc.status}  ${cellText(who)}  (protocol ${doc.protocolVersion ?? "?"}, ${era} era)`];
  const times = [
    doc.handshakeMs !== null ? `handshake ${formatMs(doc.handshakeMs)}` : null,
    doc.pingMs !== null ? `ping ${formatMs(doc.pingMs)}` : null,
    doc.listMs !== null ? `tools/list ${formatMs(doc.listMs)}` : null,
  ].filter(Boolean);
  lines.push(times.join(" · "));
  if (doc.error) lines.push(cellText(doc.error));
  const names = doc.tools.map((t) => cellText(t.name));
  lines.push(
    `${doc.tools.length} tool${doc.tools.length === 1 ? "" : "s"}${names.length ? `: ${names.join(", ")}` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}
