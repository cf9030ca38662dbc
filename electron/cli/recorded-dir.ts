/**
 * The data dir of a command that reads what was recorded. A dir named with --data-dir or MCPSCOPE_HOME
 * that does not exist is a typo, not an empty history: reading it would create an empty database there
 * and answer "nothing recorded", so it is refused in one line instead.
 */
import { existsSync } from "node:fs";
import { MonitoringError } from "../monitor/errors.js";
import { resolveDataDir } from "../monitor/paths.js";
import { flagString, type ParsedArgs } from "./args.js";

export function recordedDataDir(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): string {
  const flag = flagString(args, "data-dir");
  const dataDir = resolveDataDir(flag, env);
  const named = flag ? "--data-dir" : env.MCPSCOPE_HOME ? "MCPSCOPE_HOME" : null;
  if (named && !existsSync(dataDir))
    throw MonitoringError.input(
      `no data dir at ${dataDir} (from ${named}): nothing was recorded there; check the path`,
    );
  return dataDir;
}
