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
