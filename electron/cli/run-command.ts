/** Runs one command with the CLI's error contract: usage errors exit 2, other failures 1, one line each. */
import { MonitoringError } from "../monitor/errors.js";
import { UsageError } from "./args.js";
import type { CliIo, Command } from "./io.js";

export async function runCommandSafely(command: Command, argv: string[], io: CliIo): Promise<number> {
  try {
    return await command.run(argv, io);
  } catch (error) {
    io.stderr.write(`mcpscope ${command.name}: ${(error as Error).message ?? String(error)}\n`);
    if (error instanceof UsageError) return 2;
    if (error instanceof MonitoringError) return 1;
    return 1;
  }
}
