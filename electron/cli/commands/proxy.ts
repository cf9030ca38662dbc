import { isLoopback } from "../../monitor/api/host-policy.js";
import { maskText } from "../../monitor/discovery/mask-config.js";
import { resolveDataDir } from "../../monitor/paths.js";
import { DEFAULT_CAPTURE_LIMIT } from "../../monitor/pipeline/capture-limit.js";
import { MAX_MESSAGE_BYTES } from "../../monitor/protocol/line-splitter.js";
import { startHttpProxy } from "../../monitor/proxy-http/http-proxy.js";
import { parseDuration } from "../../monitor/time.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import { exposedWhere } from "../exposure.js";
import type { Command } from "../io.js";
import { listenError, refuseBlockedPort } from "../listen-errors.js";
import { TIMEOUT_FLAG } from "../timeout-flag.js";
import { parseListen } from "./serve.js";

const FLAGS: FlagSpecs = {
  upstream: {
    kind: "string",
    placeholder: "URL",
    help: "the MCP server's URL (Streamable HTTP, or the legacy SSE transport's /sse URL)",
  },
  listen: {
    kind: "string",
    placeholder: "HOST:PORT",
    default: "127.0.0.1:0",
    help: "where to listen (port 0 picks a free one; give a port to keep the client's URL stable; 0.0.0.0:PORT exposes the upstream, with its URL's credentials, to the network)",
  },
  name: {
    kind: "string",
    placeholder: "NAME",
    help: "the server's name in mcpscope (default: the upstream's host name)",
  },
  timeout: TIMEOUT_FLAG,
  "capture-limit": {
    kind: "string",
    placeholder: "BYTES",
    default: String(DEFAULT_CAPTURE_LIMIT),
    help: "largest request or response kept per call; longer ones are truncated with a marker",
  },
};

export function parseUpstream(text: string | undefined): URL {
  if (!text) throw new UsageError("--upstream URL is required (the MCP server's http:// or https:// URL)");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--upstream "${maskText(text)}" is not a URL; use one like https://example.com/mcp`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--upstream must be http:// or https://, not ${url.protocol}`);
  return url;
}

export const proxyCommand: Command = {
  name: "proxy",
  summary: COMMAND_SUMMARIES.proxy,
  flags: { proxy: FLAGS },
  async run(argv, io) {
    const args = parseArgs("proxy", argv, FLAGS, {
      positionals: 0,
      hint: "the server's URL goes after --upstream",
    });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope proxy --upstream URL [--listen 127.0.0.1:PORT] [--name NAME] [--timeout 60s] [--capture-limit BYTES] [--data-dir DIR]",
          "Relays an MCP server that speaks Streamable HTTP (or the legacy HTTP+SSE transport) unchanged —\nrequests, JSON and SSE answers, the GET stream, DELETE, OAuth 401s and /.well-known/ metadata — and\nrecords calls, outcomes, latency, HTTP status and sessions as `mcpscope run` does for stdio servers.\nPoint the client at the printed URL instead of the server's. Stops on Ctrl-C.",
          FLAGS,
          'Example:\n  mcpscope proxy --upstream https://mcp.example.com/mcp --listen 127.0.0.1:7801 --name example\n  then in the client config: "url": "http://127.0.0.1:7801/mcp"',
        ),
      );
      return 0;
    }
    const upstream = parseUpstream(flagString(args, "upstream"));
    const { host, port } = parseListen(flagString(args, "listen") ?? "127.0.0.1:0");
    refuseBlockedPort(host, port);
    const captureLimit = Number(flagString(args, "capture-limit") ?? DEFAULT_CAPTURE_LIMIT);
    if (!Number.isInteger(captureLimit) || captureLimit < 256)
      throw new UsageError("--capture-limit must be a whole number of bytes, at least 256");
    const timeoutMs = parseDuration(flagString(args, "timeout") ?? "60s");
    const dataDir = resolveDataDir(flagString(args, "data-dir"));
    let proxy: Awaited<ReturnType<typeof startHttpProxy>>;
    try {
      proxy = await startHttpProxy({
        upstream,
        host,
        port,
        name: flagString(args, "name") ?? upstream.hostname,
        dataDir,
        timeoutMs,
        captureLimit,
        maxLineBytes: MAX_MESSAGE_BYTES,
        workerUrl: new URL("./http-observer-worker.mjs", import.meta.url),
        report: (line) => io.stderr.write(`${line}\n`),
      });
    } catch (error) {
      throw listenError(error, host, port) ?? error;
    }
    io.stdout.write(`mcpscope proxy: ${maskText(proxy.url.href)} → ${maskText(upstream.href)}\n`);
    if (!isLoopback(host)) io.stderr.write(`${exposureWarning(proxy.exposedUrls, proxy.port)}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await proxy.close();
    return 0;
  },
};

/** The warning of a proxy open to the network, naming the URLs that reach it. */
export function exposureWarning(exposedUrls: string[], port: number): string {
  return `mcpscope proxy: the upstream is exposed to the network ${exposedWhere(exposedUrls, port)}; anyone who reaches it uses the server as you (with the upstream URL's credentials) — listen on 127.0.0.1 unless that is meant`;
}
