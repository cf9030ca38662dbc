import { listedTime } from "../../../shared/listed-time.js";
import type { InstrumentedEntry } from "../../../shared/servers.js";
import { entryPickFlags, listedPlace } from "../../monitor/api/entry-pick.js";
import { launcherGoneMessage, launcherOtherMessage } from "../../monitor/instrument/instrument-status.js";
import { otherInstallText } from "../../monitor/instrument/other-install.js";
import { withStoreApi } from "../api-client.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { Command } from "../io.js";
import { renderTable } from "../table.js";
import { HOME_FLAG, underHome } from "./instrument.js";

const FLAGS: FlagSpecs = {
  home: { ...HOME_FLAG, help: "only the entries in configs under DIR" },
  json: {
    kind: "boolean",
    help: 'print {"entries": [{"client", "server", "scope", "project", "file", "instrumented_at", "in_place", "launcher_gone", "launcher_other"}]}',
  },
};

export const instrumentedCommand: Command = {
  name: "instrumented",
  summary: COMMAND_SUMMARIES.instrumented,
  flags: { instrumented: FLAGS },
  async run(argv, io) {
    const args = parseArgs("instrumented", argv, FLAGS, { positionals: 0 });
    if (args.flags.help) {
      io.stdout.write(formatHelp("mcpscope instrumented [--home DIR] [--json]", this.summary, FLAGS));
      return 0;
    }
    const home = flagString(args, "home");
    const recorded = await withStoreApi(args, (api) => api.call("instrument.records", {}));
    const rows = recorded.filter((r) => !home || underHome(r.file, home));
    if (args.flags.json) {
      const entries = rows.map((entry) => ({
        client: entry.client,
        server: entry.server,
        scope: entry.scope,
        project: entry.project,
        file: entry.file,
        instrumented_at: entry.instrumentedAt,
        in_place: entry.inPlace,
        launcher_gone: entry.launcherGone,
        launcher_other: entry.launcherOther,
      }));
      io.stdout.write(`${JSON.stringify({ entries }, null, 2)}\n`);
      return 0;
    }
    if (rows.length === 0) {
      io.stdout.write(
        "nothing is instrumented; `mcpscope instrument --client ID --server NAME` wraps a server\n",
      );
      return 0;
    }
    const state = ({ inPlace, exact, problem, launcherGone, launcherOther }: InstrumentedEntry) => {
      if (problem) return `no (${problem})`;
      if (!inPlace) return "no (lost: instrument it again)";
      if (launcherGone) return "broken (mcpscope gone)";
      if (launcherOther?.older) return "not recording (older mcpscope)";
      if (launcherOther) return `yes (${otherInstallText(launcherOther)})`;
      return exact ? "yes" : "yes (entry edited since)";
    };
    io.stdout.write(
      `${renderTable(
        ["CLIENT", "SERVER", "SCOPE", "WRAPPED", "SINCE", "FILE"],
        rows.map((entry) => [
          entry.client,
          entry.server,
          entry.project ? `${entry.scope} (${entry.project})` : (entry.scope ?? "-"),
          state(entry),
          listedTime(entry.instrumentedAt),
          entry.file,
        ]),
      )}\n`,
    );
    // Said in full below the table: a column cannot hold the path and the command that repairs.
    const dataDir = flagString(args, "data-dir");
    for (const entry of rows.filter((r) => r.inPlace && (r.launcherGone || r.launcherOther))) {
      const where = `${entry.server} (${entry.client}) in ${entry.file}`;
      // Re-pointed one by one: another install may be newer, or chosen, for the other entries.
      const pick = () => entryPickFlags(listedPlace(entry), recorded.map(listedPlace));
      io.stdout.write(
        `${entry.launcherGone ? launcherGoneMessage(where, entry.launcherGone, dataDir) : launcherOtherMessage(where, entry.launcherOther!, dataDir, pick())}\n`,
      );
    }
    return 0;
  },
};
