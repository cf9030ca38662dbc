/**
 * Which handler module serves each API method the CLI answers in process, as lists of names that load
 * nothing: a command imports the module that serves a method on the first call of it (cli/api-client.ts),
 * so `mcpscope stats` loads the queries but not the logs, reports, discovery or config editing.
 */
import type { MethodName } from "../../../shared/api.js";

/** The methods that only read the database (api/read-handlers.ts): the engine's read workers serve them. */
export const READ_METHODS = [
  "servers.list",
  "servers.recorded",
  "servers.known",
  "servers.seen",
  "stats.get",
  "calls.list",
  "calls.get",
  "calls.details",
  "metrics.series",
  "events.list",
  "events.groups",
  "sessions.timeline",
  "tools.pins",
  "storage.check",
] as const satisfies readonly MethodName[];

/** The other methods over the data dir's database and files (api/store-handlers.ts). */
export const STORE_METHODS = [
  "logs.search",
  "logs.patterns",
  "logs.tail",
  "tools.approve",
  "audit.verify",
  "audit.export",
  "instrument.records",
  "discovery.list",
  "reports.generate",
  "reports.export",
  "reports.save",
  "files.save",
  "calls.save",
  "storage.info",
] as const satisfies readonly MethodName[];

/** The methods that edit clients' configs entry by entry (api/config-handlers.ts). */
export const CONFIG_METHODS = [
  "instrument.entry",
  "instrument.undo",
  "instrument.repair",
] as const satisfies readonly MethodName[];
