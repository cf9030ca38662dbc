/**
 * `mcpscope report schedule`: list, add and remove scheduled reports, and show their runs. A client of the
 * typed API (reports.schedules.*, reports.runs) served in this process over the data dir; the running app
 * or `serve` picks a change up at its next tick, since the schedules live in settings.json.
 */
import { resolve } from "node:path";
import { createApiClient } from "../../../shared/api.js";
import { listedTime } from "../../../shared/listed-time.js";
import { REPORT_FORMATS } from "../../../shared/report.js";
import { type ReportScheduleInput, WEEKDAYS } from "../../../shared/report-schedules.js";
import { loadAlertConfig } from "../../monitor/alerts/loaded-config.js";
import { inProcessTransport } from "../../monitor/api/in-process.js";
import { localActor } from "../../monitor/audit/admin.js";
import { defaultDiscoveryContext } from "../../monitor/discovery/context.js";
import { discoverServers } from "../../monitor/discovery/discover.js";
import { databasePath } from "../../monitor/paths.js";
import { scheduleHandlers } from "../../monitor/reports/schedule-handlers.js";
import { ReportScheduler } from "../../monitor/reports/scheduler.js";
import { migrate } from "../../monitor/store/migrations.js";
import { callWithFlags } from "../api-input.js";
import {
  type ArgShape,
  type FlagSpecs,
  flagList,
  flagString,
  flagsBySubcommand,
  formatHelp,
  parseArgs,
  UsageError,
} from "../args.js";
import { type CliIo, printOutcome } from "../io.js";
import { openAtTerminal } from "../open-db.js";
import { recordedDataDir } from "../recorded-dir.js";
import { renderTable } from "../table.js";

export const SCHEDULE_FLAGS: FlagSpecs = {
  period: { kind: "string", placeholder: "P", help: "add: day, week or month" },
  at: { kind: "string", placeholder: "HH:MM", help: "add: local time of day (24-hour)" },
  weekday: { kind: "string", placeholder: "DAY", help: `add, weekly: ${WEEKDAYS.join(", ")} (default mon)` },
  day: { kind: "string", placeholder: "N", help: "add, monthly: day of the month, 1 to 28 (default 1)" },
  format: {
    kind: "string",
    placeholder: "F",
    help: `add: ${REPORT_FORMATS.join(", ")}; repeat for several (default html)`,
  },
  folder: { kind: "string", placeholder: "DIR", help: "add: write the files here" },
  channel: { kind: "string", placeholder: "NAME", help: "add: send through this alert channel; repeat" },
  server: { kind: "string", placeholder: "NAME", help: "add: only this server; repeat" },
  client: { kind: "string", placeholder: "ID", help: "add: only the servers of this client" },
  disabled: { kind: "boolean", help: "add: keep the schedule without running it" },
  replace: { kind: "boolean", help: "add: replace a schedule of the same name (refused otherwise)" },
  schedule: { kind: "string", placeholder: "NAME", help: "runs: only this schedule's runs" },
  json: { kind: "boolean", help: "list, runs: print one JSON document" },
};

const SUBCOMMANDS: ArgShape = {
  subcommands: {
    list: { flags: ["json"] },
    add: {
      positionals: 1,
      flags: [
        "period",
        "at",
        "weekday",
        "day",
        "format",
        "folder",
        "channel",
        "server",
        "client",
        "disabled",
        "replace",
      ],
    },
    remove: { positionals: 1, flags: [] },
    runs: { flags: ["schedule", "json"] },
  },
};

/** The schedule flags by subcommand (`report schedule runs`: schedule, json). */
export const SCHEDULE_FLAGS_BY_USE = flagsBySubcommand("report schedule", SCHEDULE_FLAGS, SUBCOMMANDS);

const USAGE = [
  "mcpscope report schedule list [--json]",
  "       mcpscope report schedule add NAME --period P --at HH:MM [--weekday DAY] [--day N] [--format F]… [--folder DIR] [--channel NAME]… [--server NAME]… [--client ID] [--disabled] [--replace]",
  "       mcpscope report schedule remove NAME",
  "       mcpscope report schedule runs [--schedule NAME] [--json]",
].join("\n");

const EXTRA = `Schedules live under "reports.schedules" in settings.json; the running app or \`mcpscope serve\` runs
them. Each run covers the time since the schedule was last due (a monthly run on the 1st: the previous
calendar month), so its runs tile time with no gap or overlap. A schedule missed while no engine ran runs once
at the next start. Channel copies go through the alert outbox: retried like alerts, each attempt
listed in the app's Alerts → Deliveries.

examples:
  mcpscope report schedule add weekly --period week --weekday mon --at 08:00 --format pdf --channel team-mail
  mcpscope report schedule add nightly --period day --at 02:30 --format html --format json --folder ~/reports
  mcpscope report schedule runs --json`;

export async function runReportSchedule(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs("report schedule", argv, SCHEDULE_FLAGS, SUBCOMMANDS);
  if (args.flags.help) {
    io.stdout.write(
      formatHelp(USAGE, "scheduled reports: list, add, remove, and their runs", SCHEDULE_FLAGS, EXTRA),
    );
    return 0;
  }
  const [action, name] = args.positionals;
  const dataDir = recordedDataDir(args);
  const db = openAtTerminal(databasePath(dataDir));
  try {
    migrate(db);
    const scheduler = new ReportScheduler({
      dataDir,
      db,
      build: {},
      configuredServers: async () =>
        (await discoverServers(await defaultDiscoveryContext(), { dataDir })).servers.map(
          (s) => s.definition.name,
        ),
      channelType: (c) => loadAlertConfig(dataDir).config.channels.find((x) => x.name === c)?.type,
      warn: (problem) => io.stderr.write(`mcpscope report schedule: ${problem}\n`),
      actor: localActor(),
    });
    const api = createApiClient(inProcessTransport(scheduleHandlers(scheduler)));
    const json = args.flags.json === true;
    switch (action) {
      case "list": {
        const { schedules, problem } = await api.call("reports.schedules.list", {});
        if (problem) io.stderr.write(`mcpscope report schedule: ${problem}\n`);
        if (json) io.stdout.write(`${JSON.stringify({ schedules, problem })}\n`);
        else if (!schedules.length)
          io.stdout.write("no scheduled reports; add one with `mcpscope report schedule add`\n");
        else
          io.stdout.write(
            `${renderTable(
              ["NAME", "WHEN", "FORMATS", "TO", "NEXT RUN"],
              schedules.map(({ schedule: s, nextRunAt }) => [
                s.name,
                when(s),
                s.formats.join(","),
                [...(s.folder ? [s.folder] : []), ...s.channels].join(", "),
                nextRunAt ? listedTime(nextRunAt) : "disabled",
              ]),
            )}\n`,
          );
        return 0;
      }
      case "add": {
        if (!name)
          throw new UsageError("name the schedule: mcpscope report schedule add NAME --period P --at HH:MM");
        const input = scheduleInput(name, args);
        checkChannels(flagList(args, "channel"), dataDir);
        const existing = (await api.call("reports.schedules.list", {})).schedules;
        if (!args.flags.replace && existing.some((s) => s.schedule.name === name)) {
          io.stderr.write(
            `mcpscope report: a schedule named ${name} exists; pass --replace to replace it, or pick another name\n`,
          );
          return 1;
        }
        return printOutcome(
          io,
          "report",
          await callWithFlags(api, "reports.schedules.put", input, INPUT_FLAGS),
        );
      }
      case "remove": {
        if (!name) throw new UsageError("name the schedule: mcpscope report schedule remove NAME");
        return printOutcome(io, "report", await api.call("reports.schedules.delete", { name }));
      }
      case "runs": {
        const runs = await api.call("reports.runs", { schedule: flagString(args, "schedule"), limit: 50 });
        if (json) io.stdout.write(`${JSON.stringify({ runs })}\n`);
        else if (!runs.length) io.stdout.write("no runs yet\n");
        else
          io.stdout.write(
            `${renderTable(
              ["DUE", "SCHEDULE", "OUTCOME", "WHERE"],
              runs.map((r) => [
                r.dueAt,
                r.schedule,
                r.outcome,
                r.error ??
                  r.destinations
                    .map((d) => `${d.target}: ${d.status}${d.error ? ` (${d.error})` : ""}`)
                    .join("; "),
              ]),
            )}\n`,
          );
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action}": list, add, remove or runs`);
    }
  } finally {
    db.close();
  }
}

/** The schedule's keys as the flags that set them, so that a refused value names the flag typed. */
const INPUT_FLAGS: Record<string, string> = {
  period: "period",
  at: "at",
  weekday: "weekday",
  dayOfMonth: "day",
  formats: "format",
  folder: "folder",
  channels: "channel",
  servers: "server",
  client: "client",
};

/**
 * A channel alerts.yaml does not define would fail at every run: refuse it now, as Alertmanager refuses
 * a route to an unknown receiver. When alerts.yaml cannot be read its channels are unknown: the run says.
 */
function checkChannels(channels: string[], dataDir: string): void {
  if (!channels.length) return;
  const loaded = loadAlertConfig(dataDir);
  if (loaded.problem) return;
  const known = ["desktop", ...loaded.config.channels.map((c) => c.name)];
  const unknown = channels.find((c) => !known.includes(c));
  if (unknown !== undefined)
    throw new UsageError(
      `--channel: no channel named "${unknown}"; known: ${known.join(", ")} (channels are defined in ${loaded.path})`,
    );
}

function when(s: ReportScheduleInput): string {
  if (s.period === "week") return `weekly ${s.weekday ?? "mon"} ${s.at}`;
  if (s.period === "month") return `monthly day ${s.dayOfMonth ?? 1} ${s.at}`;
  return `daily ${s.at}`;
}

function scheduleInput(name: string, args: ReturnType<typeof parseArgs>): Record<string, unknown> {
  const period = flagString(args, "period");
  const at = flagString(args, "at");
  if (!period || !at) throw new UsageError("add needs --period (day, week or month) and --at HH:MM");
  const day = flagString(args, "day");
  const folder = flagString(args, "folder");
  const dayOfMonth = day === undefined ? undefined : Number(day);
  if (dayOfMonth !== undefined && !(Number.isInteger(dayOfMonth) && dayOfMonth >= 1 && dayOfMonth <= 28))
    throw new UsageError(`--day: use a day of the month from 1 to 28, which every month has (not "${day}")`);
  // `Fri` and `FRI` are the same day as `fri`.
  const weekday = flagString(args, "weekday")?.toLowerCase();
  if (weekday !== undefined && !(WEEKDAYS as readonly string[]).includes(weekday))
    throw new UsageError(`--weekday: use ${WEEKDAYS.join(", ")} (not "${weekday}")`);
  // A day that the period does not use would be dropped without a word: said instead.
  if (day !== undefined && period !== "month")
    throw new UsageError(
      `--day is for --period month${period === "week" ? "; a weekly schedule takes --weekday" : ""}`,
    );
  if (weekday !== undefined && period !== "week")
    throw new UsageError(`--weekday is for --period week, not --period ${period}`);
  const list = (flag: string) => (flagList(args, flag).length ? flagList(args, flag) : undefined);
  if (folder === undefined && !list("channel"))
    throw new UsageError(
      "add needs somewhere to deliver: --folder DIR, or --channel NAME (repeat for several)",
    );
  return {
    name,
    period,
    at,
    weekday,
    dayOfMonth,
    formats: list("format"),
    // The engine runs elsewhere: a relative folder means here, not its working folder.
    folder: folder === undefined || folder.startsWith("~") ? folder : resolve(folder),
    channels: list("channel"),
    servers: list("server"),
    client: flagString(args, "client"),
    enabled: args.flags.disabled ? false : undefined,
  };
}
