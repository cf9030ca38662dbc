import {
  API_PATH,
  ASKED_EVENTS,
  EVENTS_PATH,
  type EventFrame,
  type HttpErrorBody,
  type SubscriptionFrame,
} from "../../../shared/http.js";
import type { ConnectionState, RendererTransport } from "./transport.js";

export interface HttpTransportOptions {
  /** Where `mcpscope serve` listens, e.g. `http://127.0.0.1:7331` (the page's own origin). */
  origin: string;
  token: string | null;
  /** First reconnect delay in ms; doubles up to `maxRetryMs`. */
  minRetryMs?: number;
  maxRetryMs?: number;
}

/** An error the engine reported, with its kind (e.g. `storage`, `input`, `unauthorized`). */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly kind: string,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

function isErrorBody(body: unknown): body is HttpErrorBody {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

function isEventFrame(frame: unknown): frame is EventFrame {
  return (
    typeof frame === "object" && frame !== null && typeof (frame as { event?: unknown }).event === "string"
  );
}

/**
 * Browser mode (shared/http.ts): methods are `POST /api/<method>` with a bearer token; events arrive
 * over one WebSocket, which is reopened with exponential backoff whenever it drops.
 */
export function createHttpTransport(options: HttpTransportOptions): RendererTransport {
  const { origin, token } = options;
  const minRetryMs = options.minRetryMs ?? 500;
  const maxRetryMs = options.maxRetryMs ?? 15_000;
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState, reason: string | null) => void>();
  let state: ConnectionState = token ? "connecting" : "unauthorized";
  let retryMs = minRetryMs;

  function setState(next: ConnectionState): void {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(state, null);
  }

  function dispatch(frame: EventFrame): void {
    const set = listeners.get(frame.event);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(frame.payload);
      } catch (error) {
        console.error(`mcpscope: a listener for ${frame.event} failed`, error);
      }
    }
  }

  function eventsUrl(): string {
    const url = new URL(EVENTS_PATH, origin);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("token", token ?? "");
    return url.href;
  }

  let socket: WebSocket | null = null;
  function send(frame: SubscriptionFrame): void {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function connect(): void {
    if (state === "unauthorized") return;
    const opened = new WebSocket(eventsUrl());
    socket = opened;
    opened.addEventListener("open", () => {
      retryMs = minRetryMs;
      // A new socket starts without the asked-for events: ask again for those still followed.
      for (const event of ASKED_EVENTS) if (listeners.get(event)?.size) send({ subscribe: event });
      setState("connected");
    });
    opened.addEventListener("message", (message) => {
      if (typeof message.data !== "string") return;
      let frame: unknown;
      try {
        frame = JSON.parse(message.data);
      } catch {
        console.warn("mcpscope: ignored an event frame that is not JSON");
        return;
      }
      if (isEventFrame(frame)) dispatch(frame);
    });
    opened.addEventListener("close", () => {
      if (state === "unauthorized") return;
      setState("reconnecting");
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, maxRetryMs);
    });
  }

  async function invoke(method: string, input: unknown): Promise<unknown> {
    if (!token) {
      throw new EngineError(
        "No access token: open the link that `mcpscope serve` printed (it ends in #token=…).",
        "unauthorized",
      );
    }
    let response: Response;
    try {
      response = await fetch(new URL(`${API_PATH}/${encodeURIComponent(method)}`, origin), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      throw new EngineError(
        `Cannot reach mcpscope at ${origin}: is \`mcpscope serve\` still running?`,
        "network",
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new EngineError(
        `mcpscope answered ${method} with HTTP ${response.status} and no JSON.`,
        "protocol",
      );
    }
    if (response.status === 401) setState("unauthorized");
    if (isErrorBody(body)) throw new EngineError(body.error.message, body.error.kind ?? "unknown");
    if (!response.ok || typeof body !== "object" || body === null || !("result" in body)) {
      throw new EngineError(
        `mcpscope answered ${method} with HTTP ${response.status} and no result.`,
        "protocol",
      );
    }
    return (body as { result: unknown }).result;
  }

  connect();

  return {
    kind: "http",
    invoke,
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      if (set.size === 0 && ASKED_EVENTS.includes(event)) send({ subscribe: event });
      set.add(listener);
      return () => {
        if (set.delete(listener) && set.size === 0 && ASKED_EVENTS.includes(event))
          send({ unsubscribe: event });
      };
    },
    onConnectionChange(listener) {
      stateListeners.add(listener);
      listener(state, null);
      return () => {
        stateListeners.delete(listener);
      };
    },
  };
}
