/**
 * mcpscope's own MCP client session with one server: the SDK `Client` over the server's transport, the
 * handshake in the server's era, and the few requests monitoring needs (liveness, `tools/list`). A
 * managed server's session is the supervised process itself; a probe opens a short-lived one.
 */

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { MonitoringError } from "../errors.js";
import { maskString } from "../pipeline/mask.js";
import { quotedLine } from "../pipeline/quoted-line.js";
import { VERSION } from "../version.js";
import { blockedPortText } from "./blocked-ports.js";
import { type ChildExit, ChildProcessTransport } from "./child-transport.js";
import { EraTransport, type PeerIdentity, type ProtocolEra } from "./era-transport.js";
import { DiscoverResultSchema, type HandshakeFacts, handshake } from "./handshake.js";
import {
  answersEventStream,
  type HttpFailureContext,
  httpFailureMessage,
  httpStatus,
  looksLikeSsePath,
  mayBeSseEndpoint,
  tlsFailureMessage,
} from "./http-failure.js";
import { NonJsonLine } from "./stdout-lines.js";
import {
  createTransport,
  type RemoteRequest,
  remoteRequest,
  type ServerTarget,
  type TransportDeps,
} from "./transports.js";

export interface SessionHooks {
  /** The child process started (stdio only). */
  onSpawn?: (pid: number) => void;
  onStderrLine?: (line: string) => void;
  /** The child process exited (stdio only). */
  onExit?: (exit: ChildExit) => void;
}

export interface SessionOptions extends TransportDeps {
  clientInfo?: PeerIdentity;
  /** For the handshake and each request (default 10 s). */
  timeoutMs?: number;
  eraHint?: ProtocolEra | null;
  hooks?: SessionHooks;
  /** The URL or command was named on the command line (`mcpscope check`): hints name its flags. */
  adHoc?: boolean;
}

export const MCPSCOPE_CLIENT: PeerIdentity = { name: "mcpscope", version: VERSION };
const MAX_TOOL_PAGES = 100;
const STDERR_TAIL = 5;
/**
 * A write that fails because the child closed its stdin usually means it is exiting: how long to wait for
 * its exit (and the rest of its stderr) so that the error names the exit code and the server's own words.
 */
const EXIT_AFTER_BROKEN_PIPE_MS = 2000;
const BROKEN_PIPE = new Set(["EPIPE", "ECONNRESET", "ERR_STREAM_DESTROYED"]);

export class McpSession {
  readonly client: Client;
  readonly transport: EraTransport;
  readonly child: ChildProcessTransport | null;
  facts: HandshakeFacts | null = null;
  private readonly stderrTail: string[] = [];
  /** The first line the server wrote to stdout that is not JSON-RPC (masked, capped). */
  private nonJson: string | null = null;
  private readonly timeoutMs: number;
  /** Whether a GET of the URL answered an event stream (asked only after a POST was refused). */
  private eventStream = false;
  /** A remote target's URL and headers as its requests are sent (null for stdio). */
  private readonly request: RemoteRequest | null;

  constructor(
    readonly target: ServerTarget,
    private readonly options: SessionOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const clientInfo = options.clientInfo ?? MCPSCOPE_CLIENT;
    const era = () => this.transport.era;
    const inner = createTransport(target, options, era);
    this.child = inner instanceof ChildProcessTransport ? inner : null;
    this.request = this.child ? null : remoteRequest(target, options.env);
    if (this.child) {
      const hooks = options.hooks ?? {};
      this.child.onstderr = (line) => {
        if (line.trim()) {
          this.stderrTail.push(line);
          if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
        }
        hooks.onStderrLine?.(line);
      };
      this.child.onexit = (exit) => hooks.onExit?.(exit);
    }
    this.transport = new EraTransport(inner, clientInfo);
    this.client = new Client(clientInfo, { capabilities: {} });
    // Errors also surface as rejected requests; a stray non-JSON line on stdout must not crash anything,
    // but the first one is kept to say why a handshake got no answer.
    this.client.onerror = (error) => {
      if (error instanceof NonJsonLine && this.nonJson === null) this.nonJson = quotedLine(error.line);
    };
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get closed(): boolean {
    return this.transport.closed;
  }

  /** Starts the transport (spawning a stdio server) and runs the handshake. Does not close on failure. */
  async open(): Promise<HandshakeFacts> {
    try {
      await this.client.connect(this.transport);
    } catch (error) {
      throw this.failure(error, "connect");
    }
    if (this.child?.pid) this.options.hooks?.onSpawn?.(this.child.pid);
    try {
      this.facts = await handshake(this.client, this.transport, {
        clientInfo: this.options.clientInfo ?? MCPSCOPE_CLIENT,
        timeoutMs: this.timeoutMs,
        eraHint: this.options.eraHint,
      });
      return this.facts;
    } catch (error) {
      throw await this.failed(error, "the handshake");
    }
  }

  /** `ping` in the session era, `server/discover` in the stateless era (which has no ping); ms. */
  async liveness(timeoutMs = this.timeoutMs): Promise<number> {
    const started = performance.now();
    try {
      if (this.transport.era === "stateless") {
        await this.client.request({ method: "server/discover", params: {} }, DiscoverResultSchema, {
          timeout: timeoutMs,
        });
      } else {
        await this.client.ping({ timeout: timeoutMs });
      }
    } catch (error) {
      const step = this.transport.era === "stateless" ? "server/discover" : "ping";
      throw await this.failed(error, step, timeoutMs);
    }
    return performance.now() - started;
  }

  /** Every page of `tools/list`. */
  async listTools(timeoutMs = this.timeoutMs): Promise<{ tools: Tool[]; ms: number }> {
    const started = performance.now();
    const tools: Tool[] = [];
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_TOOL_PAGES; page++) {
        const result = await this.client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
        tools.push(...result.tools);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
    } catch (error) {
      throw await this.failed(error, "tools/list", timeoutMs);
    }
    return { tools, ms: performance.now() - started };
  }

  async close(): Promise<void> {
    const inner = this.transport.inner;
    // A Streamable HTTP session is ended on the server too (DELETE), or every probe would leave one behind.
    if (inner instanceof StreamableHTTPClientTransport && inner.sessionId && !this.closed) {
      await inner.terminateSession().catch(() => {});
    }
    try {
      await this.client.close();
    } catch {
      // Closing a transport that already failed.
    }
  }

  /**
   * `failure`, once a child that broke the pipe (or already exited) has finished: the write to a server
   * that exits at once fails before its exit is seen, and the exit code and stderr are what explain it.
   */
  private async failed(error: unknown, step: string, timeoutMs = this.timeoutMs): Promise<MonitoringError> {
    const child = this.child;
    if (child && (child.exit || brokenPipe(error))) await child.waitClosed(EXIT_AFTER_BROKEN_PIPE_MS);
    const status = httpStatus(error);
    const http = this.httpContext();
    if (status !== null && http.url && mayBeSseEndpoint(status, http) && !looksLikeSsePath(http.url)) {
      // Asked of the URL as configured (its key and credentials too), not of the masked one shown.
      const { url, headers } = this.sent();
      this.eventStream = await answersEventStream(String(url ?? http.url), headers);
    }
    return this.failure(error, step, timeoutMs);
  }

  /** The URL and headers requests go with: a URL's `user:password@` travels as an Authorization header. */
  private sent(): { url: URL | null; headers: Record<string, string>; urlCredentials: boolean } {
    return this.request ?? { url: null, headers: this.target.rawHeaders, urlCredentials: false };
  }

  private httpContext(): HttpFailureContext {
    const def = this.target.definition;
    const { headers, urlCredentials } = this.sent();
    return {
      url: def.url,
      transport: def.transport === "sse" ? "sse" : "http",
      adHoc: this.options.adHoc ?? false,
      addedInApp: def.client === "manual",
      headers,
      urlCredentials,
      answersEventStream: this.eventStream,
    };
  }

  /** Why a handshake got no answer; a banner line before a handshake that went through is no reason later. */
  private nonJsonHint(): string {
    if (this.nonJson === null || this.facts !== null) return "";
    return `; it wrote non-JSON to stdout: ${this.nonJson} (log with console.error, not console.log)`;
  }

  /** A one-line MonitoringError saying what went wrong at `step`, with the server's last stderr line. */
  failure(error: unknown, step: string, timeoutMs = this.timeoutMs): MonitoringError {
    if (error instanceof MonitoringError) return error;
    const exit = this.child?.exit;
    const last = this.stderrTail.at(-1);
    let message: string;
    // Built from masked parts (the shown URL, a masked reason): masking it again would take its hint
    // (`pass --header 'Authorization: …'`) for a credential.
    let masked = false;
    if (exit) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      message = `the server ${how} during ${step}${last ? `: ${last}` : ""}`;
    } else if (brokenPipe(error)) {
      message = `the server closed its stdin during ${step} and is still running${last ? `: ${last}` : ""}`;
    } else if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      message = `no answer to ${step} within ${formatSeconds(timeoutMs)}`;
    } else if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed && this.closed) {
      message = `the connection closed during ${step}${last ? `: ${last}` : ""}`;
    } else if (httpStatus(error) !== null || tlsFailureMessage(error) !== null) {
      const status = httpStatus(error);
      const what =
        status !== null ? httpFailureMessage(status, error, this.httpContext()) : tlsFailureMessage(error);
      // Refused before any MCP exchange: the step adds nothing; later, it says which request failed.
      message = step === "connect" || step === "the handshake" ? `${what}` : `${step} failed: ${what}`;
      masked = true;
    } else if (error instanceof StreamableHTTPError) {
      message = `${step} failed: ${error.message.replace(/^Streamable HTTP error: /, "")}`;
    } else if (networkCode(error)) {
      const url = this.target.definition.url;
      message = `cannot connect to ${host(url)}: ${networkMessage(error, url)}`;
    } else {
      message = `${step} failed: ${networkMessage(error)}`;
    }
    // Connecting uses the configured URL as is; an error quoting it must not show its key or password.
    const text = masked ? oneLine(message) : maskString(oneLine(message));
    return MonitoringError.collection(`${text}${this.nonJsonHint()}`, error);
  }
}

/** Opens a session and runs the handshake; closes it again if that fails. */
export async function openSession(target: ServerTarget, options: SessionOptions): Promise<McpSession> {
  const session = new McpSession(target, options);
  try {
    await session.open();
    return session;
  } catch (error) {
    await session.close();
    throw error;
  }
}

function brokenPipe(error: unknown): boolean {
  return BROKEN_PIPE.has((error as NodeJS.ErrnoException)?.code ?? "");
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused; is the server running?",
  ENOTFOUND: "host not found; check the URL",
  ECONNRESET: "the connection was reset",
  ETIMEDOUT: "the connection timed out",
  EHOSTUNREACH: "host unreachable",
};

/** fetch refuses ports that browsers block (6000 for X11, 6667 for IRC, …), for safety. */
const BAD_PORT = "BAD_PORT";

/**
 * The network error under a failed connection: fetch's `cause`, or for the SSE transport, whose
 * EventSource keeps only the text of the error, the code named in that text.
 */
function networkCode(error: unknown): string | null {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code && cause.code in NETWORK_ERRORS) return cause.code;
  if (cause?.message === "bad port") return BAD_PORT;
  if (!(error instanceof SseError)) return null;
  if (/fetch failed: bad port\b/.test(error.message)) return BAD_PORT;
  const named = /\b(E[A-Z]+)\b/.exec(error.message)?.[1];
  return named && named in NETWORK_ERRORS ? named : null;
}

function networkMessage(error: unknown, url: string | null = null): string {
  const code = networkCode(error);
  if (code === BAD_PORT) return `${blockedPortText(port(url))}; serve it on another port`;
  if (code) return NETWORK_ERRORS[code] ?? code;
  const cause = (error as { cause?: { message?: string } })?.cause;
  if (cause?.message) return cause.message;
  return (error as Error)?.message ?? String(error);
}

/** Host and port only: a URL's path or query may carry a token. */
function host(url: string | null): string {
  try {
    return url ? new URL(url).host : "the server";
  } catch {
    return "the server";
  }
}

function port(url: string | null): string {
  try {
    return url ? new URL(url).port || "?" : "?";
  } catch {
    return "?";
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s*\n\s*/g, " ").trim();
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
