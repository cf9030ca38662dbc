/**
 * Entry of the bundled CLI (dist/cli.mjs), loaded by bin/mcpscope.js. It loads only the command asked for.
 */
import { main } from "./index.js";
import { type CliIo, endQuietlyOnClosedPipe, keepWorkingOnClosedStderr } from "./io.js";

const io: CliIo = { stdout: process.stdout, stderr: process.stderr };
const argv = process.argv.slice(2);

// Not for `run`: its stdout is the MCP client's, and it keeps draining the server when the client goes.
if (argv[0] !== "run") {
  endQuietlyOnClosedPipe(process.stdout, () => process.exit(0));
  keepWorkingOnClosedStderr(process.stderr);
}
const exitCode = await main(argv, io);
// Let stdout drain (a pipe may be asynchronous) before exiting; stdin may still be open.
process.stdout.write("", () => process.exit(exitCode));
