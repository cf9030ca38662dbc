/**
 * The API methods that only read (or, for tools.approve, edit) the data dir's database. The engine
 * registers them, and the CLI serves the same ones in process over the database when it answers a
 * question, so a command, the app and browser mode give the same answer.
 */
import type { AuditExportPage, AuditExportQuery } from "../../../shared/audit.js";
import type { DiscoveryWarning } from "../../../shared/discovery.js";
import { iterateAudit, verifyChain } from "../audit/audit-log.js";
import { defaultDiscoveryContext, missingProjectWarnings } from "../discovery/context.js";
import { discoverServers } from "../discovery/discover.js";
import { checkInstrumented, inspectRecord, lostWrappingWarning } from "../instrument/instrument-status.js";
import { installHere } from "../instrument/other-install.js";
import { readRecords } from "../instrument/records.js";
import { LogReader } from "../logs/log-reader.js";
import { readRemoteProxies } from "../proxy-http/remote-proxies.js";
import { reportHandlers } from "../reports/handlers.js";
import { approvePins } from "../security/pin-approval.js";
import type { Db } from "../store/db.js";
import { SCHEMA_VERSION } from "../store/migrations.js";
import { storageInfo } from "../store/storage-info.js";
import { iso, parseTimeSpec } from "../time.js";
import { recordPlace } from "./entry-pick.js";
import type { ApiHandlers } from "./in-process.js";
import type { STORE_METHODS } from "./method-groups.js";
import { type ReadMethod, readHandlers } from "./read-handlers.js";

export type StoreMethod = ReadMethod | (typeof STORE_METHODS)[number];

export interface StoreHandlerOptions {
  dataDir: string;
  /** Who approves tool definitions in the audit log ("app" in the engine, the OS user at the terminal). */
  actor: string;
  /** The servers a client's config names, for reports scoped to a client (default: discovery). */
  clientServers?: (client: string) => Promise<string[]>;
  /** Progress of a report as it is read, step by step. */
  progress?: (step: string) => void;
  /** Log search, tail and templates (the engine's LoggingSystem, with the analyzer it mines with). */
  logs?: Pick<LogReader, "search" | "patterns" | "tail">;
  /** Without `logs`: records one patterns question mines at most (the engine also mines on a timer). */
  mineAtMost?: number;
  /** Without `logs`: told when indexing or mining fails (the answer is then served as it stands). */
  warn?: (kind: string, message: string) => void;
}

/** Wrapped entries whose client cannot start them, as the mcpscope they run is gone, or that run another. */
async function launchersGone(
  outcome: Awaited<ReturnType<typeof discoverServers>>,
  dataDir: string,
): Promise<DiscoveryWarning[]> {
  if (!outcome.servers.some((s) => s.definition.launcherGone || s.definition.launcherOther)) return [];
  const records = await readRecords(dataDir).catch(() => []);
  return checkInstrumented(records, outcome.servers, outcome.warnings, dataDir)
    .filter((lost) => lost.reason === "launcher-gone" || lost.reason === "launcher-other")
    .map(lostWrappingWarning);
}

export function storeHandlers(db: Db, options: StoreHandlerOptions): Pick<ApiHandlers, StoreMethod> {
  const logs = options.logs ?? new LogReader(db, options.warn, undefined, options.mineAtMost);
  return {
    ...readHandlers(db),
    "logs.search": (input) => logs.search(input),
    "logs.patterns": (input) => logs.patterns(input),
    "logs.tail": (input) => logs.tail(input),
    "storage.info": () => storageInfo(db, options.dataDir, SCHEMA_VERSION),
    "tools.approve": (input) => approvePins(db, input.server, input.tool, Date.now(), options.actor),
    "instrument.records": async () => {
      const proxies = await readRemoteProxies(options.dataDir).catch(() => []);
      const ctx = await defaultDiscoveryContext();
      const mine = installHere(options.dataDir);
      return Promise.all(
        (await readRecords(options.dataDir)).map(async (record) => ({
          client: record.client,
          server: record.server,
          file: record.file,
          scope: recordPlace(record, ctx).scope,
          project: recordPlace(record, ctx).project,
          instrumentedAt: record.instrumentedAt,
          ...(await inspectRecord(record, proxies, mine)),
        })),
      );
    },
    "discovery.list": async (input) => {
      const ctx = await defaultDiscoveryContext({ home: input.home, projectDirs: input.projectDirs });
      const outcome = await discoverServers(ctx, {
        clients: input.client ? [input.client] : undefined,
        dataDir: options.dataDir,
      });
      return {
        servers: outcome.servers.map((s) => s.definition),
        warnings: [
          ...missingProjectWarnings(input.projectDirs),
          ...outcome.warnings,
          ...(await launchersGone(outcome, options.dataDir)),
        ],
      };
    },
    "audit.verify": () => {
      const { broken, from, ...result } = verifyChain(db);
      return {
        ...result,
        broken: broken ? { ...broken, timeIso: iso(broken.time) } : undefined,
        from: from ? { ...from, timeIso: iso(from.time) } : undefined,
      };
    },
    "audit.export": (input) => auditPage(db, input),
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

/** An audit export page size when the query names none. */
const AUDIT_PAGE = 500;

/** One page of the audit log in chain order, read through the audit module's own iterator. */
function auditPage(db: Db, query: AuditExportQuery): AuditExportPage {
  const limit = query.limit ?? AUDIT_PAGE;
  const records: AuditExportPage["records"] = [];
  const iterator = iterateAudit(db, {
    since: query.since === undefined ? undefined : parseTimeSpec(query.since),
    until: query.until === undefined ? undefined : parseTimeSpec(query.until),
    afterId: query.after,
  });
  for (const record of iterator) {
    records.push({ ...record, time_iso: iso(record.time) });
    if (records.length === limit) break;
  }
  const last = records[records.length - 1];
  return { records, next: records.length === limit && last ? last.id : null };
}
