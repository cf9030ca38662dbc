/**
 * The SDK's stdio framing (one JSON-RPC message per line), keeping the line a parse failed on: a stray
 * log line on a server's stdout is the commonest reason a stdio server "does not answer", and a check
 * that quotes it tells the user what to fix.
 */
import { deserializeMessage, STDIO_DEFAULT_MAX_BUFFER_SIZE } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** A line of stdout that is not a JSON-RPC message. */
export class NonJsonLine extends Error {
  constructor(
    readonly line: string,
    cause: unknown,
  ) {
    super(`the server wrote a line that is not JSON-RPC to stdout: ${(cause as Error)?.message}`, { cause });
  }
}

export class StdoutBuffer {
  private pending: Buffer | undefined;

  append(chunk: Buffer): void {
    if ((this.pending?.length ?? 0) + chunk.length > STDIO_DEFAULT_MAX_BUFFER_SIZE) {
      this.clear();
      throw new Error(`ReadBuffer exceeded maximum size of ${STDIO_DEFAULT_MAX_BUFFER_SIZE} bytes`);
    }
    this.pending = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
  }

  /** The next message, null when no whole line is buffered; throws NonJsonLine for a line that is not one. */
  readMessage(): JSONRPCMessage | null {
    const index = this.pending?.indexOf(10) ?? -1;
    if (!this.pending || index === -1) return null;
    const line = this.pending.toString("utf8", 0, index).replace(/\r$/, "");
    this.pending = this.pending.subarray(index + 1);
    try {
      return deserializeMessage(line);
    } catch (error) {
      throw new NonJsonLine(line, error);
    }
  }

  clear(): void {
    this.pending = undefined;
  }
}
