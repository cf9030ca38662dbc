/**
 * The messages between the Electron main process and the engine host (a utilityProcess running
 * dist/engine-host.mjs). Both sides import this file; nothing here may import `electron`.
 *
 * main → host: `call` (one API method; answered by exactly one `result` or `error` with the same id),
 *              `shutdown` (close the engine, then exit 0).
 * host → main: `result`, `error`, `event` (an API event, pushed as it happens),
 *              `ready` (the engine has opened the data dir and answers calls),
 *              `fatal` (the engine could not start; the host exits 1 right after).
 */

/** What went wrong, in one line, and which part failed (a MonitoringError kind, `input`, `engine`…). */
export interface ErrorInfo {
  message: string;
  kind: string;
}

export interface CallMessage {
  type: "call";
  id: number;
  method: string;
  input: unknown;
}

export interface ShutdownMessage {
  type: "shutdown";
}

export type MainToHost = CallMessage | ShutdownMessage;

export interface ResultMessage {
  type: "result";
  id: number;
  result: unknown;
}

export interface ErrorMessage {
  type: "error";
  id: number;
  error: ErrorInfo;
}

export interface EventMessage {
  type: "event";
  event: string;
  payload: unknown;
}

export interface FatalMessage {
  type: "fatal";
  error: ErrorInfo;
}

export interface ReadyMessage {
  type: "ready";
}

export type HostToMain = ResultMessage | ErrorMessage | EventMessage | ReadyMessage | FatalMessage;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return isRecord(value) && typeof value.message === "string" && typeof value.kind === "string";
}

const isId = (value: unknown): value is number => Number.isSafeInteger(value);

export function isMainToHost(value: unknown): value is MainToHost {
  if (!isRecord(value)) return false;
  if (value.type === "shutdown") return true;
  return value.type === "call" && isId(value.id) && typeof value.method === "string";
}

export function isHostToMain(value: unknown): value is HostToMain {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case "result":
      return isId(value.id) && "result" in value;
    case "error":
      return isId(value.id) && isErrorInfo(value.error);
    case "event":
      return typeof value.event === "string";
    case "ready":
      return true;
    case "fatal":
      return isErrorInfo(value.error);
    default:
      return false;
  }
}

const MAX_MESSAGE_LENGTH = 500;

/**
 * Any thrown value as one line a user can read. A `kind` carried by the error (MonitoringError) wins;
 * zod-style ApiInputError becomes `input`; anything else gets `fallbackKind`.
 */
export function toErrorInfo(error: unknown, fallbackKind: string): ErrorInfo {
  const raw = error instanceof Error ? error.message : typeof error === "string" ? error : String(error);
  const firstLine = raw.split(/\r?\n/, 1)[0]?.trim() || "unknown error";
  const message =
    firstLine.length > MAX_MESSAGE_LENGTH ? `${firstLine.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : firstLine;
  if (isRecord(error) && typeof error.kind === "string" && error.kind) return { message, kind: error.kind };
  if (error instanceof Error && error.name === "ApiInputError") return { message, kind: "input" };
  return { message, kind: fallbackKind };
}
