/**
 * Entry of the bundled CLI (dist/cli.mjs), loaded by bin/mcpscope.js. `mcpscope run` is what MCP clients
 * launch for every session, so it loads only the wrapper's code; other commands load the full CLI.
 */
import type { CliIo } from "./io.js";

const io: CliIo = { stdout: process.stdout, stderr: process.stderr };
const argv = process.argv.slice(2);

async function dispatch(): Promise<number> {
  if (argv[0] === "run") {
    const [{ runCommand }, { runCommandSafely }] = await Promise.all([
      import("./commands/run.js"),
      import("./run-command.js"),
    ]);
    return runCommandSafely(runCommand, argv.slice(1), io);
  }
  const [{ main }, { endQuietlyOnClosedPipe }] = await Promise.all([import("./index.js"), import("./io.js")]);
  endQuietlyOnClosedPipe(process.stdout, () => process.exit(0));
  return main(argv, io);
}

const exitCode = await dispatch();
// Let stdout drain (a pipe may be asynchronous) before exiting; stdin may still be open.
process.stdout.write("", () => process.exit(exitCode));
