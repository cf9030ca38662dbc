/**
 * The wrapped command line: `LAUNCHER… run --name NAME --client CLIENT --entry ID [--data-dir DIR] -- ORIGINAL…`.
 */
import type { Launcher } from "./launcher.js";
import { ENTRY_FLAG, MARKER_FLAG } from "./marker.js";

export interface WrapOptions {
  name: string;
  client: string;
  /** The entry's id (ENTRY_FLAG in marker.ts). */
  entry: string;
  /** Written only when the wrapper should not use its default data dir. */
  dataDir?: string;
  launcher: Launcher;
}

export interface WrappedCommand {
  command: string;
  args: string[];
  /** Variables to add to the entry's env. */
  env?: Record<string, string>;
}

/** A flag of `run` and its value: `--name=VALUE` when the value looks like a flag itself. */
export function cliFlag(name: string, value: string): string[] {
  return value.startsWith("-") ? [`${name}=${value}`] : [name, value];
}

export function wrapCommand(
  original: { command: string; args: string[] },
  opts: WrapOptions,
): WrappedCommand {
  const args = [
    ...opts.launcher.args,
    "run",
    ...cliFlag("--name", opts.name),
    ...cliFlag(MARKER_FLAG, opts.client),
    ...cliFlag(ENTRY_FLAG, opts.entry),
    ...(opts.dataDir ? cliFlag("--data-dir", opts.dataDir) : []),
    "--",
    original.command,
    ...original.args,
  ];
  const env = Object.keys(opts.launcher.env).length ? { ...opts.launcher.env } : undefined;
  return env ? { command: opts.launcher.command, args, env } : { command: opts.launcher.command, args };
}
