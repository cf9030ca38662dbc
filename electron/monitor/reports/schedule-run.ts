/**
 * One run of a schedule: the report for the period that ends at the due time, written to the schedule's
 * folder (owner-only files) and handed to the alert outbox for each channel, which delivers and retries
 * it as it does alerts. The run is recorded with where each copy went; a channel's outcome is read from
 * its outbox row when runs are listed, so retries show up without the run being written again.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Report, ReportFile, ReportFormat } from "../../../shared/report.js";
import type { ReportDestination, ReportSchedule } from "../../../shared/report-schedules.js";
import { changeText, formatCell, SUMMARY_ROWS } from "../../../shared/report-tables.js";
import { NO_PREVIOUS_CALLS, nothingToCompare } from "../../../shared/report-words.js";
import type { AlertNotification } from "../alerts/channels/channel.js";
import { enqueue } from "../alerts/outbox.js";
import { MonitoringError } from "../errors.js";
import { makeDirs } from "../make-dirs.js";
import { saveOutputFile } from "../output-file.js";
import type { Db } from "../store/db.js";
import { knownServers, requireKnown, unknownServers } from "../store/known-servers.js";
import { PRIVATE_DIR_MODE } from "../store/private-files.js";
import { iso } from "../time.js";
import { type BuildOptions, buildReport } from "./build.js";
import { renderReport } from "./render/index.js";
import { scheduledPeriod } from "./schedule-time.js";

export interface RunContext {
  db: Db;
  /** The data dir: its database is never a report's target. */
  dataDir: string;
  build: Omit<BuildOptions, "now">;
  /** A channel's type by name (from alerts.yaml): email gets the HTML and the PDF. */
  channelType(name: string): string | undefined;
  /** The server names the MCP clients' configs give (a server may be configured and never have run). */
  configuredServers?: () => Promise<string[]>;
  now(): number;
}

/**
 * Whether the servers a saved schedule adds to its scope are known to the store or the configs; what to
 * say when one is not. A name the schedule being replaced already had is not asked about again (it may
 * have left retention since), so the schedule can still be edited or disabled.
 */
export async function checkServerScope(
  ctx: Pick<RunContext, "db" | "configuredServers">,
  servers: readonly string[] | undefined,
  already: readonly string[] = [],
): Promise<void> {
  const added = (servers ?? []).filter((s) => !already.includes(s));
  if (!added.length) return;
  await requireKnown(
    added,
    knownServers(ctx.db),
    async () => (ctx.configuredServers ? await ctx.configuredServers().catch(() => []) : []),
    "calls",
  );
}

/** Runs kept per schedule; older ones are dropped as new ones are recorded. */
export const RUNS_KEPT = 200;

export function expandFolder(folder: string): string {
  return resolve(folder === "~" || folder.startsWith("~/") ? join(homedir(), folder.slice(1)) : folder);
}

/** The headline figures a scheduled report's channel copy gives, in this order. */
const SUMMARY_KEYS = [
  "calls",
  "errorRate",
  "p95",
  "activeServers",
  "availabilityPct",
  "alertsFired",
  "securityFindings",
] as const;

/**
 * `Calls: 1,234 (+12% on the previous period)`, `Error rate: 40.11% (+3.12 pp on the previous period)`, one
 * per headline figure, formatted as the report's cells; `Calls: 5 (no calls recorded in the previous period)`
 * when there is nothing to compare with.
 */
export function summaryLines(report: Report): string[] {
  const s = report.summary;
  return [
    `Period: ${report.since} to ${report.until}`,
    ...SUMMARY_KEYS.map((key) => {
      const { label, unit } = SUMMARY_ROWS.find((r) => r.key === key) ?? {
        label: key,
        unit: "text" as const,
      };
      const c = s[key];
      const delta = changeText(c, unit);
      const versus =
        delta !== null
          ? ` (${delta} on the previous period)`
          : nothingToCompare(key, c)
            ? ` (${NO_PREVIOUS_CALLS})`
            : "";
      return `${label}: ${c.value === null ? "no data" : formatCell(c.value, unit)}${versus}`;
    }),
  ];
}

function title(schedule: ReportSchedule, report: Report): string {
  const day = (t: string) => t.slice(0, 10);
  return `mcpscope ${schedule.name} report: ${day(report.since)} to ${day(report.until)}`;
}

/** Builds, writes and enqueues one run; returns the run's id. Never throws: a failure is recorded. */
export async function runSchedule(ctx: RunContext, schedule: ReportSchedule, dueAt: number): Promise<number> {
  const startedAt = ctx.now();
  const destinations: ReportDestination[] = [];
  let report: Report | null = null;
  let error: string | null = null;
  try {
    // A scope that names no server mcpscope knows would deliver an all-zero report: a false all-clear.
    if (schedule.servers?.length) {
      const configured = ctx.configuredServers ?? (async () => []);
      // Configs that cannot be read now (one half saved) say nothing against the scope: the run goes on.
      const unknown = await unknownServers(schedule.servers, knownServers(ctx.db), configured).catch(
        () => [],
      );
      if (unknown.length === schedule.servers.length)
        throw MonitoringError.input(
          `no server in its scope (${schedule.servers.join(", ")}) has recorded anything or is configured; fix the schedule's servers`,
        );
    }
    const period = scheduledPeriod(schedule, dueAt);
    report = await buildReport(
      ctx.db,
      {
        since: iso(period.since),
        until: iso(period.until),
        servers: schedule.servers,
        client: schedule.client,
      },
      { ...ctx.build, now: dueAt },
    );
  } catch (e) {
    error = `the report could not be made: ${(e as Error).message.split("\n")[0]}`;
  }
  if (report) {
    try {
      await deliver(ctx, schedule, report, destinations);
    } catch (e) {
      error = `the report could not be rendered: ${(e as Error).message.split("\n")[0]}`;
    }
  }
  return recordRun(ctx.db, schedule, dueAt, startedAt, error, destinations);
}

async function deliver(
  ctx: RunContext,
  schedule: ReportSchedule,
  report: Report,
  destinations: ReportDestination[],
): Promise<void> {
  {
    const files = new Map<string, ReportFile>();
    const render = async (format: ReportFormat) => {
      let file = files.get(format);
      if (!file) {
        file = await renderReport(report, { format });
        files.set(format, file);
      }
      return file;
    };
    const written: string[] = [];
    if (schedule.folder !== undefined) {
      const folder = expandFolder(schedule.folder);
      for (const format of schedule.formats) {
        let path = join(folder, `${schedule.name}-${format}`);
        try {
          const file = await render(format);
          path = join(folder, `${schedule.name}-${file.filename}`);
          makeDirs(folder, PRIVATE_DIR_MODE);
          await saveOutputFile(path, Buffer.from(file.content, file.encoding), ctx.dataDir);
          written.push(path);
          destinations.push(folderDestination(path, null));
        } catch (e) {
          // The writer's own errors name the file and say that nothing was changed.
          const message = (e as Error).message;
          const said = e instanceof MonitoringError ? message : `cannot write ${path}: ${message}`;
          destinations.push(folderDestination(path, said));
        }
      }
    }
    const needsFiles = schedule.channels.some((c) => ctx.channelType(c) === "email");
    const html = needsFiles ? (await render("html")).content : undefined;
    const pdf = needsFiles ? await render("pdf") : undefined;
    const at = ctx.now();
    for (const channel of schedule.channels) {
      const notification: AlertNotification = {
        version: "1",
        status: "report",
        severity: "info",
        receiver: channel,
        groupKey: `report:${schedule.name}`,
        groupLabels: { schedule: schedule.name },
        title: title(schedule, report),
        alerts: [],
        createdAt: iso(at),
        report: {
          schedule: schedule.name,
          summary: summaryLines(report),
          document: report,
          files: written,
          fileName: pdf?.filename ?? `${schedule.name}.pdf`,
          ...(ctx.channelType(channel) === "email" ? { html, pdfBase64: pdf?.content } : {}),
        },
      };
      const deliveryId = enqueue(ctx.db, channel, "report", notification, at);
      destinations.push({
        kind: "channel",
        target: channel,
        status: "pending",
        error: null,
        deliveryId,
        attempts: 0,
      });
    }
  }
}

function folderDestination(path: string, error: string | null): ReportDestination {
  return {
    kind: "folder",
    target: path,
    status: error ? "failed" : "delivered",
    error,
    deliveryId: null,
    attempts: 1,
  };
}

function recordRun(
  db: Db,
  schedule: ReportSchedule,
  dueAt: number,
  startedAt: number,
  error: string | null,
  destinations: ReportDestination[],
): number {
  const { since } = scheduledPeriod(schedule, dueAt);
  let id = 0;
  db.transaction(() => {
    const result = db
      .prepare(
        `INSERT INTO report_runs (schedule, due_at, started_at, since, until, formats, error, destinations)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        schedule.name,
        dueAt,
        startedAt,
        since,
        dueAt,
        JSON.stringify(schedule.formats),
        error,
        JSON.stringify(destinations),
      );
    id = Number(result.lastInsertRowid);
    db.prepare(
      "DELETE FROM report_runs WHERE schedule = ? AND id <= (SELECT id FROM report_runs WHERE schedule = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
    ).run(schedule.name, schedule.name, RUNS_KEPT);
  });
  return id;
}
