/**
 * The API methods that only read the database and need nothing but a connection to it: the engine serves
 * them from its read pool (api/read-pool.ts), each worker with its own read-only connection, and the
 * store handlers serve the same functions in process (the CLI, and the engine when no worker can start).
 */
import { errorGroups, listEvents, sessionTimeline } from "../events/queries.js";
import { seenServerDetail } from "../inventory/inventory-queries.js";
import { metricsSeries } from "../metrics/series.js";
import { statsDocument } from "../metrics/stats-document.js";
import { listPins } from "../security/pins.js";
import type { Db } from "../store/db.js";
import { knownServers } from "../store/known-servers.js";
import {
  getCall,
  listCallDetails,
  listCalls,
  listServers,
  recordedServerNames,
  resolveRange,
} from "../store/queries.js";
import { checkDatabase } from "../store/recovery.js";
import type { ApiHandlers } from "./in-process.js";
import { READ_METHODS } from "./method-groups.js";

/** The methods a read worker serves (method-groups.ts): each reads one snapshot and writes nothing. */
export type ReadMethod = (typeof READ_METHODS)[number];

/**
 * Methods that may run past the read pool's timeout (null: none): a check reads every page of the file,
 * 4.6 s per GiB for a quick check and more for a full one, and is bounded by the file's size.
 */
export const READ_TIMEOUTS: Partial<Record<ReadMethod, number | null>> = { "storage.check": null };

const READ_SET: ReadonlySet<string> = new Set(READ_METHODS);

export function isReadMethod(method: string): method is ReadMethod {
  return READ_SET.has(method);
}

export function readHandlers(db: Db): Pick<ApiHandlers, ReadMethod> {
  return {
    "servers.list": () => listServers(db),
    "servers.recorded": () => recordedServerNames(db),
    "servers.known": () => knownServers(db),
    "servers.seen": (input) => seenServerDetail(db, input.name),
    "stats.get": (input) => statsDocument(db, resolveRange(input.since, input.until, "1h"), input.server),
    "calls.list": (input) => listCalls(db, input),
    "calls.get": (input) => getCall(db, input.id),
    "calls.details": (input) => listCallDetails(db, input),
    "metrics.series": (input) => metricsSeries(db, input),
    "events.list": (input) => listEvents(db, input),
    "events.groups": (input) => errorGroups(db, input),
    "sessions.timeline": (input) => sessionTimeline(db, input.id),
    "tools.pins": (input) => listPins(db, input.server),
    // Its own read-only handle on the same file: every page read, off the engine's thread.
    "storage.check": (input) => checkDatabase(db.path, input.full),
  };
}
