/**
 * Entry of `mcpscope run` (dist/run.mjs), loaded by bin/mcpscope.js for that command alone. MCP clients
 * start the wrapper for every session and wait for the server behind it, so the wrapper's code is one
 * self-contained file: no usage, no other command, no chunk to load before the server is spawned.
 */
import { runCommand } from "./commands/run.js";
import type { CliIo } from "./io.js";
import { runCommandSafely } from "./run-command.js";

// Getters: the wrapper sets up its stdio streams only once the server is spawned (see run-wrapper.ts).
const io: CliIo = {
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
};
const exitCode = await runCommandSafely(runCommand, process.argv.slice(3), io);
// Let stdout drain (a pipe may be asynchronous) before exiting; stdin may still be open.
process.stdout.write("", () => process.exit(exitCode));
