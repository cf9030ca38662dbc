/**
 * `mcpscope instrument --repair`: points wrapped entries at this mcpscope, for when the install they run
 * has moved or gone (an npx cache cleaned, a Node version uninstalled, an AppImage deleted), one entry at a
 * time, each after a backup, as `instrument` edits. `--client`, `--server`, `--file`, `--scope`,
 * `--project` and `--home` keep the entries they name, as for `uninstrument`.
 */
import type { RepairResult } from "../../../shared/servers.js";
import { runtimePruneText } from "../../monitor/store/storage-events.js";
import { withStoreApi } from "../api-client.js";
import { callWithFlags } from "../api-input.js";
import { flagString, type ParsedArgs, UsageError } from "../args.js";
import type { CliIo } from "../io.js";
import { parseClientId, pickInput } from "./instrument.js";

type Entry = RepairResult["entries"][number];

function said(entry: Entry): string {
  const who = `${entry.server} (${entry.client}) in ${entry.file}`;
  if (entry.status === "unchanged") return `${who}: already runs this mcpscope\n`;
  const why = entry.gone ? `the mcpscope it ran (${entry.gone}) is gone` : "it ran another mcpscope";
  return [
    `repaired ${who}: ${why}`,
    `  was: ${entry.was}`,
    `  now: ${entry.now}`,
    `  backup: ${entry.backup}`,
    "",
  ].join("\n");
}

export async function runRepair(args: ParsedArgs, io: CliIo): Promise<number> {
  const client = flagString(args, "client");
  const input = {
    ...(client === undefined ? {} : { client: parseClientId(client) }),
    server: flagString(args, "server"),
    ...pickInput(args),
    home: flagString(args, "home"),
  };
  if (input.server === "") throw new UsageError("--server: name a server, or leave it out to repair all");
  const { entries, pruned } = await withStoreApi(
    args,
    (api) =>
      callWithFlags(api, "instrument.repair", input, {
        file: "file",
        scope: "scope",
        project: "project",
        home: "home",
        server: "server",
      }),
    { asIs: ["file"] },
  );
  if (args.flags.json) io.stdout.write(`${JSON.stringify({ entries, pruned }, null, 2)}\n`);
  else if (entries.length === 0)
    io.stdout.write(
      "nothing instrumented matches; no config was changed (`mcpscope instrumented` lists them)\n",
    );
  const clients = new Set<string>();
  for (const entry of entries) {
    // Each failure says whose it is (most already name the entry).
    const error = entry.error?.includes(entry.server)
      ? entry.error
      : `${entry.server} (${entry.client}): ${entry.error}`;
    if (entry.error) io.stderr.write(`mcpscope instrument: ${error}\n`);
    else if (!args.flags.json) io.stdout.write(said(entry));
    if (entry.warning)
      io.stderr.write(
        `mcpscope instrument: ${entry.server} (${entry.client}) in ${entry.file} was repaired, but ${entry.warning}\n`,
      );
    if (entry.status === "repaired") clients.add(entry.client);
  }
  if (clients.size && !args.flags.json)
    io.stdout.write(`restart ${[...clients].join(", ")} to pick up the change\n`);
  const prunedLine = pruned && runtimePruneText(pruned);
  if (prunedLine && !args.flags.json) io.stdout.write(`${prunedLine}\n`);
  return entries.some((e) => e.error || e.warning) ? 1 : 0;
}
