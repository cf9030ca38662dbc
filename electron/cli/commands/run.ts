import { basename, extname } from "node:path";
import { resolveDataDir } from "../../monitor/paths.js";
import { DEFAULT_CAPTURE_LIMIT } from "../../monitor/pipeline/capture-limit.js";
import { MAX_MESSAGE_BYTES } from "../../monitor/protocol/line-splitter.js";
import { runWrapper } from "../../monitor/proxy/run-wrapper.js";
import { STOP_KILL_MS } from "../../monitor/proxy/stop-budget.js";
import { parseDuration, parseTimerDuration } from "../../monitor/time.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { Command } from "../io.js";
import { TIMEOUT_FLAG } from "../timeout-flag.js";

const FLAGS: FlagSpecs = {
  name: {
    kind: "string",
    placeholder: "NAME",
    help: "the server's name in mcpscope (default: from the command)",
  },
  timeout: TIMEOUT_FLAG,
  client: {
    kind: "string",
    placeholder: "ID",
    help: "the MCP client whose config launches this (written by `mcpscope instrument`)",
  },
  entry: {
    kind: "string",
    placeholder: "ID",
    help: "the id of the config entry that launches this (written by `mcpscope instrument`)",
  },
  grace: {
    kind: "string",
    placeholder: "DURATION",
    default: "5s",
    help: "after the client closes stdin, how long the server has to exit before SIGTERM",
  },
  "capture-limit": {
    kind: "string",
    placeholder: "BYTES",
    default: String(DEFAULT_CAPTURE_LIMIT),
    help: "largest request or response kept per call; longer ones are truncated with a marker",
  },
};

const USAGE =
  "mcpscope run [--name NAME] [--timeout 60s] [--grace 5s] [--capture-limit BYTES] [--client ID] [--entry ID] [--data-dir DIR] -- COMMAND [ARGS…]";

/**
 * A duration flag of the wrapper's. `--grace` is waited for with a timer, which cannot hold more than 24
 * days; `--timeout` is not (a request's age is compared with it on the observer's clock tick), so it takes
 * any duration, as `mcpscope proxy --timeout` does.
 */
function durationFlag(
  args: ReturnType<typeof parseArgs>,
  flag: string,
  fallback: string,
  parse: (text: string) => number,
): number {
  try {
    return parse(flagString(args, flag) ?? fallback);
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`);
  }
}

const LAUNCHERS = new Set(["npx", "uvx", "bunx", "pnpx", "pipx", "dlx"]);
const INTERPRETERS = new Set(["node", "nodejs", "python", "python3", "deno", "bun", "tsx", "ts-node"]);
/**
 * Options that run code given inline, so the server has no script to be named after: node's `-e`/`-p`
 * (also in a cluster such as `-pe`, or as `--eval=…`), python's `-c` (also `-uc`), `deno eval`.
 */
function inlineCode(interpreter: string, arg: string): boolean {
  if (/^python/.test(interpreter)) return /^-[A-Za-z]*c/.test(arg);
  return /^-[A-Za-z]*[ep][A-Za-z]*$/.test(arg) || /^--(?:eval|print)(?:=|$)/.test(arg);
}
/** Subcommands that come before the script (`deno run main.ts`, `tsx watch server.ts`). */
const SUBCOMMANDS = new Set(["run", "watch"]);
/** Interpreter options that take the next argument as their value (not the script). */
const WITH_VALUE = new Set([
  "-r",
  "--require",
  "--import",
  "--loader",
  "--experimental-loader",
  "--env-file",
  "--env-file-if-exists",
  "-C",
  "--conditions",
  "--title",
  "-W",
  "-X",
  "--config",
]);
/** Script names that say nothing about the server: its folder names it (`weather/dist/index.js`). */
const GENERIC_SCRIPTS = new Set(["index", "main", "server", "cli", "app", "start", "__main__"]);
const GENERIC_DIRS = new Set(["dist", "build", "lib", "src", "bin", "out", "esm", "cjs"]);

/** A script's name, or its folder's where the script's own name is generic. */
function scriptName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  const file = parts.pop() ?? "";
  const name = basename(file, extname(file));
  if (!GENERIC_SCRIPTS.has(name.toLowerCase())) return name;
  while (parts.length && GENERIC_DIRS.has((parts.at(-1) ?? "").toLowerCase())) parts.pop();
  return parts.pop() ?? name;
}

/**
 * `npx -y @scope/server-files@1.2 /home` → `server-files`; `/usr/bin/my-server.js` → `my-server`;
 * `node --env-file .env weather/dist/index.js` → `weather`; `python3 -m mcp_server_git` →
 * `mcp_server_git`; inline code (`node -e …`, `python3 -c …`) → the interpreter's name, never the code.
 */
export function defaultServerName(command: string, args: string[]): string {
  const base = basename(command, extname(command));
  if (LAUNCHERS.has(base.toLowerCase())) {
    const pkg = args.find((a) => !a.startsWith("-") && a !== "run" && a !== "dlx");
    if (pkg) return basename(pkg.replace(/@[^@/]*$/, "").replace(/^@/, "")) || base;
  }
  const interpreter = base.toLowerCase();
  if (INTERPRETERS.has(interpreter) || /^python3(\.\d+)?$/.test(interpreter)) {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] ?? "";
      if (inlineCode(interpreter, arg) || (arg === "eval" && i === 0)) return base;
      if (arg === "-m") return args[i + 1] || base;
      if (WITH_VALUE.has(arg)) i++;
      else if (SUBCOMMANDS.has(arg) && i === 0) continue;
      else if (!arg.startsWith("-")) return scriptName(arg) || base;
    }
  }
  return base;
}

export const runCommand: Command = {
  name: "run",
  summary: COMMAND_SUMMARIES.run,
  flags: { run: FLAGS },
  async run(argv, io) {
    const args = parseArgs("run", argv, FLAGS, true);
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          USAGE,
          `Runs COMMAND as an MCP stdio server and relays its traffic unchanged, byte for byte, while recording\ncalls, outcomes, latency and logs. Exits with the server's exit code (128+signal if it was killed).\nSIGINT, SIGTERM and SIGHUP are passed on to the server; one that has not exited ${STOP_KILL_MS / 1000} s later is killed\nwith its process group. Under another mcpscope run (an entry wrapped twice) it only relays: the outer\none records.`,
          FLAGS,
          'In a client config:\n  "command": "mcpscope", "args": ["run", "--name", "files", "--", "npx", "-y", "@modelcontextprotocol/server-filesystem", "/home/me"]',
        ),
      );
      return 0;
    }
    const [command, ...commandArgs] = args.rest;
    if (!command)
      throw new UsageError("no server command; usage: mcpscope run [--name NAME] -- COMMAND [ARGS…]");
    const captureLimit = Number(flagString(args, "capture-limit") ?? DEFAULT_CAPTURE_LIMIT);
    if (!Number.isInteger(captureLimit) || captureLimit < 256)
      throw new UsageError("--capture-limit must be a whole number of bytes, at least 256");
    const name = flagString(args, "name") ?? defaultServerName(command, commandArgs);
    if (!name.trim()) throw new UsageError(`cannot name the server after "${command}"; pass --name NAME`);
    return runWrapper({
      command,
      args: commandArgs,
      name,
      client: flagString(args, "client"),
      entry: flagString(args, "entry") || undefined,
      dataDir: resolveDataDir(flagString(args, "data-dir")),
      timeoutMs: durationFlag(args, "timeout", "60s", parseDuration),
      graceMs: durationFlag(args, "grace", "5s", parseTimerDuration),
      captureLimit,
      maxLineBytes: MAX_MESSAGE_BYTES,
      workerUrl: new URL("./observer-worker.mjs", import.meta.url),
      // Getters: the wrapper reads its streams only once the server is spawned.
      get stdout() {
        return io.stdout;
      },
      get stderr() {
        return io.stderr;
      },
    });
  },
};
