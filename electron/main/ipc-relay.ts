/**
 * The ipcMain side of the typed API. Each call on IPC_INVOKE_CHANNEL is checked — sender first (one of
 * our windows, showing our own page), then the method name, then the input against its zod schema — and
 * only then forwarded to the engine. Every answer is an IpcReply; nothing is thrown across IPC.
 */
import { type ApiTransport, isMethodName, type MethodName, parseMethodInput } from "../../shared/api.js";
import type { IpcReply } from "../preload/ipc-reply.js";
import { toErrorInfo } from "./host-protocol.js";
import { isRendererUrl } from "./window-security.js";

/** The parts of Electron's IpcMainInvokeEvent the relay looks at. */
export interface InvokeEventLike {
  sender: unknown;
  senderFrame: { url: string } | null;
}

export interface IpcRelayOptions {
  /** The file:// URL of the renderer's page. */
  rendererUrl: string;
  /** Whether `sender` is the webContents of one of the app's own windows. */
  isOwnWindow(sender: unknown): boolean;
  engine: Pick<ApiTransport, "invoke">;
  /** Methods the main process serves itself (those that need a native dialog), with their parsed input. */
  local?: Partial<Record<MethodName, (input: never) => Promise<unknown>>>;
  /**
   * Asked before a call is forwarded: null to go on, or the one-line refusal to answer with (the user
   * declined a request that runs a program or names a place elsewhere: request-consent.ts).
   */
  beforeForward?(method: MethodName, input: unknown): Promise<string | null>;
  /** Told about each refused call (sender or name), for the log. */
  onRefused?(reason: string): void;
}

const MAX_NAME_IN_MESSAGE = 80;

function refuse(message: string, kind: string): IpcReply {
  return { error: { message, kind } };
}

export function createIpcRelay(options: IpcRelayOptions) {
  return async (event: InvokeEventLike, method: unknown, input: unknown): Promise<IpcReply> => {
    const frameUrl = event.senderFrame?.url;
    if (!options.isOwnWindow(event.sender) || !frameUrl || !isRendererUrl(frameUrl, options.rendererUrl)) {
      const reason = `refused a call from a sender that is not the mcpscope window (${frameUrl ?? "no frame"})`;
      options.onRefused?.(reason);
      return refuse("request refused: it did not come from the mcpscope window", "forbidden");
    }
    if (typeof method !== "string" || !isMethodName(method)) {
      const name = typeof method === "string" ? method.slice(0, MAX_NAME_IN_MESSAGE) : typeof method;
      options.onRefused?.(`refused an unknown method: ${name}`);
      return refuse(`unknown method: ${name}`, "input");
    }
    let parsed: unknown;
    try {
      parsed = parseMethodInput(method, input);
    } catch (error) {
      return { error: toErrorInfo(error, "input") };
    }
    try {
      const refusal = await options.beforeForward?.(method, parsed);
      if (refusal) return refuse(refusal, "cancelled");
      const local = options.local?.[method] as ((input: unknown) => Promise<unknown>) | undefined;
      return { result: await (local ? local(parsed) : options.engine.invoke(method, parsed)) };
    } catch (error) {
      return { error: toErrorInfo(error, "engine") };
    }
  };
}

/** A target for pushed events (a window's webContents). */
export interface EventSink {
  isDestroyed(): boolean;
  send(channel: string, frame: { event: string; payload: unknown }): void;
}

/** Sends one engine event to every live window on `channel`. */
export function pushEvent(
  targets: Iterable<EventSink>,
  channel: string,
  event: string,
  payload: unknown,
): void {
  for (const target of targets) {
    if (!target.isDestroyed()) target.send(channel, { event, payload });
  }
}
