import type { FlagSpecs } from "./args.js";

/** What a command writes to; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Command {
  name: string;
  summary: string;
  /**
   * The flags it takes besides the common ones, by how it is called (`events`, `events groups`): for a
   * flag put before the command, an example of where it goes.
   */
  flags: Readonly<Record<string, FlagSpecs>>;
  run(argv: string[], io: CliIo): Promise<number>;
}

/**
 * An API method's `{ok, message}`: the message as the answer on stdout, or as the command's one-line
 * failure on stderr (`mcpscope tools: …`); the exit code to return.
 */
export function printOutcome(io: CliIo, command: string, result: { ok: boolean; message: string }): number {
  if (result.ok) io.stdout.write(`${result.message}\n`);
  else io.stderr.write(`mcpscope ${command}: ${result.message}\n`);
  return result.ok ? 0 : 1;
}

/**
 * A reader that stops early (`mcpscope audit export | head`) closes the pipe: end quietly, as Unix tools
 * do, instead of failing with `write EPIPE`. Not for `run`, whose stdout is the MCP client's and which
 * keeps draining the server when the client goes away.
 */
export function endQuietlyOnClosedPipe(stdout: NodeJS.WritableStream, exit: () => void): void {
  stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") exit();
    // A writer of its own (`--output /dev/stdout`) listens too, and says what failed in one line.
    else if (stdout.listenerCount("error") === 1) throw error;
  });
}

/**
 * Progress and notices go to stderr; a reader that has gone (`mcpscope report 2>&1 | head -1`) loses
 * them, not the command's work: the report file is still written whole.
 */
export function keepWorkingOnClosedStderr(stderr: NodeJS.WritableStream): void {
  stderr.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}
