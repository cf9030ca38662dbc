/**
 * The alert tables (migration 9): instances with their states and timers, history, silences, and small
 * key/value state (the notification pause). Everything the app must not forget across a restart.
 */
import { randomUUID } from "node:crypto";
import {
  type AlertHistoryEntry,
  AlertSeveritySchema,
  AlertStateSchema,
  type Matcher,
  MatcherSchema,
  type Silence,
} from "../../../shared/alerts.js";
import { isStorableTime, MAX_DURATION_MS, MAX_DURATION_TEXT } from "../../../shared/units.js";
import type { Db, Row } from "../store/db.js";
import { iso } from "../time.js";
import { matches } from "./matchers.js";
import type { InstanceState, Transition } from "./state-machine.js";

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function toInstance(row: Row): InstanceState {
  return {
    id: String(row.id),
    rule: String(row.rule),
    labels: JSON.parse(String(row.labels)) as Record<string, string>,
    severity: String(row.severity) as InstanceState["severity"],
    state: String(row.state) as InstanceState["state"],
    activeAt: Number(row.active_at),
    firedAt: num(row.fired_at),
    resolvedAt: num(row.resolved_at),
    lastActiveAt: Number(row.last_active_at),
    keepFiringSince: num(row.keep_firing_since),
    value: num(row.value),
    summary: String(row.summary),
    acknowledged: Number(row.acknowledged) === 1,
  };
}

/** Why a stored instance cannot be evaluated (times no date can hold, unreadable labels), or null. */
function instanceProblem(i: InstanceState): string | null {
  const times = [i.activeAt, i.lastActiveAt, i.firedAt, i.resolvedAt, i.keepFiringSince];
  if (times.some((t) => t !== null && !isStorableTime(t))) return "one of its times is not a valid time";
  if (!AlertStateSchema.safeParse(i.state).success) return `unknown state "${i.state}"`;
  if (!AlertSeveritySchema.safeParse(i.severity).success) return `unknown severity "${i.severity}"`;
  return null;
}

/** The stored instances; a row that cannot be evaluated is left out and named to `invalid`. */
export function loadInstances(
  db: Db,
  invalid: (id: string, problem: string) => void = () => {},
): InstanceState[] {
  const out: InstanceState[] = [];
  for (const row of db.prepare("SELECT * FROM alert_instances").all()) {
    let instance: InstanceState;
    try {
      instance = toInstance(row);
    } catch {
      invalid(String(row.id), "its labels are not readable");
      continue;
    }
    const problem = instanceProblem(instance);
    if (problem) invalid(instance.id, problem);
    else out.push(instance);
  }
  return out;
}

/** Replaces one rule's instances and appends its transitions to the history, in one transaction. */
export function saveRuleStep(
  db: Db,
  rule: string,
  instances: Iterable<InstanceState>,
  transitions: readonly Transition[],
): void {
  db.transaction(() => {
    db.prepare("DELETE FROM alert_instances WHERE rule = ?").run(rule);
    const insert = db.prepare(
      `INSERT INTO alert_instances (id, rule, labels, severity, state, active_at, fired_at, resolved_at,
         last_active_at, keep_firing_since, value, summary, acknowledged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const i of instances) {
      insert.run(
        i.id,
        i.rule,
        JSON.stringify(i.labels),
        i.severity,
        i.state,
        i.activeAt,
        i.firedAt,
        i.resolvedAt,
        i.lastActiveAt,
        i.keepFiringSince,
        i.value,
        i.summary,
        i.acknowledged ? 1 : 0,
      );
    }
    const history = db.prepare(
      `INSERT INTO alert_history (time, alert_id, rule, severity, labels, from_state, to_state, value, summary)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const t of transitions) {
      history.run(
        t.time,
        t.instance.id,
        t.instance.rule,
        t.instance.severity,
        JSON.stringify(t.instance.labels),
        t.from,
        t.to,
        t.instance.value,
        t.instance.summary,
      );
    }
  });
}

/** Acknowledges a firing alert, or takes its acknowledgement back; false when none fires by that id. */
export function setAcknowledged(db: Db, id: string, acknowledged = true): boolean {
  return (
    Number(
      db
        .prepare("UPDATE alert_instances SET acknowledged = ? WHERE id = ? AND state = 'firing'")
        .run(acknowledged ? 1 : 0, id).changes,
    ) > 0
  );
}

export interface HistoryQuery {
  since?: number;
  rule?: string;
  server?: string;
  alertId?: string;
  beforeId?: number;
  limit?: number;
}

export function listHistory(db: Db, q: HistoryQuery): Omit<AlertHistoryEntry, "valueText">[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.since !== undefined) {
    where.push("time >= ?");
    params.push(q.since);
  }
  if (q.rule) {
    where.push("rule = ?");
    params.push(q.rule);
  }
  if (q.alertId) {
    where.push("alert_id = ?");
    params.push(q.alertId);
  }
  if (q.server) {
    where.push("json_extract(labels, '$.server') = ?");
    params.push(q.server);
  }
  if (q.beforeId) {
    where.push("id < ?");
    params.push(q.beforeId);
  }
  const sql = `SELECT * FROM alert_history ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
  return db
    .prepare(sql)
    .all(...params, q.limit ?? 200)
    .flatMap((row) => {
      // A row that cannot be read (a time no date holds, broken labels) is left out of the listing.
      if (!isStorableTime(Number(row.time))) return [];
      let labels: Record<string, string>;
      try {
        labels = JSON.parse(String(row.labels)) as Record<string, string>;
      } catch {
        return [];
      }
      return [
        {
          id: Number(row.id),
          time: iso(Number(row.time)),
          alertId: String(row.alert_id),
          rule: String(row.rule),
          severity: String(row.severity) as AlertHistoryEntry["severity"],
          labels,
          from: String(row.from_state) as AlertHistoryEntry["from"],
          to: String(row.to_state) as AlertHistoryEntry["to"],
          value: num(row.value),
          summary: String(row.summary),
        },
      ];
    });
}

/** Why a stored silence cannot be applied (an end no date can hold, matchers that do not parse), or null. */
function silenceProblem(startsAt: number, endsAt: number, matchers: unknown): string | null {
  if (!isStorableTime(startsAt) || !isStorableTime(endsAt)) return "its start or end is not a valid time";
  if (endsAt - startsAt > MAX_DURATION_MS) return `it lasts longer than ${MAX_DURATION_TEXT}`;
  const parsed = MatcherSchema.array().min(1).safeParse(matchers);
  if (!parsed.success) return "its matchers are not valid";
  try {
    matches(parsed.data, {});
  } catch {
    return "one of its matchers is not a valid regular expression";
  }
  return null;
}

function toSilence(row: Row, now: number): Silence {
  const startsAt = Number(row.starts_at);
  const endsAt = Number(row.ends_at);
  let matchers: unknown;
  try {
    matchers = JSON.parse(String(row.matchers));
  } catch {
    matchers = null;
  }
  const problem = silenceProblem(startsAt, endsAt, matchers);
  // A silence that cannot be applied is still listed, so that it can be seen and removed.
  const time = (ms: number, raw: unknown) => (isStorableTime(ms) ? iso(ms) : String(raw));
  return {
    id: String(row.id),
    matchers: problem === null || Array.isArray(matchers) ? (matchers as Matcher[]) : [],
    startsAt: time(startsAt, row.starts_at),
    endsAt: time(endsAt, row.ends_at),
    createdBy: String(row.created_by),
    comment: String(row.comment),
    active: problem === null && startsAt <= now && now < endsAt,
    problem,
  };
}

export function addSilence(
  db: Db,
  input: { matchers: Matcher[]; durationMs: number; comment?: string; createdBy?: string },
  now = Date.now(),
): Silence {
  const id = randomUUID();
  db.prepare(
    "INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).run(
    id,
    JSON.stringify(input.matchers),
    now,
    now + input.durationMs,
    input.createdBy ?? "app",
    input.comment ?? "",
    now,
  );
  return toSilence(db.prepare("SELECT * FROM alert_silences WHERE id = ?").get(id) as Row, now);
}

/**
 * Ends a silence now; false when there is no such silence or it has already ended. A silence whose
 * times are not numbers at all ends too: whatever was stored, it can always be removed.
 */
export function expireSilence(db: Db, id: string, now = Date.now()): boolean {
  return (
    Number(
      db
        .prepare(
          `UPDATE alert_silences SET ends_at = ?,
             starts_at = CASE WHEN typeof(starts_at) IN ('integer', 'real') AND starts_at BETWEEN ? AND ? THEN starts_at ELSE ? END
           WHERE id = ? AND NOT (typeof(ends_at) IN ('integer', 'real') AND ends_at <= ?)`,
        )
        .run(now, now - MAX_DURATION_MS, now, now, id, now).changes,
    ) > 0
  );
}

export function listSilences(db: Db, includeExpired: boolean, now = Date.now()): Silence[] {
  const sql = includeExpired
    ? "SELECT * FROM alert_silences ORDER BY created_at DESC LIMIT 500"
    : "SELECT * FROM alert_silences WHERE ends_at > ? ORDER BY created_at DESC";
  const rows = includeExpired ? db.prepare(sql).all() : db.prepare(sql).all(now);
  return rows.map((row) => toSilence(row, now));
}

export function getMeta(db: Db, key: string): string | null {
  const row = db.prepare("SELECT value FROM alert_meta WHERE key = ?").get(key);
  return row ? String(row.value) : null;
}

export function setMeta(db: Db, key: string, value: string | null): void {
  if (value === null) db.prepare("DELETE FROM alert_meta WHERE key = ?").run(key);
  else
    db.prepare(
      "INSERT INTO alert_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
}

/** Native notifications are paused until this time (ms), or null. */
export function pausedUntil(db: Db, now = Date.now()): number | null {
  const value = Number(getMeta(db, "paused_until") ?? 0);
  return value > now && isStorableTime(value) ? value : null;
}
