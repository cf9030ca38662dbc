/**
 * The mcpscope API, declared once. The engine implements it; the Electron preload exposes it over IPC,
 * `mcpscope serve` over HTTP + WebSocket, and tests call the engine directly. The renderer sees one
 * client interface whichever transport carries it.
 *
 * The composite schemas it names (objects, records, unions in shared/) are wrapped in `z.lazy`, so that
 * each is built when first used: importing this module built some 2,000 zod instances, most of them for
 * outputs a start never checks. One that another `.extend()`s, `.pick()`s or reads `.shape` of is eager.
 */
import { z } from "zod";
import {
  AlertHistoryEntrySchema,
  AlertHistoryQuerySchema,
  AlertInstanceSchema,
  AlertsQuerySchema,
  AlertsSnapshotSchema,
  ChannelsDocumentSchema,
  DeliveriesQuerySchema,
  DeliverySchema,
  DesktopNotificationSchema,
  RuleFileCheckSchema,
  RulePreviewSchema,
  RulesDocumentSchema,
  SilenceInputSchema,
  SilenceSchema,
} from "./alerts.js";
import { AuditExportPageSchema, AuditExportQuerySchema, AuditVerifySchema } from "./audit.js";
import { CallsSaveInputSchema } from "./calls-export.js";
import { CheckDocumentSchema, CheckInputSchema } from "./check.js";
import { DiscoveryQuerySchema, DiscoveryResultSchema } from "./discovery.js";
import {
  CallDetailSchema,
  CallSummarySchema,
  OutcomeFilterSchema,
  ServerSummarySchema,
  StatsDocumentSchema,
  SystemInfoSchema,
} from "./domain.js";
import { EngineStateSchema } from "./engine-state.js";
import {
  ErrorGroupSchema,
  ErrorGroupsQuerySchema,
  EventRecordSchema,
  EventsQuerySchema,
  SessionTimelineSchema,
  ToolPinSchema,
} from "./events.js";
import { FileContentSchema, SaveResultSchema } from "./files.js";
import { PLAIN_ISSUES } from "./issue-text.js";
import {
  LogPatternsDocumentSchema,
  LogPatternsQuerySchema,
  LogRecordSchema,
  LogsQuerySchema,
  LogsTailPageSchema,
  LogsTailQuerySchema,
} from "./logs.js";
import { MetricsSeriesQuerySchema, MetricsSeriesSchema } from "./metrics.js";
import {
  ReportExportInputSchema,
  ReportFileSchema,
  ReportQuerySchema,
  ReportSaveResultSchema,
  ReportSchema,
} from "./report.js";
import {
  ReportRunSchema,
  ReportRunsQuerySchema,
  ReportScheduleSchema,
  ReportSchedulesSchema,
} from "./report-schedules.js";
import { ConsentSchema, RequestReviewInputSchema } from "./request-policy.js";
import {
  ActionResultSchema,
  AddServerInputSchema,
  InstrumentEntryInputSchema,
  InstrumentEntryResultSchema,
  InstrumentedEntrySchema,
  InventorySchema,
  KnownServersSchema,
  RepairInputSchema,
  RepairResultSchema,
  SeenServerDetailSchema,
  SeenServerInputSchema,
  ServerDetailSchema,
  ServerIdInputSchema,
  UndoInstrumentInputSchema,
  UndoInstrumentResultSchema,
  UninstrumentServerInputSchema,
} from "./servers.js";
import {
  BackupListEntrySchema,
  BackupResultSchema,
  BackupScheduleInputSchema,
  RestoreInputSchema,
  RestoreResultSchema,
  StorageCheckSchema,
  StorageInfoSchema,
  StorageSettingInputSchema,
} from "./storage.js";
import { DurationTextSchema, PageLimitSchema, TimeSpecSchema } from "./units.js";

export const StatsQuerySchema = z
  .object({
    since: TimeSpecSchema.optional(),
    until: TimeSpecSchema.optional(),
    server: z.string().optional(),
  })
  .strict();
export type StatsQuery = z.infer<typeof StatsQuerySchema>;

export const CallsQuerySchema = z
  .object({
    since: TimeSpecSchema.optional(),
    until: TimeSpecSchema.optional(),
    server: z.string().optional(),
    tool: z.string().optional(),
    method: z.string().optional(),
    outcome: OutcomeFilterSchema.optional(),
    /** Only calls listed after this one: older by time, then id (paging back). */
    beforeId: z.number().int().positive().optional(),
    /** The `beforeId` call's start time, so paging goes on after that call is deleted. */
    beforeTime: z.iso.datetime().optional(),
    limit: PageLimitSchema.optional(),
  })
  .strict();
export type CallsQuery = z.infer<typeof CallsQuerySchema>;

const Empty = z.object({}).strict();

/**
 * Request/response methods: name → input and output schema. `long: true` marks a method whose work is
 * bounded by the size of what it reads or by a server or channel it waits on (a probe, a check, a backup,
 * a report): a front waits for its answer as long as the engine is alive, never on a fixed deadline.
 */
export const API_METHODS = {
  "system.info": { input: Empty, output: SystemInfoSchema },
  "servers.list": { input: Empty, output: z.array(ServerSummarySchema) },
  "stats.get": { input: StatsQuerySchema, output: StatsDocumentSchema },
  "calls.list": { input: CallsQuerySchema, output: z.array(CallSummarySchema) },
  "calls.get": {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: CallDetailSchema.nullable(),
  },
  "servers.inventory": { input: Empty, output: InventorySchema },
  "servers.detail": { input: ServerIdInputSchema, output: ServerDetailSchema.nullable() },
  /** A server seen only in recorded traffic, by name: its sessions, tools, stderr and calls (null: none). */
  "servers.seen": { input: SeenServerInputSchema, output: SeenServerDetailSchema.nullable() },
  "servers.start": { input: ServerIdInputSchema, output: ActionResultSchema, long: true },
  "servers.stop": { input: ServerIdInputSchema, output: ActionResultSchema, long: true },
  "servers.restart": { input: ServerIdInputSchema, output: ActionResultSchema, long: true },
  "servers.probe": { input: ServerIdInputSchema, output: ActionResultSchema, long: true },
  "servers.instrument": { input: ServerIdInputSchema, output: ActionResultSchema },
  "servers.uninstrument": { input: UninstrumentServerInputSchema, output: ActionResultSchema },
  "servers.add": { input: AddServerInputSchema, output: ActionResultSchema },
  "servers.remove": { input: ServerIdInputSchema, output: ActionResultSchema, long: true },
  /** Log records, newest first (shared/logs.ts). */
  "logs.search": { input: LogsQuerySchema, output: z.array(LogRecordSchema) },
  /** Drain templates and lines per level over a range. */
  "logs.patterns": { input: LogPatternsQuerySchema, output: LogPatternsDocumentSchema },
  /** Calls, errors and p50/p95/p99 per time bucket, for charts (shared/metrics.ts). */
  "metrics.series": { input: MetricsSeriesQuerySchema, output: MetricsSeriesSchema },
  /** Events newest first, filtered; severity means that level and above (shared/events.ts). */
  "events.list": { input: EventsQuerySchema, output: z.array(EventRecordSchema) },
  /** Error events grouped by fingerprint with count and first/last seen. */
  "events.groups": { input: ErrorGroupsQuerySchema, output: z.array(ErrorGroupSchema) },
  /** A session's calls, logs and events interleaved in time order. */
  "sessions.timeline": {
    input: z.object({ id: z.string().min(1).max(200) }).strict(),
    output: SessionTimelineSchema.nullable(),
  },
  /** Tool-definition pins with status, pending change and poisoning findings (security/pins.ts). */
  "tools.pins": {
    input: z.object({ server: z.string().min(1).max(500).optional() }).strict(),
    output: z.array(ToolPinSchema),
  },
  /** Accepts a server's (or one tool's) pending definition changes and removals; audited. */
  "tools.approve": {
    input: z
      .object({ server: z.string().min(1).max(500), tool: z.string().min(1).max(500).optional() })
      .strict(),
    output: ActionResultSchema,
  },
  /** Pending and firing alerts (and, with status resolved, the recently resolved), worst first. */
  "alerts.list": { input: AlertsQuerySchema, output: z.array(AlertInstanceSchema) },
  /** State changes, newest first. */
  "alerts.history": { input: AlertHistoryQuerySchema, output: z.array(AlertHistoryEntrySchema) },
  /** Silences alerts matching every matcher for a duration; audited. */
  "alerts.silence": { input: SilenceInputSchema, output: SilenceSchema },
  "alerts.unsilence": {
    input: z.object({ id: z.string().min(1).max(100) }).strict(),
    output: ActionResultSchema,
  },
  "alerts.silences": {
    input: z.object({ includeExpired: z.boolean().optional() }).strict(),
    output: z.array(SilenceSchema),
  },
  /** Marks a firing alert as seen: no repeat notifications for it until it resolves. */
  "alerts.acknowledge": {
    input: z.object({ id: z.string().min(1).max(100) }).strict(),
    output: ActionResultSchema,
  },
  /** Takes an acknowledgement back: the firing alert repeats again on its route's repeat_interval. */
  "alerts.unacknowledge": {
    input: z.object({ id: z.string().min(1).max(100) }).strict(),
    output: ActionResultSchema,
  },
  /** The rule file (`<dataDir>/alerts.yaml`), its problem if any, and the rules in effect. */
  "alerts.rules": { input: Empty, output: RulesDocumentSchema },
  /** Adds or replaces one rule (YAML of one rule), validated, written atomically; a built-in is overridden. */
  "alerts.rules.put": {
    input: z
      .object({ yaml: z.string().min(1).max(20_000), replaces: z.string().max(200).optional() })
      .strict(),
    output: ActionResultSchema,
  },
  /** Removes a user rule; a built-in rule is disabled instead. */
  "alerts.rules.remove": {
    input: z.object({ name: z.string().min(1).max(200) }).strict(),
    output: ActionResultSchema,
  },
  /** What one rule (YAML) would have fired over a range back from now (default 24h). */
  "alerts.rules.preview": {
    input: z.object({ yaml: z.string().min(1).max(20_000), range: z.string().max(16).optional() }).strict(),
    output: RulePreviewSchema,
  },
  /** Validates the text of a whole rule file; the first problem, with its line and key, is the error. */
  "alerts.rules.check": {
    input: z
      .object({ text: z.string().max(1_000_000), fileName: z.string().min(1).max(200).optional() })
      .strict(),
    output: RuleFileCheckSchema,
  },
  /** Channels (secrets masked), routes and the notification pause. */
  "alerts.channels": { input: Empty, output: ChannelsDocumentSchema },
  /** Adds or replaces one channel (YAML of one channel); a masked secret keeps the stored one. */
  "alerts.channels.put": {
    input: z
      .object({ yaml: z.string().min(1).max(20_000), replaces: z.string().max(200).optional() })
      .strict(),
    output: ActionResultSchema,
  },
  "alerts.channels.remove": {
    input: z.object({ name: z.string().min(1).max(200) }).strict(),
    output: ActionResultSchema,
  },
  /**
   * Sends a test notification through a channel now; the delivery with its first attempt. A desktop test
   * while desktop notifications are paused is refused (an `input` error saying until when), nothing sent:
   * it would show nothing.
   */
  "alerts.test": {
    input: z.object({ channel: z.string().min(1).max(200) }).strict(),
    output: DeliverySchema,
    long: true,
  },
  /** Notifications and every attempt to deliver them, newest first. */
  "alerts.deliveries": { input: DeliveriesQuerySchema, output: z.array(DeliverySchema) },
  /** Pauses native notifications for a duration (`1h`), or resumes them (null). */
  "alerts.pause": {
    input: z.object({ duration: DurationTextSchema.nullable() }).strict(),
    output: ActionResultSchema,
  },
  /** A report over a period and a scope, with the previous period for comparison (shared/report.ts). */
  "reports.generate": { input: ReportQuerySchema, output: ReportSchema, long: true },
  /** The same report rendered as a file (HTML, PDF, Markdown, CSV, JSON): name, type and content. */
  "reports.export": { input: ReportExportInputSchema, output: ReportFileSchema, long: true },
  /**
   * Desktop app only, served by its main process: renders the report, asks where to save it (the native
   * Save dialog), writes it and offers Show in folder. Browser mode downloads `reports.export` instead.
   */
  "reports.save": { input: ReportExportInputSchema, output: ReportSaveResultSchema, long: true },
  /** Desktop app only, like reports.save: saves a file the renderer made (a table's rows) where the user chooses. */
  "files.save": { input: FileContentSchema.strict(), output: SaveResultSchema, long: true },
  /**
   * Desktop app only, like files.save: the Calls view's CSV or JSON export, every call its filters and
   * range match, streamed by the main process from `calls.list` or `calls.details` into the file the user
   * chooses (shared/calls-export.ts).
   */
  "calls.save": { input: CallsSaveInputSchema, output: SaveResultSchema, long: true },
  // Scheduled reports: the schedules in settings.json (`reports.schedules`) and the record of each run.
  "reports.schedules.list": { input: Empty, output: ReportSchedulesSchema },
  /** Adds a schedule, or replaces the one of the same name. */
  "reports.schedules.put": { input: ReportScheduleSchema, output: ActionResultSchema },
  "reports.schedules.delete": {
    input: z.object({ name: z.string().min(1).max(64) }).strict(),
    output: ActionResultSchema,
  },
  /** Runs newest first: when, what, where each copy went and how (channel copies as the outbox has them). */
  "reports.runs": { input: ReportRunsQuerySchema, output: z.array(ReportRunSchema) },
  // Storage: sizes, integrity check, backups into the data dir's backups/ folder.
  "storage.info": { input: Empty, output: StorageInfoSchema },
  "storage.check": {
    input: z.object({ full: z.boolean().default(false) }).strict(),
    output: StorageCheckSchema,
    long: true,
  },
  "storage.backup": { input: Empty, output: BackupResultSchema, long: true },
  /** Scheduled backups into backups/ (settings.json `storage.backup`); an invalid duration is refused. */
  "storage.schedule": { input: BackupScheduleInputSchema, output: ActionResultSchema },
  /** Sets `storage.maxSize` or one `storage.retention` kind in settings.json (null: the default). */
  "storage.settings.put": { input: StorageSettingInputSchema, output: ActionResultSchema },
  /** The backups in backups/, newest first, each with its manifest (or why it cannot be restored). */
  "storage.backups.list": { input: Empty, output: z.array(BackupListEntrySchema) },
  /**
   * Restores a backup from backups/ by name into the running engine's database, in place: verified first,
   * the current database copied aside; a backup that fails verification is an answer (ok: false).
   */
  "storage.restore": { input: RestoreInputSchema, output: RestoreResultSchema, long: true },
  /** Calls with their masked, capped request and response, newest first (what `mcpscope calls --json` prints). */
  "calls.details": { input: CallsQuerySchema, output: z.array(CallDetailSchema) },
  /** Every server name with calls recorded (the counts servers.list shows), sorted: for filters and typo hints. */
  "servers.recorded": { input: Empty, output: z.array(z.string()) },
  /** Walks the audit log's hash chain in id order; the first record that does not hold, if any. */
  "audit.verify": { input: Empty, output: AuditVerifySchema, long: true },
  /** The config entries mcpscope has wrapped, each read again from its file: still wrapped, edited since? */
  "instrument.records": { input: Empty, output: z.array(InstrumentedEntrySchema) },
  /** The servers the clients' configs name, read now (what `mcpscope discover --json` prints). */
  "discovery.list": { input: DiscoveryQuerySchema, output: DiscoveryResultSchema },
  /** Wraps one entry of a client's config, atomically after a backup (what `mcpscope instrument` does). */
  "instrument.entry": { input: InstrumentEntryInputSchema, output: InstrumentEntryResultSchema },
  /** Restores recorded entries byte for byte, one or all (what `mcpscope uninstrument --json` prints). */
  "instrument.undo": { input: UndoInstrumentInputSchema, output: UndoInstrumentResultSchema },
  /** Points wrapped entries at this mcpscope, one by one after a backup (`mcpscope instrument --repair`). */
  "instrument.repair": { input: RepairInputSchema, output: RepairResultSchema },
  // Streams and bulk reads, a page per call: what `logs --follow` polls, what `audit export` writes.
  /** Log records after a cursor, oldest first, and the cursor to ask from next (shared/logs.ts). */
  "logs.tail": { input: LogsTailQuerySchema, output: LogsTailPageSchema },
  /** The audit log in chain order, a page at a time, each record as stored (shared/audit.ts). */
  "audit.export": { input: AuditExportQuerySchema, output: AuditExportPageSchema },
  /**
   * One health check now, and what it found (shared/check.ts). A configured server by id everywhere; a
   * command or URL in the request only in the terminal's own process: the engine (IPC, HTTP) refuses it.
   */
  "servers.check": { input: CheckInputSchema, output: CheckDocumentSchema, long: true },
  // Requests that name a program to run or a place outside the data dir (shared/request-policy.ts).
  /**
   * Whether a request (a method and its input) needs the user's consent, judged against what it would
   * replace, and the words to ask it with; null when it does not. Reads only: nothing is run or saved.
   */
  "requests.review": { input: RequestReviewInputSchema, output: ConsentSchema.nullable() },
  // The engine's own life, as the desktop app's main process sees it (shared/engine-state.ts).
  /** Whether the engine is starting, up, restarting or stopped; an engine that answers it is `up`. */
  "engine.state": { input: Empty, output: EngineStateSchema },
  // What a `--server NAME` filter may name, for its typo hint.
  /** Server names with calls, logs, events or tool pins stored, by kind (shared/servers.ts). */
  "servers.known": { input: Empty, output: KnownServersSchema },
} as const;

/** Event streams the engine pushes: name → payload schema. */
export const API_EVENTS = {
  /** Calls stored since the last push, oldest first. */
  "calls.new": z.array(CallSummarySchema),
  /** Log records stored since the last push, oldest first. */
  "logs.new": z.array(LogRecordSchema),
  /** Events stored since the last push, oldest first. */
  "events.new": z.array(EventRecordSchema),
  /** The inventory changed: a config file, a process state, a health state or a resource sample. */
  "servers.changed": InventorySchema,
  /** Alerts changed state, or a silence or the pause changed: the current alerts. */
  "alerts.changed": AlertsSnapshotSchema,
  /** A grouped notification for the desktop (native in Electron, Web Notifications in a browser). */
  "alerts.notify": DesktopNotificationSchema,
  /** Desktop app only, pushed by its main process: the engine's state changed (shared/engine-state.ts). */
  "engine.state": EngineStateSchema,
} as const;

export type ApiMethods = typeof API_METHODS;
export type MethodName = keyof ApiMethods;
export type MethodInput<M extends MethodName> = z.input<ApiMethods[M]["input"]>;
export type MethodOutput<M extends MethodName> = z.infer<ApiMethods[M]["output"]>;
export type EventName = keyof typeof API_EVENTS;
export type EventPayload<E extends EventName> = z.infer<(typeof API_EVENTS)[E]>;

/** What every transport offers: call a method, subscribe to an event. */
export interface ApiTransport {
  invoke(method: string, input: unknown): Promise<unknown>;
  /** Returns an unsubscribe function. */
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

/** The typed client the renderer (and tests) use, over any transport. */
export interface ApiClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(API_METHODS, name);
}

/** Whether the app waits for `method` without a deadline while the engine is alive (see API_METHODS). */
export function isLongMethod(method: string): boolean {
  return isMethodName(method) && (API_METHODS[method] as { long?: boolean }).long === true;
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(API_EVENTS, name);
}

/** One line, naming the method and the first problem in the input. */
export class ApiInputError extends Error {
  constructor(
    readonly method: string,
    detail: string,
    /** The first problem, when the input failed its schema: which field, and what is wrong with it. */
    readonly issue?: { field: string; message: string },
  ) {
    super(`invalid input for ${method}: ${detail}`);
    this.name = "ApiInputError";
  }
}

export function describeZodError(error: z.ZodError): string {
  const issue = firstIssue(error);
  return issue ? `${issue.field}: ${issue.message}` : "does not match its schema";
}

function firstIssue(error: z.ZodError): { field: string; message: string } | undefined {
  const issue = error.issues[0];
  if (!issue) return undefined;
  return { field: issue.path.length ? issue.path.join(".") : "input", message: issue.message };
}

/** Validates `input` against the method's schema; throws ApiInputError with a one-line message. */
export function parseMethodInput<M extends MethodName>(
  method: M,
  input: unknown,
): z.infer<ApiMethods[M]["input"]> {
  const result = API_METHODS[method].input.safeParse(input ?? {}, PLAIN_ISSUES);
  if (!result.success)
    throw new ApiInputError(method, describeZodError(result.error), firstIssue(result.error));
  return result.data as z.infer<ApiMethods[M]["input"]>;
}

/** Wraps a transport into the typed client; inputs are validated before they leave. */
export function createApiClient(transport: ApiTransport): ApiClient {
  return {
    async call(method, input) {
      const parsed = parseMethodInput(method, input);
      return (await transport.invoke(method, parsed)) as never;
    },
    on(event, listener) {
      return transport.subscribe(event, listener as (payload: unknown) => void);
    },
  };
}

/** Channel names used by the Electron preload and main process. */
export const IPC_INVOKE_CHANNEL = "mcpscope:invoke";
export const IPC_EVENT_CHANNEL = "mcpscope:event";
