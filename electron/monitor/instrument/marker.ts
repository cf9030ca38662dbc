/**
 * How mcpscope recognises its own wrapping in a client's config entry. A wrapped entry launches
 * `… run --name NAME --client CLIENT [--data-dir DIR] -- ORIGINAL_COMMAND ORIGINAL_ARGS…` through an
 * mcpscope launcher (the `mcpscope` command, `node …/bin/mcpscope.js`, or the app binary running the
 * bundled CLI with ELECTRON_RUN_AS_NODE=1). `--client` is the marker: only `mcpscope instrument` writes it.
 */
import { basename } from "node:path";

export const MARKER_FLAG = "--client";

function looksLikeMcpscope(path: string): boolean {
  const base = basename(path).toLowerCase();
  return /^mcpscope(\.cmd|\.exe|\.js|\.mjs)?$/.test(base) || base === "cli.mjs";
}

/** If the entry is mcpscope's wrapping, the command it wraps and the client it names; otherwise null. */
export function unwrapEntry(
  command: string,
  args: string[],
): { command: string; args: string[]; client: string | null; name: string | null } | null {
  const run = args.indexOf("run");
  const dashes = args.indexOf("--", run + 1);
  if (run === -1 || dashes === -1 || dashes + 1 >= args.length) return null;
  const launcher = [command, ...args.slice(0, run)];
  if (!launcher.some(looksLikeMcpscope)) return null;
  const flags = args.slice(run + 1, dashes);
  const client = flagValue(flags, MARKER_FLAG);
  if (client === null) return null;
  return {
    command: args[dashes + 1] ?? "",
    args: args.slice(dashes + 2),
    client,
    name: flagValue(flags, "--name"),
  };
}

function flagValue(flags: string[], name: string): string | null {
  const i = flags.indexOf(name);
  if (i !== -1) return flags[i + 1] ?? null;
  const eq = flags.find((f) => f.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : null;
}
