/**
 * How mcpscope recognises its own wrapper in a client's config entry, however it was written: by
 * `mcpscope instrument` (`… run --name NAME --client CLIENT [--data-dir DIR] -- ORIGINAL…`, through the
 * `mcpscope` command, `node …/bin/mcpscope.js`, or the app binary running the bundled CLI with
 * ELECTRON_RUN_AS_NODE=1) or by hand (`mcpscope run --name files -- npx …`, `npx -y mcpscope run …`,
 * `cmd /c mcpscope.cmd run …`). Wrapping either again would record every call twice. `--client` tells
 * the two apart: only `mcpscope instrument` writes it, and only its wrappings have a record to undo.
 */
import { resolve, win32 } from "node:path";

export const MARKER_FLAG = "--client";
/**
 * The entry's own marker, beside its client's: the entry's id (discovery/entry.ts `serverId`, a hash of its
 * client, file and place in it), so that two entries of one client under one name (two VS Code profiles,
 * Claude Code's user and local entries) each count their own sessions. Wrappings written before it have
 * only `--client`.
 */
export const ENTRY_FLAG = "--entry";

/** `mcpscope`, `mcpscope.cmd`, `mcpscope@0.1.0` (npx), `C:\…\bin\mcpscope.js`, the bundled `cli.mjs`. */
export function looksLikeMcpscope(path: string): boolean {
  // win32.basename splits on both `/` and `\`, so Windows paths in a config read on any platform work.
  const base = win32
    .basename(path)
    .toLowerCase()
    .replace(/@[^@/\\]*$/, "");
  return /^mcpscope(\.cmd|\.exe|\.js|\.mjs|\.ps1)?$/.test(base) || base === "cli.mjs";
}

export interface UnwrappedEntry {
  /** The wrapped server's command line. */
  command: string;
  args: string[];
  /** The MCP client `mcpscope instrument` wrote; null for a wrapping written by hand. */
  client: string | null;
  /** The entry id `mcpscope instrument` wrote (ENTRY_FLAG); null when it wrote none (or by hand). */
  entry: string | null;
  name: string | null;
}

/** If the entry launches `mcpscope run`, the command it wraps and the flags it names; otherwise null. */
export function unwrapEntry(command: string, args: string[]): UnwrappedEntry | null {
  const run = parseRun(command, args);
  if (!run) return null;
  const { flags, i } = run;
  return {
    command: args[i] ?? "",
    args: args.slice(i + 1),
    client: flagValue(flags, MARKER_FLAG),
    entry: flagValue(flags, ENTRY_FLAG) || null,
    name: flagValue(flags, "--name"),
  };
}

/** The flags of `mcpscope run` in the entry, and the index of the wrapped command (null: not a wrapper). */
function parseRun(command: string, args: string[]): { flags: string[]; i: number } | null {
  const run = args.indexOf("run");
  if (run === -1) return null;
  const launcher = [command, ...args.slice(0, run)];
  if (!launcher.some(looksLikeMcpscope)) return null;
  // `run` ends its flags at `--` or at the first argument that is not a flag; every flag of `run` but
  // --help takes a value (`--name files` or `--name=files`).
  const flags: string[] = [];
  let i = run + 1;
  for (; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("--")) break;
    flags.push(arg);
    if (!arg.includes("=") && arg !== "--help") flags.push(args[++i] ?? "");
  }
  return i >= args.length ? null : { flags, i };
}

/**
 * The data dir a wrapper names: its `--data-dir`, else the entry's MCPSCOPE_HOME. Null when it names none:
 * it then records into the default of the client's own environment, which is not known here.
 */
export function recordsInto(command: string, args: string[], env: Record<string, string>): string | null {
  const run = parseRun(command, args);
  if (!run) return null;
  const flag = flagValue(run.flags, "--data-dir");
  if (flag) return resolve(flag);
  return env.MCPSCOPE_HOME ? resolve(env.MCPSCOPE_HOME) : null;
}

function flagValue(flags: string[], name: string): string | null {
  const i = flags.indexOf(name);
  if (i !== -1) return flags[i + 1] ?? null;
  const eq = flags.find((f) => f.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : null;
}
