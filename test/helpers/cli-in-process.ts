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

/** `mcpscope <args> --json` in process, parsed; a non-zero status throws with what it printed. */
export async function cliJsonInProcess<T>(args: string[]): Promise<T> {
  const { status, stdout, stderr } = await cliInProcess([...args, "--json"]);
  if (status !== 0) throw new Error(`mcpscope ${args.join(" ")} exited with ${status}: ${stderr}`);
  return JSON.parse(stdout) as T;
}
