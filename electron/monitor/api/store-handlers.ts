/**
 * The API methods that only read (or, for tools.approve, edit) the data dir's database. The engine
 * registers them, and the CLI serves the same ones in process over the database when it answers a
 * question, so a command, the app and browser mode give the same answer.
 */
import { verifyChain } from "../audit/audit-log.js";
import { defaultDiscoveryContext } from "../discovery/context.js";
import { discoverServers } from "../discovery/discover.js";
import { inspectRecord } from "../instrument/instrument-status.js";
import { readRecords } from "../instrument/records.js";
import { LogReader } from "../logs/log-reader.js";
import { reportHandlers } from "../reports/handlers.js";
import { approvePins } from "../security/pins.js";
import type { Db } from "../store/db.js";
import { iso } from "../time.js";
import type { ApiHandlers } from "./in-process.js";
import { readHandlers } from "./read-handlers.js";

export type StoreMethod =
  | "servers.list"
  | "servers.recorded"
  | "stats.get"
  | "calls.list"
  | "calls.get"
  | "calls.details"
  | "logs.search"
  | "logs.patterns"
  | "metrics.series"
  | "events.list"
  | "events.groups"
  | "sessions.timeline"
  | "tools.pins"
  | "tools.approve"
  | "audit.verify"
  | "instrument.records"
  | "discovery.list"
  | "reports.generate"
  | "reports.export"
  | "reports.save"
  | "files.save";

export interface StoreHandlerOptions {
  dataDir: string;
  /** Who approves tool definitions in the audit log ("app" in the engine, the OS user at the terminal). */
  actor: string;
  /** The servers a client's config names, for reports scoped to a client (default: discovery). */
  clientServers?: (client: string) => Promise<string[]>;
  /** Progress of a long report, step by step. */
  progress?: (step: string) => void;
  /** Log search and templates (the engine's LoggingSystem, with the analyzer it mines with). */
  logs?: Pick<LogReader, "search" | "patterns">;
}

export function storeHandlers(db: Db, options: StoreHandlerOptions): Pick<ApiHandlers, StoreMethod> {
  const logs = options.logs ?? new LogReader(db);
  return {
    ...readHandlers(db),
    "logs.search": (input) => logs.search(input),
    "logs.patterns": (input) => logs.patterns(input),
    "tools.approve": (input) => approvePins(db, input.server, input.tool, Date.now(), options.actor),
    "instrument.records": async () =>
      Promise.all(
        (await readRecords(options.dataDir)).map(async (record) => ({
          client: record.client,
          server: record.server,
          file: record.file,
          instrumentedAt: record.instrumentedAt,
          ...(await inspectRecord(record)),
        })),
      ),
    "discovery.list": async (input) => {
      const ctx = await defaultDiscoveryContext({ home: input.home, projectDirs: input.projectDirs });
      const outcome = await discoverServers(ctx, {
        clients: input.client ? [input.client] : undefined,
        dataDir: options.dataDir,
      });
      return { servers: outcome.servers.map((s) => s.definition), warnings: outcome.warnings };
    },
    "audit.verify": () => {
      const { broken, from, ...result } = verifyChain(db);
      return {
        ...result,
        broken: broken ? { ...broken, timeIso: iso(broken.time) } : undefined,
        from: from ? { ...from, timeIso: iso(from.time) } : undefined,
      };
    },
    ...reportHandlers(db, {
      progress: options.progress,
      clientServers:
        options.clientServers ??
        (async (client) =>
          (await discoverServers(await defaultDiscoveryContext(), { dataDir: options.dataDir })).servers
            .filter((s) => s.definition.client === client)
            .map((s) => s.definition.name)),
    }),
  };
}
