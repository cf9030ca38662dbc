import type { CheckStatus } from "../../../shared/servers.js";
import { type ProbeResult, probeServer } from "../../monitor/health/probe.js";
import { snapshotTools } from "../../monitor/health/tool-snapshot.js";
import { processEnv } from "../../monitor/shell-env.js";
import type { ServerTarget } from "../../monitor/supervisor/transports.js";
import { parseDuration } from "../../monitor/time.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { Command } from "../io.js";
import { formatMs } from "../table.js";
import { defaultServerName } from "./run.js";

const FLAGS: FlagSpecs = {
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
  "mcpscope check [--timeout 10s] [--json] -- COMMAND [ARGS…]\n       mcpscope check --url URL [--header 'K: V']… [--transport http|sse] [--json]";

export interface CheckDocument {
  status: CheckStatus;
  healthy: boolean;
  target: string;
  era: string | null;
  protocolVersion: string | null;
  server: { name: string | null; version: string | null };
  handshakeMs: number | null;
  pingMs: number | null;
  listMs: number | null;
  tools: Array<{ name: string; description: string | null }>;
  toolsHash: string | null;
  error: string | null;
}

export const checkCommand: Command = {
  name: "check",
  summary: COMMAND_SUMMARIES.check,
  async run(argv, io) {
    const { headers, rest } = takeHeaders(argv);
    const args = parseArgs("check", rest, FLAGS);
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
    const target = checkTarget(args.rest, flagString(args, "url"), headers, flagString(args, "transport"));
    const result = await probeServer(target, {
      env: processEnv(),
      timeoutMs: parseDuration(flagString(args, "timeout") ?? "10s"),
      slowMs: parseDuration(flagString(args, "slow") ?? "2s"),
      graceMs: 1000,
    });
    const doc = checkDocument(target, result);
    if (args.flags.json) {
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else if (result.outcome === "failed") {
      io.stderr.write(`mcpscope check: ${doc.error}\n`);
    } else {
      io.stdout.write(renderCheck(doc));
    }
    return doc.healthy ? 0 : 1;
  },
};

/** `--header K: V` may repeat, which the shared parser does not allow; take them out first. */
function takeHeaders(argv: string[]): { headers: Record<string, string>; rest: string[] } {
  const headers: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    let value: string | undefined;
    if (arg === "--header") value = argv[++i];
    else if (arg.startsWith("--header=")) value = arg.slice("--header=".length);
    else {
      rest.push(arg);
      continue;
    }
    const colon = value?.indexOf(":") ?? -1;
    if (!value || colon <= 0) throw new UsageError(`--header needs a value like 'Authorization: Bearer …'`);
    headers[value.slice(0, colon).trim()] = value.slice(colon + 1).trim();
  }
  return { headers, rest };
}

function checkTarget(
  command: string[],
  url: string | undefined,
  headers: Record<string, string>,
  transport = "http",
): ServerTarget {
  const [cmd, ...cmdArgs] = command;
  if (url && cmd) throw new UsageError("give either --url or a command after --, not both");
  if (!url && !cmd) throw new UsageError(`no server to check; usage: ${USAGE.split("\n")[0]}`);
  if (transport !== "http" && transport !== "sse") throw new UsageError("--transport must be http or sse");
  if (!url && Object.keys(headers).length) throw new UsageError("--header goes with --url");
  const base = {
    id: "check",
    client: "manual" as const,
    scope: "manual" as const,
    file: null,
    env: {},
    cwd: null,
    headers: {},
    instrumented: false,
  };
  if (url) {
    return {
      definition: { ...base, name: safeHost(url), transport, command: null, args: [], url },
      rawEnv: {},
      rawHeaders: headers,
    };
  }
  return {
    definition: {
      ...base,
      name: defaultServerName(cmd ?? "", cmdArgs),
      transport: "stdio",
      command: cmd ?? "",
      args: cmdArgs,
      url: null,
    },
    rawEnv: {},
    rawHeaders: {},
  };
}

function checkDocument(target: ServerTarget, r: ProbeResult): CheckDocument {
  const def = target.definition;
  return {
    status: r.outcome === "ok" ? "up" : r.outcome === "degraded" ? "degraded" : "down",
    healthy: r.outcome !== "failed" && r.tools !== null,
    target: def.url ? safeHost(def.url) : [def.command, ...def.args].join(" "),
    era: r.era,
    protocolVersion: r.protocolVersion,
    server: { name: r.serverName, version: r.serverVersion },
    handshakeMs: round(r.handshakeMs),
    pingMs: round(r.pingMs),
    listMs: round(r.listMs),
    tools: (r.tools ?? []).map((t) => ({ name: t.name, description: t.description ?? null })),
    toolsHash: r.tools ? snapshotTools(r.tools).hash : null,
    error: r.error,
  };
}

export function renderCheck(doc: CheckDocument): string {
  const who = [doc.server.name, doc.server.version].filter(Boolean).join(" ") || doc.target;
  const era = doc.era === "stateless" ? "stateless" : "session";
  const lines = [`${doc.status}  ${printable(who)}  (protocol ${doc.protocolVersion ?? "?"}, ${era} era)`];
  const times = [
    doc.handshakeMs !== null ? `handshake ${formatMs(doc.handshakeMs)}` : null,
    doc.pingMs !== null ? `ping ${formatMs(doc.pingMs)}` : null,
    doc.listMs !== null ? `tools/list ${formatMs(doc.listMs)}` : null,
  ].filter(Boolean);
  lines.push(times.join(" · "));
  if (doc.error) lines.push(printable(doc.error));
  const names = doc.tools.map((t) => printable(t.name));
  lines.push(
    `${doc.tools.length} tool${doc.tools.length === 1 ? "" : "s"}${names.length ? `: ${names.join(", ")}` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

/** Server-supplied text on a terminal: no control characters (escape sequences). */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 10) / 10;
}
