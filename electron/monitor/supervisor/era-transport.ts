/**
 * A Transport decorator that lets one SDK `Client` speak either protocol era. In the session era (up to
 * 2025-11-25) it passes messages through. In the stateless era (2026-07-28) it adds the per-request
 * `_meta` the revision requires (protocol version, client info, client capabilities) to every request.
 * It also owns the handshake's start: it reports a session id to `Client.connect` so that the SDK does not
 * send its own `initialize`, and `handshake()` decides what to send instead.
 */
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage, MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";
import { META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_PROTOCOL_VERSION } from "../protocol/mcp.js";

export type ProtocolEra = "session" | "stateless";

export const STATELESS_PROTOCOL_VERSION = "2026-07-28";

export interface PeerIdentity {
  name: string;
  version: string;
}

export class EraTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  era: ProtocolEra = "session";
  protocolVersion: string | null = null;
  /** The connection has closed (a pending request's "connection closed" error is then ours, not the server's). */
  closed = false;

  constructor(
    readonly inner: Transport,
    private readonly clientInfo: PeerIdentity,
  ) {
    inner.onclose = () => {
      this.closed = true;
      this.onclose?.();
    };
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => this.onmessage?.(message, extra);
  }

  /**
   * `Client.connect` skips its own `initialize` when the transport already has a session id (its
   * reconnect path); we always run the handshake ourselves, in the server's era.
   */
  get sessionId(): string | undefined {
    return this.inner.sessionId ?? "mcpscope-handshake";
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.era === "stateless" && "method" in message && "id" in message) {
      const params = (message.params ?? {}) as Record<string, unknown>;
      const meta = (params._meta ?? {}) as Record<string, unknown>;
      message = {
        ...message,
        params: {
          ...params,
          _meta: {
            ...meta,
            [META_PROTOCOL_VERSION]: this.protocolVersion ?? STATELESS_PROTOCOL_VERSION,
            [META_CLIENT_INFO]: this.clientInfo,
            [META_CLIENT_CAPABILITIES]: {},
          },
        },
      };
    }
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
    this.inner.setProtocolVersion?.(version);
  }

  /** Switches to the stateless era at `version` (HTTP transports then send it as a header too). */
  useStateless(version = STATELESS_PROTOCOL_VERSION): void {
    this.era = "stateless";
    this.setProtocolVersion(version);
  }
}
