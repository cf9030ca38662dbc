#!/usr/bin/env node
/**
 * The baseline for the proxy-overhead bench: the least a stdio wrapper can do. It spawns COMMAND and
 * pipes stdin → child stdin, child stdout → stdout and child stderr → stderr, with no parsing and no
 * copy, then exits with the child's status.
 *
 *   node bench/proxy-overhead/relay.mjs COMMAND [ARGS…]
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write("usage: relay.mjs COMMAND [ARGS…]\n");
  process.exit(2);
}
const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
child.stdin.on("error", () => {});
process.stdout.on("error", () => {});
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.stderr.pipe(process.stderr);
child.on("error", (error) => {
  process.stderr.write(`relay: cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
child.on("close", (code, signal) => {
  process.exitCode = signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1);
  process.stdin.destroy();
});
