/**
 * The `reports.schedules` key of `<dataDir>/settings.json`, read at every scheduler tick (so a hand edit
 * takes effect without a restart) and changed by the app or the CLI schedule by schedule, keeping every
 * other key as it is. A schedule that does not parse is left out and named in `problem`; the others run.
 */
import { type ReportSchedule, ReportScheduleSchema } from "../../../shared/report-schedules.js";
import { MonitoringError } from "../errors.js";
import { readSettingsDocument, readSettingsForUpdate } from "../settings-document.js";
import { writeSettingsDocument } from "../settings-write.js";

export interface SchedulesRead {
  schedules: ReportSchedule[];
  problem: string | null;
}

function rawSchedules(settings: Record<string, unknown>): unknown[] {
  const reports = settings.reports as { schedules?: unknown } | undefined;
  return Array.isArray(reports?.schedules) ? reports.schedules : [];
}

/** While settings.json does not parse (half-saved), the schedules it last held go on. */
export function readSchedules(dataDir: string): SchedulesRead {
  const { document: settings, problem } = readSettingsDocument(dataDir);
  if (!settings) return { schedules: [], problem: `${problem}; no schedules run until then` };
  const schedules: ReportSchedule[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  rawSchedules(settings).forEach((raw, index) => {
    const parsed = ReportScheduleSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `.${issue.path.join(".")}` : "";
      problems.push(`reports.schedules[${index}]${where}: ${issue?.message ?? "invalid"}`);
    } else if (seen.has(parsed.data.name)) {
      problems.push(`reports.schedules[${index}]: a second schedule named ${parsed.data.name}`);
    } else {
      seen.add(parsed.data.name);
      schedules.push(parsed.data);
    }
  });
  const lines = [problem, problems.length ? `settings.json: ${problems.join("; ")}; left out` : null];
  return { schedules, problem: lines.filter(Boolean).join("; ") || null };
}

async function update(
  dataDir: string,
  change: (schedules: unknown[]) => unknown[],
  actor: string,
): Promise<void> {
  const settings = readSettingsForUpdate(dataDir, "changing schedules here");
  const reports = { ...((settings.reports as Record<string, unknown> | undefined) ?? {}) };
  reports.schedules = change(rawSchedules(settings));
  const next = { ...settings, reports };
  await writeSettingsDocument(dataDir, next, actor);
}

const nameOf = (raw: unknown) => (raw as { name?: unknown } | null)?.name;

/** Adds a schedule, or replaces the one of the same name; `actor` names who, as the audit trail does. */
export function putSchedule(dataDir: string, input: unknown, actor = "app"): Promise<ReportSchedule> {
  const parsed = ReportScheduleSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw MonitoringError.input(`schedule ${where}${issue?.message ?? "invalid"}`);
  }
  const schedule = parsed.data;
  return update(
    dataDir,
    (list) => {
      const at = list.findIndex((raw) => nameOf(raw) === schedule.name);
      if (at < 0) return [...list, schedule];
      return list.map((raw, i) => (i === at ? schedule : raw));
    },
    actor,
  ).then(() => schedule);
}

/** Removes a schedule by name; false when there was none. */
export async function removeSchedule(dataDir: string, name: string, actor = "app"): Promise<boolean> {
  let found = false;
  await update(
    dataDir,
    (list) =>
      list.filter((raw) => {
        const match = nameOf(raw) === name;
        found ||= match;
        return !match;
      }),
    actor,
  );
  return found;
}
