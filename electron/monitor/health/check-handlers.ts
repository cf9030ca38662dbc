/**
 * `servers.check`: one health check on demand, answered with what it found. A configured server is
 * found by its inventory id (or its name); a command or URL named in the request is checked only where
 * the handlers say so — the terminal's own in-process handlers — and refused by the engine, which serves
 * the app over IPC and the browser over HTTP.
 */
import type { CheckDocument, CheckInput } from "../../../shared/check.js";
import type { ApiHandlers } from "../api/in-process.js";
import { maskArgs, maskText } from "../discovery/mask-config.js";
import type { DiscoveredServer } from "../discovery/types.js";
import { MonitoringError } from "../errors.js";
import type { Env } from "../shell-env.js";
import type { ServerTarget } from "../supervisor/transports.js";
import { parseDuration } from "../time.js";
import { type ProbeResult, probeServer, probeStatus } from "./probe.js";
import { snapshotTools } from "./tool-snapshot.js";

export interface CheckHandlerOptions {
  /** Whether a command or URL named in the request may be checked (the terminal only). */
  adHoc: boolean;
  /** The configured servers, with the values needed to launch them (under `home`, where one is given). */
  servers(home?: string): Promise<readonly DiscoveredServer[]>;
  /** The environment a launched server starts from. */
  env(): Env | Promise<Env>;
  /**
   * How long a checked server has to stop after its stdin closes, and again after SIGTERM (default
   * CHECK_STOP_GRACE_MS): `MCPSCOPE_STOP_GRACE`, as for the servers the engine runs.
   */
  stopGraceMs?: number;
}

/** A check's own stop grace when none is set: shorter than a supervised server's, as a probe saves nothing. */
export const CHECK_STOP_GRACE_MS = 1000;

export const AD_HOC_REFUSED =
  "servers.check runs a command or connects to a URL named in a request only from the terminal (`mcpscope check`); here, check a configured server by its id";
export const HOME_REFUSED =
  "servers.check reads the configs under another home folder only from the terminal (`mcpscope check --home`)";

export function checkHandlers(options: CheckHandlerOptions): Pick<ApiHandlers, "servers.check"> {
  return {
    "servers.check": async (input) => {
      // Another home's configs are commands named by whoever wrote them: the terminal's own choice alone.
      if (input.home !== undefined && !options.adHoc) throw MonitoringError.input(HOME_REFUSED);
      const target =
        input.server !== undefined
          ? configured(await options.servers(input.home), input.server)
          : adHoc(options, input);
      const result = await probeServer(target, {
        env: await options.env(),
        timeoutMs: parseDuration(input.timeout ?? "10s"),
        slowMs: parseDuration(input.slow ?? "2s"),
        graceMs: options.stopGraceMs ?? CHECK_STOP_GRACE_MS,
        adHoc: input.server === undefined,
      });
      return checkDocument(target, result);
    },
  };
}

/** By id first; by name when exactly one configured server has it. */
function configured(servers: readonly DiscoveredServer[], key: string): ServerTarget {
  const byId = servers.find((s) => s.definition.id === key);
  if (byId) return byId;
  const named = servers.filter((s) => s.definition.name === key);
  const [only] = named;
  if (only && named.length === 1) return only;
  if (named.length > 1)
    throw MonitoringError.input(
      `"${key}" names ${named.length} configured servers; give one id: ${named.map((s) => s.definition.id).join(", ")}`,
    );
  throw MonitoringError.input(
    `no configured server "${key}"; \`mcpscope discover\` lists them (or check a command: mcpscope check -- COMMAND)`,
  );
}

function adHoc(options: CheckHandlerOptions, input: CheckInput): ServerTarget {
  if (!options.adHoc) throw MonitoringError.input(AD_HOC_REFUSED);
  const base = {
    id: "check",
    client: "manual" as const,
    scope: "manual" as const,
    file: null,
    env: {},
    cwd: null,
    headers: {},
    instrumented: false,
    disabled: false,
  };
  if (input.url !== undefined) {
    return {
      definition: {
        ...base,
        name: safeUrl(input.url),
        transport: input.transport ?? "http",
        command: null,
        args: [],
        url: maskText(input.url),
      },
      rawCommand: null,
      rawArgs: [],
      rawUrl: input.url,
      rawEnv: {},
      rawHeaders: input.headers ?? {},
    };
  }
  const [command = "", ...args] = input.command ?? [];
  return {
    definition: {
      ...base,
      name: maskText(command),
      transport: "stdio",
      command: maskText(command),
      args: maskArgs(args, command),
      url: null,
    },
    rawCommand: command,
    rawArgs: args,
    rawUrl: null,
    rawEnv: {},
    rawHeaders: {},
  };
}

function checkDocument(target: ServerTarget, r: ProbeResult): CheckDocument {
  const def = target.definition;
  return {
    status: probeStatus(r.outcome),
    healthy: r.outcome !== "failed" && r.tools !== null,
    target: def.url ? safeUrl(def.url) : [def.command, ...def.args].join(" "),
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

/** The URL without its query or fragment, which may carry a token. */
function safeUrl(url: string): string {
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
