import { listedTime } from "../../../shared/listed-time.js";
import type { StorageInfo } from "../../../shared/storage.js";
import { formatBytes } from "../../monitor/alerts/template.js";
import { databasePath } from "../../monitor/paths.js";
import { iso } from "../../monitor/time.js";
import { withStoreApi } from "../api-client.js";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { Command } from "../io.js";
import { recordedDataDir } from "../recorded-dir.js";
import { renderTable } from "../table.js";

const FLAGS: FlagSpecs = {
  json: {
    kind: "boolean",
    help: "print one JSON document (info: the storage document; check: {ok, problems, schemaVersion})",
  },
};

const USAGE = "mcpscope db info [--json] | mcpscope db check [--json]";

export const dbCommand: Command = {
  name: "db",
  summary: COMMAND_SUMMARIES.db,
  flags: { db: FLAGS },
  async run(argv, io) {
    const args = parseArgs("db", argv, FLAGS, { subcommands: { info: {}, check: {} } });
    const sub = args.positionals[0];
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          USAGE,
          this.summary,
          FLAGS,
          "check runs SQLite's full integrity_check and exits 0 when the database is sound, 1 listing what is\nwrong. A damaged database is moved aside (mcpscope.db.corrupt-<time>) and replaced by a fresh one\nwhen the app or `mcpscope serve` starts; `mcpscope restore` brings back a backup.",
        ),
      );
      return 0;
    }
    if (sub !== "info" && sub !== "check")
      throw new UsageError(`unknown db command "${sub}"; use \`db info\` or \`db check\``);
    const dataDir = recordedDataDir(args);
    const path = databasePath(dataDir);
    if (sub === "check") {
      const result = await withStoreApi(args, (api) => api.call("storage.check", { full: true }));
      if (args.flags.json) io.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.ok) io.stdout.write(`${path}: ok (schema version ${result.schemaVersion})\n`);
      else io.stdout.write(`${path}: damaged\n${result.problems.map((p) => `  ${p}`).join("\n")}\n`);
      return result.ok ? 0 : 1;
    }
    {
      const info = await withStoreApi(args, (api) => api.call("storage.info", {}));
      if (args.flags.json) {
        io.stdout.write(`${JSON.stringify(info)}\n`);
        return 0;
      }
      const f = info.files;
      const lines = [
        `${info.database} (schema version ${info.schemaVersion})`,
        `files: database ${formatBytes(f.database)}, wal ${formatBytes(f.wal)}, other files in the data dir ${formatBytes(f.other)}; ${formatBytes(info.freeBytes)} free inside the database`,
        `calls: ${info.calls ?? "unreadable (damaged pages)"}; bytes per stored call: ${info.bytesPerCall === null ? "—" : formatBytes(info.bytesPerCall)}; growth per day: ${info.growthPerDay === null ? "— (under a day of data)" : formatBytes(info.growthPerDay)}`,
        `data from ${info.oldest === null ? "—" : shown(info.oldest)} to ${info.newest === null ? "—" : shown(info.newest)}`,
        `last integrity check: ${integrityLine(info.lastCheck)}`,
        `last backup: ${info.lastBackup ? `${info.lastBackup.file} (${shown(info.lastBackup.time)}, ${formatBytes(info.lastBackup.bytes)})` : "none"}`,
        ...(info.backupNotice ? [`backups: ${info.backupNotice}`] : []),
        ...(info.lastSizePrune
          ? [`last pruned for size: ${shown(info.lastSizePrune.time)}: ${info.lastSizePrune.message}`]
          : []),
        ...(info.runtime.copies > 0 ? [`copies of the CLI: ${runtimeLine(info.runtime)}`] : []),
        "",
        renderTable(
          ["TABLE", "ROWS", "SIZE"],
          info.tables.map((t) => [t.name, t.rows ?? "unreadable", formatBytes(t.bytes)]),
          [1, 2],
        ),
      ];
      if (info.recovery)
        lines.unshift(
          `recovered ${shown(info.recovery.time)}: the damaged database is at ${info.recovery.movedTo}`,
        );
      io.stdout.write(`${lines.join("\n")}\n`);
      return 0;
    }
  },
};

/** The newest recorded check, in one line. */
function integrityLine(check: StorageInfo["lastCheck"]): string {
  if (!check) return "none recorded yet (the engine checks in the background)";
  const where = check.when === "start" ? "at open" : "in the background";
  return check.ok
    ? `ok, ${shown(check.time)} (${where})`
    : `DAMAGE FOUND ${shown(check.time)} (${where}): ${check.problems.slice(0, 2).join("; ")}; restart the app or \`mcpscope serve\` to move the file aside`;
}

/** The runtime folder in a few words: `2 in DIR (15.0 MB), kept while an entry or a wrapper runs them`. */
export function runtimeLine(runtime: StorageInfo["runtime"]): string {
  return `${runtime.copies} in ${runtime.dir} (${formatBytes(runtime.bytes)}); one that no entry and no running wrapper uses is removed a day after its last use`;
}

/** A time in ms as listings print it. */
function shown(ms: number): string {
  return listedTime(iso(ms));
}
