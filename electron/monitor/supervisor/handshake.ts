/**
 * The handshake in the server's protocol era. Session era (≤ 2025-11-25): `initialize`, then
 * `notifications/initialized`. Stateless era (2026-07-28): no handshake exists; `server/discover` tells
 * the server's versions and identity. We try the session era first (what nearly every server speaks) and
 * move to `server/discover` when the server answers `initialize` with an error, as a modern-only server
 * does; a cached hint of the era goes straight to the right one and re-probes if it turns out wrong.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ErrorCode,
  InitializeResultSchema,
  LATEST_PROTOCOL_VERSION,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { maskString } from "../pipeline/mask.js";
import { META_SERVER_INFO } from "../protocol/mcp.js";
import {
  type EraTransport,
  type PeerIdentity,
  type ProtocolEra,
  STATELESS_PROTOCOL_VERSION,
} from "./era-transport.js";
import { httpStatus } from "./http-failure.js";

export interface HandshakeFacts {
  era: ProtocolEra;
  protocolVersion: string | null;
  serverName: string | null;
  serverVersion: string | null;
  /** What the server said it supports (`tools`, `resources`, …). */
  capabilities: Record<string, unknown>;
  /** Round trip of `initialize` (+ `notifications/initialized`) or `server/discover`, in ms. */
  handshakeMs: number;
}

export interface HandshakeOptions {
  clientInfo: PeerIdentity;
  timeoutMs: number;
  /** The era this server spoke last time, if known. */
  eraHint?: ProtocolEra | null;
  now?: () => number;
}

const Implementation = z.object({ name: z.string(), version: z.string().optional() }).loose();
export const DiscoverResultSchema = z
  .object({
    supportedVersions: z.array(z.string()).default([]),
    capabilities: z.record(z.string(), z.unknown()).optional(),
    serverInfo: Implementation.optional(),
    _meta: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

export async function handshake(
  client: Client,
  transport: EraTransport,
  options: HandshakeOptions,
): Promise<HandshakeFacts> {
  const now = options.now ?? (() => performance.now());
  if (options.eraHint === "stateless") {
    try {
      return await discover(client, transport, options, now);
    } catch (error) {
      if (!answeredWithError(error, transport)) throw error;
      return await initialize(client, transport, options, now);
    }
  }
  try {
    return await initialize(client, transport, options, now);
  } catch (legacy) {
    if (!answeredWithError(legacy, transport)) throw legacy;
    try {
      return await discover(client, transport, options, now);
    } catch (modern) {
      if (!answeredWithError(modern, transport)) throw modern;
      // Refused at the HTTP level both times (a wrong path, no credentials): the status tells the story.
      if (httpStatus(legacy) !== null && httpStatus(modern) !== null) throw legacy;
      throw new Error(
        `the server rejected initialize (${(legacy as Error).message}) and server/discover (${(modern as Error).message})`,
      );
    }
  }
}

async function initialize(
  client: Client,
  transport: EraTransport,
  options: HandshakeOptions,
  now: () => number,
): Promise<HandshakeFacts> {
  transport.era = "session";
  const started = now();
  const result = await client.request(
    {
      method: "initialize",
      params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: options.clientInfo },
    },
    InitializeResultSchema,
    { timeout: options.timeoutMs },
  );
  transport.setProtocolVersion(result.protocolVersion);
  await client.notification({ method: "notifications/initialized" });
  return {
    era: "session",
    protocolVersion: result.protocolVersion,
    // Shown and stored as any other field: masked.
    serverName: maskOrNull(result.serverInfo?.name),
    serverVersion: maskOrNull(result.serverInfo?.version),
    capabilities: result.capabilities as Record<string, unknown>,
    handshakeMs: now() - started,
  };
}

async function discover(
  client: Client,
  transport: EraTransport,
  options: HandshakeOptions,
  now: () => number,
): Promise<HandshakeFacts> {
  transport.useStateless(STATELESS_PROTOCOL_VERSION);
  const started = now();
  const result = await client.request({ method: "server/discover", params: {} }, DiscoverResultSchema, {
    timeout: options.timeoutMs,
  });
  const handshakeMs = now() - started;
  const versions = result.supportedVersions;
  const version = versions.includes(STATELESS_PROTOCOL_VERSION)
    ? STATELESS_PROTOCOL_VERSION
    : (versions[0] ?? STATELESS_PROTOCOL_VERSION);
  transport.useStateless(version);
  const metaInfo = Implementation.safeParse(result._meta?.[META_SERVER_INFO]);
  const info = metaInfo.success ? metaInfo.data : result.serverInfo;
  return {
    era: "stateless",
    protocolVersion: version,
    serverName: maskOrNull(info?.name),
    serverVersion: maskOrNull(info?.version),
    capabilities: result.capabilities ?? {},
    handshakeMs,
  };
}

/**
 * True when the server itself answered with an error (a JSON-RPC error, or an HTTP 4xx), which is how a
 * server of the other era answers; false for timeouts and closed connections, which say nothing about era.
 */
export function answeredWithError(error: unknown, transport: EraTransport): boolean {
  if (error instanceof StreamableHTTPError)
    return error.code !== undefined && error.code >= 400 && error.code < 500;
  if (!(error instanceof McpError)) return false;
  if (error.code === ErrorCode.RequestTimeout) return false;
  if (error.code === ErrorCode.ConnectionClosed && transport.closed) return false;
  return true;
}

function maskOrNull(text: string | undefined): string | null {
  return text === undefined ? null : maskString(text);
}
