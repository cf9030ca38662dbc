/**
 * The persistent outbox: every notification to every channel is a row before anything is sent, so a
 * crash or restart loses none. Due rows are tried; each attempt is recorded (time, ok, status, error,
 * duration); a failure is retried after an exponential backoff with jitter (or the receiver's
 * Retry-After), until it succeeds, fails permanently (a 4xx other than 408/429), or is older than the
 * give-up age. Answers "was this alert delivered, where, after how many tries".
 */
import type { Delivery } from "../../../shared/alerts.js";
import { isStorableTime } from "../../../shared/units.js";
import { maskString } from "../pipeline/mask.js";
import type { Db, Row, SqlValue } from "../store/db.js";
import { iso } from "../time.js";
import type { AlertNotification, Channel, DeliveryOutcome } from "./channels/channel.js";
import { maskStoredSecrets } from "./channels/secrets.js";

export interface BackoffPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  giveUpAfterMs: number;
}

/** The wait before attempt `attempts + 1`: doubling from the initial backoff, capped, ±20% jitter. */
export function backoffMs(policy: BackoffPolicy, attempts: number, random = Math.random): number {
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function enqueue(
  db: Db,
  channel: string,
  kind: "firing" | "resolved" | "test" | "report",
  notification: AlertNotification,
  now: number,
): number {
  const result = db
    .prepare(
      `INSERT INTO alert_deliveries (channel, kind, group_key, alert_ids, title, payload, status, created_at, next_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    )
    .run(
      channel,
      kind,
      notification.groupKey,
      JSON.stringify(notification.alerts.map((a) => a.id)),
      notification.title,
      JSON.stringify(notification),
      now,
      now,
    );
  return Number(result.lastInsertRowid);
}

export interface DueDelivery {
  id: number;
  channel: string;
  attempts: number;
  createdAt: number;
  notification: AlertNotification;
}

/** How long a claim holds a delivery: longer than an attempt may take, so a crashed claimer's rows come back. */
export const CLAIM_HOLD_MS = 60_000;

const UNCLAIMED = "(claimed_until IS NULL OR claimed_until <= ?)";

/**
 * Deliveries due now that no engine is sending. One whose stored notification cannot be read is failed for
 * good (it could never be sent) and named to `invalid`, so that it does not hold up the ones behind it.
 */
export function dueDeliveries(
  db: Db,
  now: number,
  limit = 20,
  invalid: (id: number, problem: string) => void = () => {},
): DueDelivery[] {
  return readPending(db, `next_at <= ? AND ${UNCLAIMED}`, [now, now], limit, invalid);
}

/**
 * Desktop deliveries still waiting, due or backing off, that no engine is showing: an engine with a window
 * or browser connected shows them at once, whichever engine queued them.
 */
export function waitingDesktopDeliveries(
  db: Db,
  now: number,
  limit = 20,
  invalid: (id: number, problem: string) => void = () => {},
): DueDelivery[] {
  return readPending(db, `channel = 'desktop' AND ${UNCLAIMED}`, [now], limit, invalid);
}

/**
 * Takes a pending delivery for this engine until `now + holdMs`, in one statement, so that of two engines
 * sharing a data dir exactly one sends it. Returns its attempts so far as of the claim (another engine may
 * have tried it since it was read), or null when another holds it or it is no longer pending.
 */
export function claimDelivery(db: Db, id: number, now: number, holdMs = CLAIM_HOLD_MS): number | null {
  const row = db
    .prepare(
      `UPDATE alert_deliveries SET claimed_until = ? WHERE id = ? AND status = 'pending' AND ${UNCLAIMED} RETURNING attempts`,
    )
    .get(now + holdMs, id, now);
  return row ? Number(row.attempts) : null;
}

function readPending(
  db: Db,
  where: string,
  params: SqlValue[],
  limit: number,
  invalid: (id: number, problem: string) => void,
): DueDelivery[] {
  const out: DueDelivery[] = [];
  const rows = db
    .prepare(
      `SELECT id, channel, attempts, created_at, payload FROM alert_deliveries WHERE status = 'pending' AND ${where} ORDER BY next_at LIMIT ?`,
    )
    .all(...params, limit);
  for (const row of rows) {
    let notification: AlertNotification;
    try {
      notification = JSON.parse(String(row.payload)) as AlertNotification;
    } catch {
      const problem = "its stored notification is not readable";
      db.prepare(
        "UPDATE alert_deliveries SET status = 'failed', next_at = NULL, last_error = ? WHERE id = ?",
      ).run(problem, row.id ?? null);
      invalid(Number(row.id), problem);
      continue;
    }
    out.push({
      id: Number(row.id),
      channel: String(row.channel),
      attempts: Number(row.attempts),
      createdAt: Number(row.created_at),
      notification,
    });
  }
  return out;
}

/** Records one attempt and moves the delivery on: delivered, retried later, or failed for good. */
export function recordAttempt(
  db: Db,
  delivery: DueDelivery,
  outcome: DeliveryOutcome,
  startedAt: number,
  durationMs: number,
  policy: BackoffPolicy,
  random = Math.random,
): "delivered" | "retry" | "failed" {
  const attempts = delivery.attempts + 1;
  const error = maskOutcome(outcome).error;
  let status: "delivered" | "retry" | "failed";
  let nextAt: number | null = null;
  if (outcome.ok) status = "delivered";
  else if (outcome.permanent) status = "failed";
  else {
    nextAt =
      startedAt + durationMs + Math.max(outcome.retryAfterMs ?? 0, backoffMs(policy, attempts, random));
    status = nextAt - delivery.createdAt > policy.giveUpAfterMs ? "failed" : "retry";
  }
  db.transaction(() => {
    db.prepare(
      "INSERT INTO alert_delivery_attempts (delivery_id, time, ok, status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(delivery.id, startedAt, outcome.ok ? 1 : 0, outcome.status, error, durationMs);
    db.prepare(
      `UPDATE alert_deliveries SET attempts = ?, status = ?, next_at = ?, delivered_at = ?, last_error = ?, claimed_until = NULL WHERE id = ?`,
    ).run(
      attempts,
      status === "retry" ? "pending" : status,
      status === "retry" ? nextAt : null,
      outcome.ok ? startedAt + durationMs : null,
      status === "failed" && !outcome.ok && !outcome.permanent && attempts > 1
        ? `gave up after ${attempts} attempts: ${error}`
        : error,
      delivery.id,
    );
  });
  return status;
}

/**
 * Tries a delivery once through its channel and records the attempt, at `now` on the clock the outbox's
 * times are kept in (the engine's), so that backoff and giving up count from when it was queued.
 * `known`: every channel's stored secret values, taken out of whatever the channel answers.
 */
export async function attempt(
  db: Db,
  delivery: DueDelivery,
  channel: Channel | undefined,
  known: readonly string[],
  policy: BackoffPolicy,
  timeoutMs = 30_000,
  now: () => number = Date.now,
): Promise<{ status: "delivered" | "retry" | "failed"; outcome: DeliveryOutcome }> {
  const startedAt = now();
  const wallStart = Date.now();
  let outcome: DeliveryOutcome;
  if (!channel) {
    outcome = {
      ok: false,
      permanent: true,
      status: null,
      error: `no channel named "${delivery.channel}" any more`,
    };
  } else {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      outcome = await channel.send(
        { ...delivery.notification, receiver: delivery.channel, deliveryId: delivery.id },
        controller.signal,
      );
    } catch (error) {
      outcome = {
        ok: false,
        permanent: false,
        status: null,
        error: (error as Error).message.split("\n")[0] ?? "failed",
      };
    } finally {
      clearTimeout(timer);
    }
  }
  outcome = withoutStoredSecrets(outcome, known);
  const status = recordAttempt(db, delivery, outcome, startedAt, Date.now() - wallStart, policy);
  return { status, outcome: maskOutcome(outcome).outcome };
}

/**
 * A channel's answer may echo what it was given (a command's stderr its env or arguments, a server a
 * header), and through an alias that may be another channel's secret.
 */
function withoutStoredSecrets(outcome: DeliveryOutcome, known: readonly string[]): DeliveryOutcome {
  if (outcome.ok)
    return outcome.note ? { ...outcome, note: maskStoredSecrets(outcome.note, known) } : outcome;
  return { ...outcome, error: maskStoredSecrets(outcome.error, known) };
}

/**
 * An outcome with its error line masked: a channel's error may quote what it was given (fetch's message
 * holds the whole URL, user info included), and it is stored, printed and shown in the delivery log.
 */
function maskOutcome(outcome: DeliveryOutcome): { outcome: DeliveryOutcome; error: string | null } {
  if (outcome.ok) return { outcome, error: outcome.note ?? null };
  const error = maskString(outcome.error);
  return { outcome: { ...outcome, error }, error };
}

function toDelivery(row: Row, attempts: Row[]): Delivery {
  const text = (v: SqlValue | undefined) => (v === null || v === undefined ? null : String(v));
  // A time no date can hold is shown as stored rather than failing the whole listing.
  const time = (v: SqlValue | undefined) =>
    v === null || v === undefined ? null : isStorableTime(Number(v)) ? iso(Number(v)) : String(v);
  let alertIds: string[] = [];
  try {
    alertIds = JSON.parse(String(row.alert_ids)) as string[];
  } catch {}
  const nextAt = row.status === "pending" ? time(row.next_at) : null;
  return {
    id: Number(row.id),
    channel: String(row.channel),
    kind: String(row.kind) as Delivery["kind"],
    groupKey: String(row.group_key),
    alertIds,
    title: String(row.title),
    status: String(row.status) as Delivery["status"],
    createdAt: time(row.created_at) ?? "",
    nextAttemptAt: nextAt,
    deliveredAt: time(row.delivered_at),
    lastError: text(row.last_error),
    attempts: attempts.map((a) => ({
      time: time(a.time) ?? "",
      ok: Number(a.ok) === 1,
      status: a.status === null || a.status === undefined ? null : Number(a.status),
      error: text(a.error),
      durationMs: Number(a.duration_ms),
    })),
  };
}

export interface DeliveriesQuery {
  channel?: string;
  kind?: Delivery["kind"];
  alertId?: string;
  status?: Delivery["status"];
  limit?: number;
  id?: number;
}

export function listDeliveries(db: Db, q: DeliveriesQuery): Delivery[] {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (q.id !== undefined) {
    where.push("id = ?");
    params.push(q.id);
  }
  if (q.channel) {
    where.push("channel = ?");
    params.push(q.channel);
  }
  if (q.kind) {
    where.push("kind = ?");
    params.push(q.kind);
  }
  if (q.status) {
    where.push("status = ?");
    params.push(q.status);
  }
  if (q.alertId) {
    where.push("EXISTS (SELECT 1 FROM json_each(alert_ids) WHERE value = ?)");
    params.push(q.alertId);
  }
  const rows = db
    .prepare(
      `SELECT * FROM alert_deliveries ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`,
    )
    .all(...params, q.limit ?? 100);
  const attemptsOf = db.prepare("SELECT * FROM alert_delivery_attempts WHERE delivery_id = ? ORDER BY id");
  return rows.map((row) => toDelivery(row, attemptsOf.all(Number(row.id))));
}
