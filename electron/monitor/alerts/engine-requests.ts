/**
 * Alert edits asked of the running engine by another process (the CLI, or an engine that does not
 * evaluate: the app's window while `mcpscope serve` evaluates, or the other way round). An acknowledgement lives in the
 * evaluator's states, which it writes back on every change, and the pause in the snapshot the window and
 * tray follow: a process that only wrote the store would be overwritten by the engine's next evaluation,
 * and nothing on screen would change. A silence changes what the evaluator notifies: only it dispatches,
 * at once, on the states it holds (an engine that does not evaluate would plan on states it only follows). So the asker posts a request in `alert_meta` (key
 * `request:<uuid>`), the engine that holds the evaluation lease applies it on its next tick through its
 * own edits (alert-edits.ts), and writes the answer in its place. Posting, applying and withdrawing are
 * each one transaction: a request is either applied and answered or withdrawn unapplied, never both.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Silence } from "../../../shared/alerts.js";
import { parseMethodInput } from "../../../shared/api.js";
import type { ActionResult } from "../../../shared/servers.js";
import type { Db } from "../store/db.js";
import type { AlertEdits } from "./alert-edits.js";
import { getMeta, setMeta } from "./alert-store.js";

/**
 * The edits that go through the engine, by their API method, each with the version of the requests
 * (REQUESTS_PROTOCOL in engine-presence.ts) from which an engine applies it: an engine drops a method it
 * does not know unanswered.
 */
export const FORWARDED_SINCE = {
  "alerts.acknowledge": 1,
  "alerts.unacknowledge": 1,
  "alerts.pause": 1,
  "alerts.silence": 2,
  "alerts.unsilence": 2,
} as const;
export type ForwardedMethod = keyof typeof FORWARDED_SINCE;
export const FORWARDED_METHODS = Object.keys(FORWARDED_SINCE) as ForwardedMethod[];

/** Whether an engine applying requests of version `protocol` (absent: none) applies `method`. */
export function appliesRequest(protocol: number | undefined, method: ForwardedMethod): boolean {
  return (protocol ?? 0) >= FORWARDED_SINCE[method];
}

export type ForwardedInput =
  | { id: string }
  | { duration: string | null }
  | { matchers: Silence["matchers"]; duration: string; comment?: string; createdBy?: string };

/** The engine's answer; a silence made comes with it. */
export type ForwardedAnswer = ActionResult & { silence?: Silence };

/** How long an asker waits for the engine: a few of its ticks (1 s each by default). */
export const REQUEST_WAIT_MS = 5_000;

/** The answer when no engine applied a request in time. */
export function engineSilent(waitMs = REQUEST_WAIT_MS): string {
  return `the running engine did not apply it within ${waitMs / 1000} s (it may be starting, or another engine's lease has not run out yet); nothing was changed; try again`;
}

const PREFIX = "request:";
/** Answers nobody came for (the asker was killed) are dropped after this long. */
const ANSWER_KEPT_MS = 60_000;

interface StoredRequest {
  method: ForwardedMethod;
  input: ForwardedInput;
  actor: string;
  /** Wall-clock ms after which the asker no longer waits: the engine drops it unapplied. */
  expiresAt: number;
  answer?: ForwardedAnswer;
}

function read(db: Db, key: string): StoredRequest | null {
  const text = getMeta(db, key);
  if (text === null) return null;
  try {
    return JSON.parse(text) as StoredRequest;
  } catch {
    return null;
  }
}

/** Posts a request for the engine; its id is what `answer` and `withdraw` take. */
export function postRequest(
  db: Db,
  request: { method: ForwardedMethod; input: ForwardedInput; actor: string },
  waitMs = REQUEST_WAIT_MS,
  now = Date.now(),
): string {
  const id = randomUUID();
  setMeta(db, PREFIX + id, JSON.stringify({ ...request, expiresAt: now + waitMs } satisfies StoredRequest));
  return id;
}

/**
 * The engine's answer, once there is one (the request is then removed). Looked for with a plain read:
 * an asker polls, and only once the answer is there takes the write lock to remove it.
 */
export function takeAnswer(db: Db, id: string): ForwardedAnswer | null {
  if (!read(db, PREFIX + id)?.answer) return null;
  return db.transaction(() => {
    const request = read(db, PREFIX + id);
    if (!request?.answer) return null;
    setMeta(db, PREFIX + id, null);
    return request.answer;
  });
}

/** Withdraws a request no engine applied yet: true when it was withdrawn, so nothing was changed. */
export function withdrawRequest(db: Db, id: string): boolean {
  return db.transaction(() => {
    const request = read(db, PREFIX + id);
    if (request?.answer) return false;
    setMeta(db, PREFIX + id, null);
    return true;
  });
}

/**
 * The engine's side, on each tick of the lease holder: applies every waiting request, each in its own
 * transaction with its answer, and drops what no asker waits for any more. `leads` is asked inside each
 * transaction: an engine whose evaluation lease another took since its last evaluation leaves the
 * request to that one, whose states would otherwise overwrite what it applied.
 */
export function serveRequests(
  db: Db,
  apply: (method: ForwardedMethod, input: ForwardedInput, actor: string) => ForwardedAnswer,
  leads: () => boolean,
  now = Date.now(),
): number {
  const keys = db
    .prepare("SELECT key FROM alert_meta WHERE key >= ? AND key < ? ORDER BY key")
    .all(PREFIX, `${PREFIX}\uffff`)
    .map((row) => String(row.key));
  let served = 0;
  for (const key of keys) {
    db.transaction(() => {
      if (!leads()) return;
      const request = read(db, key);
      if (!request) return setMeta(db, key, null);
      if (request.answer) {
        if (now - request.expiresAt > ANSWER_KEPT_MS) setMeta(db, key, null);
        return;
      }
      if (request.expiresAt < now || !FORWARDED_METHODS.includes(request.method))
        return setMeta(db, key, null);
      let answer: ForwardedAnswer;
      try {
        answer = apply(request.method, request.input, request.actor);
      } catch (error) {
        answer = { ok: false, message: (error as Error).message };
      }
      setMeta(db, key, JSON.stringify({ ...request, answer } satisfies StoredRequest));
      served++;
    });
  }
  return served;
}

/**
 * Asks the engine and waits for its answer; null when no engine applied it within `waitMs` (the request
 * is then withdrawn, so nothing was changed).
 */
export async function askEngine(
  db: Db,
  request: { method: ForwardedMethod; input: ForwardedInput; actor: string },
  waitMs = REQUEST_WAIT_MS,
  pollMs = 100,
): Promise<ForwardedAnswer | null> {
  const id = postRequest(db, request, waitMs);
  // Timed on the monotonic clock: a wall clock stepped back while waiting must not stretch the wait.
  const deadline = performance.now() + waitMs;
  for (;;) {
    const answer = takeAnswer(db, id);
    if (answer) return answer;
    if (performance.now() >= deadline) break;
    await sleep(pollMs);
  }
  return withdrawRequest(db, id) ? null : takeAnswer(db, id);
}

/** Applies one request through the engine's edits, its input checked as the API checks it. */
export function applyForwarded(
  edits: Pick<AlertEdits, "acknowledge" | "unacknowledge" | "pause" | "silence" | "unsilence">,
  method: ForwardedMethod,
  input: ForwardedInput,
  actor: string,
): ForwardedAnswer {
  switch (method) {
    case "alerts.acknowledge":
      return edits.acknowledge(parseMethodInput(method, input).id, actor);
    case "alerts.unacknowledge":
      return edits.unacknowledge(parseMethodInput(method, input).id, actor);
    case "alerts.pause":
      return edits.pause(parseMethodInput(method, input).duration, actor);
    case "alerts.silence": {
      const silence = edits.silence(parseMethodInput(method, input), actor);
      return { ok: true, message: `silence ${silence.id} until ${silence.endsAt}`, silence };
    }
    case "alerts.unsilence":
      return edits.unsilence(parseMethodInput(method, input).id, actor);
  }
}
