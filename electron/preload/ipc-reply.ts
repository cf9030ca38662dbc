/**
 * What the main process answers on IPC_INVOKE_CHANNEL: `{ result }` or `{ error: { message, kind } }`
 * (the same error body as browser mode's HTTP API). Main never throws across IPC, so the renderer sees
 * the one-line message itself, not Electron's "Error invoking remote method …" wrapping.
 * Imported by the sandboxed preload: no imports here.
 */
export type IpcReply = { result: unknown } | { error: { message: string; kind: string } };

/** An error from the main process or the engine, as the preload throws it. Only `message` crosses the
 * context bridge into the page; `kind` is for code running in the preload's world. */
export class IpcCallError extends Error {
  readonly kind: string;

  constructor(message: string, kind: string) {
    super(message);
    this.name = "IpcCallError";
    this.kind = kind;
  }
}

/** Returns the result, or throws the error the reply carries. */
export function unwrapReply(reply: unknown): unknown {
  if (typeof reply === "object" && reply !== null) {
    if ("error" in reply) {
      const error = reply.error as { message?: unknown; kind?: unknown } | null;
      const message = typeof error?.message === "string" ? error.message : "the mcpscope engine failed";
      throw new IpcCallError(message, typeof error?.kind === "string" ? error.kind : "engine");
    }
    if ("result" in reply) return reply.result;
  }
  throw new IpcCallError("the mcpscope main process sent a reply this window cannot read", "engine");
}
