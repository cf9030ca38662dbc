/** Entry of the bundled CLI (dist/cli.mjs), loaded by bin/mcpscope.js. */
import { main } from "./index.js";

const exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
// Let stdout drain (a pipe may be asynchronous) before exiting; stdin may still be open.
process.stdout.write("", () => process.exit(exitCode));
