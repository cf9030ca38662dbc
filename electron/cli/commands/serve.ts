import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ruleFileFallbackText } from "../../../shared/alerts.js";
import { createApiClient } from "../../../shared/api.js";
import {
  ALLOW_COMMANDS,
  ALLOW_COMMANDS_FLAG,
  ALLOW_COMMANDS_WARNING,
} from "../../../shared/request-policy.js";
import { authRefusals } from "../../monitor/api/auth-refusals.js";
import { isLoopback } from "../../monitor/api/host-policy.js";
import { startHttpServer } from "../../monitor/api/http-server.js";
import { maskText } from "../../monitor/discovery/mask-config.js";
import { createEngine } from "../../monitor/engine.js";
import { otlpEndpoint } from "../../monitor/export/otlp.js";
import { resolveDataDir } from "../../monitor/paths.js";
import { explainDiskFull } from "../../monitor/store/disk-full.js";
import { upgradeLine } from "../../monitor/store/migrations.js";
import { closeLiveChildren } from "../../monitor/supervisor/child-transport.js";
import { stopGraceFromEnv } from "../../monitor/supervisor/stop-grace.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import { exposedWhere } from "../exposure.js";
import type { Command } from "../io.js";
import { listenError, refuseBlockedPort } from "../listen-errors.js";
import { followServeToken, keepServeToken, serveTokenFile } from "../serve-token.js";
import { onStopSignals } from "../stop-signals.js";

const FLAGS: FlagSpecs = {
  listen: {
    kind: "string",
    placeholder: "HOST:PORT",
    default: "127.0.0.1:7800",
    help: "where to listen (port 0 picks a free one; 0.0.0.0:PORT exposes the UI to the network)",
  },
  "otlp-endpoint": {
    kind: "string",
    placeholder: "URL",
    help: "also send spans and metrics over OTLP/HTTP (JSON) to URL/v1/traces and URL/v1/metrics (a user:password@ in URL goes as Basic auth; failures are counted in /metrics and logged)",
  },
  "new-token": {
    kind: "boolean",
    help: "replace the access token with a new one once this serve listens: the old URL, open tabs and /metrics scrapers using it are refused from then on, by every serve on this data dir",
  },
  [ALLOW_COMMANDS]: {
    kind: "boolean",
    help: "let the browser add servers and alert channels that run programs, and name folders elsewhere: anyone with the token can then run any program as you",
  },
};

/** The endpoint as given (the exporter sends its `user:password@` as Basic auth) and as it may be printed. */
export function parseOtlpEndpoint(text: string | undefined): { endpoint: string; shown: string } | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--otlp-endpoint "${maskText(text)}" is not a URL; use one like http://127.0.0.1:4318`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--otlp-endpoint must be http:// or https://, not ${url.protocol}`);
  return { endpoint: text, shown: otlpEndpoint(text).shown };
}

export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new UsageError(`--listen "${text}" is not HOST:PORT (like 127.0.0.1:7800)`);
  return { host: match[1] ?? match[2] ?? "127.0.0.1", port };
}

export const serveCommand: Command = {
  name: "serve",
  summary: COMMAND_SUMMARIES.serve,
  flags: { serve: FLAGS },
  async run(argv, io) {
    const args = parseArgs("serve", argv, FLAGS, { positionals: 0 });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          `mcpscope serve [--listen 127.0.0.1:7800] [--otlp-endpoint URL] [--new-token] [${ALLOW_COMMANDS_FLAG}] [--data-dir DIR]`,
          `Serves the mcpscope UI and API on a local port for a browser tab. The printed URL carries an access\ntoken (kept in the data dir, the same at each start until --new-token replaces it); the API refuses\nrequests without it. Prometheus text is at /metrics\n(same token, as Authorization: Bearer). Requests that would define a program to run (a stdio server,\na command channel) or name a folder elsewhere are refused unless ${ALLOW_COMMANDS_FLAG} is given.`,
          FLAGS,
        ),
      );
      return 0;
    }
    const { host, port } = parseListen(flagString(args, "listen") ?? "127.0.0.1:7800");
    refuseBlockedPort(host, port);
    const otlp = parseOtlpEndpoint(flagString(args, "otlp-endpoint"));
    const allowCommands = args.flags[ALLOW_COMMANDS] === true;
    const dataDir = resolveDataDir(flagString(args, "data-dir"));
    let engine: Awaited<ReturnType<typeof createEngine>>;
    try {
      engine = await createEngine({
        dataDir,
        upgrading: (from, to) => io.stderr.write(`${upgradeLine(from, to)}\n`),
        noUpgradeCopy: (line) => io.stderr.write(`${line}\n`),
        recovered: ({ movedTo, reason }) =>
          io.stderr.write(
            `mcpscope: the database was damaged (${reason}) and moved aside to ${movedTo}; recording goes on in a fresh one — Restore… in the Storage view brings back a backup\n`,
          ),
        metrics: otlp ? { otlp: { endpoint: otlp.endpoint } } : {},
        inventory: { stopGraceMs: stopGraceFromEnv(process.env, (line) => io.stderr.write(`${line}\n`)) },
      });
    } catch (error) {
      throw explainDiskFull(dataDir, error);
    }
    // Asked at each request, so a token replaced by another serve (`--new-token`) is taken at once.
    const accepted = followServeToken(dataDir, (why) =>
      io.stderr.write(
        `mcpscope: ${why}: every request is refused until it holds a token; start \`mcpscope serve --new-token\` to write one\n`,
      ),
    );
    const staticRoot = join(dirname(fileURLToPath(import.meta.url)), "renderer");
    let server: Awaited<ReturnType<typeof startHttpServer>>;
    try {
      server = await startHttpServer({
        engine,
        host,
        port,
        token: accepted,
        staticRoot,
        metrics: () => engine.metrics.prometheus(),
        allowCommands,
        refused: authRefusals((event) => engine.track(event)),
      });
    } catch (error) {
      await engine.close();
      throw listenError(error, host, port) ?? error;
    }
    let token: string;
    try {
      keepServeToken(dataDir, args.flags["new-token"] === true);
      // What the file holds now, which this serve accepts: another serve may have replaced it meanwhile.
      token = accepted();
      if (!token) throw new Error(`${serveTokenFile(dataDir)} holds no token just after it was written`);
    } catch (error) {
      await server.close();
      await engine.close();
      throw explainDiskFull(dataDir, error);
    }
    if (allowCommands) io.stdout.write(`mcpscope: ${ALLOW_COMMANDS_WARNING}\n`);
    io.stdout.write(`mcpscope: serving ${server.url}#token=${token}\n`);
    if (server.exposedUrls.length || !isLoopback(host))
      io.stdout.write(
        `mcpscope: the UI is exposed to the network ${exposedWhere(server.exposedUrls, server.port)} over plain HTTP; every request needs the token, which anyone on the way can read — use an SSH tunnel or a TLS proxy on an untrusted network, and --new-token to replace a token that leaked\n`,
      );
    io.stdout.write(`mcpscope: data dir ${dataDir}\n`);
    io.stdout.write(
      `mcpscope: Prometheus metrics at ${server.url}metrics (Authorization: Bearer, token in ${serveTokenFile(dataDir)})${otlp ? `; OTLP to ${otlp.shown}` : ""}\n`,
    );
    // Said at start too: otherwise a mistake made while nothing ran shows only in the Alerts view.
    const rules = await createApiClient(engine)
      .call("alerts.rules", {})
      .catch(() => null);
    if (rules?.problem)
      io.stderr.write(
        `mcpscope: ${rules.path} has a mistake; ${ruleFileFallbackText(rules.inEffect)}: ${rules.problem}\n`,
      );
    const stop = onStopSignals();
    await stop.code;
    try {
      await server.close();
      await engine.close();
      // A probe still under way: its server goes too, rather than outlive the engine in its own group.
      await closeLiveChildren();
    } finally {
      stop.off();
    }
    return 0;
  },
};
