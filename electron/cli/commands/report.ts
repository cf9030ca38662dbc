/**
 * `mcpscope report`: a report over a period as a file. It is a client of the typed API (reports.export),
 * served in this process over the data dir's database, so the file is the one the app and `serve` give.
 */
import { createApiClient } from "../../../shared/api.js";
import { CLIENT_IDS } from "../../../shared/discovery.js";
import {
  REPORT_FORMATS,
  REPORT_PERIODS,
  REPORT_SECTIONS,
  type ReportExportInput,
  reportFilename,
} from "../../../shared/report.js";
import { inProcessTransport } from "../../monitor/api/in-process.js";
import { defaultDiscoveryContext } from "../../monitor/discovery/context.js";
import { discoverServers } from "../../monitor/discovery/discover.js";
import { CLI_MINE_AT_MOST } from "../../monitor/logs/log-reader.js";
import { TemplateAnalyzer } from "../../monitor/logs/template-analyzer.js";
import { checkOutputTarget, outputTarget, writeOutputFile } from "../../monitor/output-file.js";
import { databasePath } from "../../monitor/paths.js";
import { reportRange } from "../../monitor/reports/build.js";
import { reportHandlers } from "../../monitor/reports/handlers.js";
import type { Db } from "../../monitor/store/db.js";
import { knownServers } from "../../monitor/store/known-servers.js";
import { type FlagSpecs, flagList, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { CliIo, Command } from "../io.js";
import { openAtTerminal } from "../open-db.js";
import { recordedDataDir } from "../recorded-dir.js";
import { requireKnown } from "../server-filter.js";
import { progressOnceSlow } from "../slow-progress.js";
import { cleanUpOnStopSignals } from "../stop-signals.js";
import { runReportSchedule, SCHEDULE_FLAGS_BY_USE } from "./report-schedule.js";

const FLAGS: FlagSpecs = {
  since: {
    kind: "string",
    placeholder: "TIME",
    help: "start: a duration back from --until (7d, 24h) or ISO 8601 (default 7d)",
  },
  period: { kind: "string", placeholder: "P", help: "instead of --since: day, week or month (24h, 7d, 30d)" },
  until: { kind: "string", placeholder: "TIME", help: "end (default: now)" },
  server: { kind: "string", placeholder: "NAME", help: "only this server; repeat for several" },
  client: {
    kind: "string",
    placeholder: "ID",
    help: `only the servers of this client (${CLIENT_IDS.slice(0, 4).join(", ")}, …): configured there now or launched by it in the period; the report says which it counted`,
  },
  format: { kind: "string", placeholder: "F", default: "html", help: REPORT_FORMATS.join(", ") },
  section: {
    kind: "string",
    placeholder: "NAME",
    help: `CSV: which table (${REPORT_SECTIONS.join(", ")}; default servers)`,
  },
  paper: { kind: "string", placeholder: "SIZE", help: "PDF: a4 or letter (default a4)" },
  output: {
    kind: "string",
    placeholder: "FILE",
    help: "a file, or a folder for the suggested name in it; - for stdout (default: the suggested name, here)",
  },
  force: { kind: "boolean", help: "replace the --output file if it exists (refused otherwise)" },
};

const EXTRA = `Sections: summary, servers, tools, errors, logs, security and changes, alerts, data; each compared with
the previous period of the same length. Counts equal \`mcpscope stats --json\` for the same range.

Scheduled reports (daily, weekly or monthly, to a folder and alert channels): mcpscope report schedule --help

examples:
  mcpscope report --period week --format pdf
  mcpscope report --since 24h --server files --format md --output -
  mcpscope report --period month --format csv --section tools --output tools.csv`;

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")} (got "${value}")`);
  return value as T;
}

/**
 * Mines the log records no engine has mined yet, as `logs patterns` does, so the report's new log templates
 * are the same whether or not the app or `serve` ran since the lines were written.
 */
function mineLogTemplates(db: Db, io: CliIo): void {
  try {
    if (new TemplateAnalyzer(db).catchUp(CLI_MINE_AT_MOST) >= CLI_MINE_AT_MOST)
      io.stderr.write(
        "report: more log records wait to be mined; new log templates may be missing (run it again, or keep the app or `mcpscope serve` running)\n",
      );
  } catch (error) {
    io.stderr.write(`report: new log templates may be missing (${(error as Error).message})\n`);
  }
}

export const reportCommand: Command = {
  name: "report",
  summary: COMMAND_SUMMARIES.report,
  flags: { report: FLAGS, ...SCHEDULE_FLAGS_BY_USE },
  async run(argv, io) {
    if (argv[0] === "schedule") return runReportSchedule(argv.slice(1), io);
    const args = parseArgs("report", argv, FLAGS, { positionals: 0, sinceFromUntil: true });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope report [--since 7d | --period day|week|month] [--until TIME] [--server NAME]… [--client ID] [--format html|pdf|md|csv|json] [--section NAME] [--paper a4|letter] [--output FILE | FOLDER | -] [--force]",
          this.summary,
          FLAGS,
          EXTRA,
        ),
      );
      return 0;
    }
    const format = oneOf("format", flagString(args, "format") ?? "html", REPORT_FORMATS) ?? "html";
    const section = oneOf("section", flagString(args, "section"), REPORT_SECTIONS);
    if (section && format !== "csv") throw new UsageError("--section applies to --format csv only");
    const paper = oneOf("paper", flagString(args, "paper"), ["a4", "letter"] as const);
    if (paper && format !== "pdf") throw new UsageError("--paper applies to --format pdf only");
    const input: ReportExportInput = {
      format,
      section,
      paper,
      since: flagString(args, "since"),
      until: flagString(args, "until"),
      period: oneOf(
        "period",
        flagString(args, "period"),
        Object.keys(REPORT_PERIODS) as ("day" | "week" | "month")[],
      ),
      servers: flagList(args, "server").length ? flagList(args, "server") : undefined,
      client: oneOf("client", flagString(args, "client"), [...CLIENT_IDS, "manual"]),
    };
    if (input.since && input.period) throw new UsageError("give --since or --period, not both");
    const range = reportRange(input);
    const force = args.flags.force === true;
    const dataDir = recordedDataDir(args);
    const suggested = reportFilename(
      {
        since: new Date(range.since).toISOString(),
        until: new Date(range.until).toISOString(),
        generatedAt: new Date().toISOString(),
      },
      format,
      section,
    );
    checkOutputTarget(flagString(args, "output"), { suggested, force, dataDir });
    const db = openAtTerminal(databasePath(dataDir));
    try {
      const configured = async () =>
        (await discoverServers(await defaultDiscoveryContext(), { dataDir })).servers.map(
          (s) => s.definition,
        );
      // Known as calls, logs and tools know a name: a server mcpscope runs may have no client calls.
      await requireKnown(
        input.servers ?? [],
        knownServers(db),
        async () => (await configured().catch(() => [])).map((d) => d.name),
        "calls",
      );
      mineLogTemplates(db, io);
      const progress = progressOnceSlow((step) => io.stderr.write(`report: reading ${step}…\n`));
      const api = createApiClient(
        inProcessTransport(
          reportHandlers(db, {
            progress,
            clientServers: async (client) =>
              (await configured()).filter((d) => d.client === client).map((d) => d.name),
          }),
        ),
      );
      const file = await api.call("reports.export", input);
      const bytes = Buffer.from(file.content, file.encoding);
      const output = flagString(args, "output");
      if (output === "-") {
        io.stdout.write(bytes);
        return 0;
      }
      const target = outputTarget(output, { suggested: file.filename, force, dataDir });
      await writeOutputFile(target, bytes, { force, onStop: cleanUpOnStopSignals });
      io.stderr.write(`report: wrote ${target.path} (${bytes.length} bytes)\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
