/** The CLI in process (what bin/mcpscope.js runs, less the process around it): fast, same output. */
import { Writable } from "node:stream";
import { main } from "../../electron/cli/index.js";

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export async function cliInProcess(args: string[]): Promise<CliResult> {
  const out = { stdout: "", stderr: "" };
  const sink = (key: "stdout" | "stderr") =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out[key] += chunk.toString();
        done();
      },
    });
  const status = await main(args, { stdout: sink("stdout"), stderr: sink("stderr") });
  return { status, ...out };
}

/** `mcpscope <args>` in process; a non-zero status throws with what it printed. */
export async function cliOkInProcess(args: string[]): Promise<CliResult> {
  const result = await cliInProcess(args);
  if (result.status !== 0)
    throw new Error(`mcpscope ${args.join(" ")} exited with ${result.status}: ${result.stderr}`);
  return result;
}

/** `mcpscope <args> --json` in process, parsed; a non-zero status throws with what it printed. */
export async function cliJsonInProcess<T>(args: string[]): Promise<T> {
  const { stdout } = await cliOkInProcess([...args, "--json"]);
  return JSON.parse(stdout) as T;
}

/**
 * `mcpscope <args>` in process, with what it writes to the process's own stderr as `terminal`: the lines
 * said while it opens the database (an upgrade, a fold) go there, not to the command's output.
 */
export async function cliAtTerminal(args: string[]): Promise<CliResult & { terminal: string }> {
  let terminal = "";
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    terminal += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    return { ...(await cliInProcess(args)), terminal };
  } finally {
    process.stderr.write = write;
  }
}

/** What chooses the data dir and the clients' config folders besides HOME: left out by `cliInHome`. */
const DIR_ENV = /^(XDG_|MCPSCOPE_)/;

/**
 * `mcpscope <args>` in process as from a shell with only HOME set to `home` (none of the XDG_* or
 * MCPSCOPE_* variables) in the folder `cwd`; this process's environment and folder are put back after.
 * With `giveUpMs`, a command still running then (one that should have refused to start) fails the call,
 * and is left running.
 */
export async function cliInHome(
  args: string[],
  place: { home: string; cwd: string; giveUpMs?: number },
): Promise<CliResult> {
  const saved = { ...process.env };
  const folder = process.cwd();
  for (const key of Object.keys(process.env)) if (DIR_ENV.test(key)) delete process.env[key];
  process.env.HOME = place.home;
  process.chdir(place.cwd);
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = cliInProcess(args);
    if (place.giveUpMs === undefined) return await run;
    const ms = place.giveUpMs;
    return await Promise.race([
      run,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`mcpscope ${args.join(" ")} still runs after ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    process.chdir(folder);
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
