/**
 * The server inventory the Servers view shows: every discovered or hand-added server with its process,
 * health and resource state, and the detail of one server.
 */
import { z } from "zod";
import {
  ClientIdSchema,
  DiscoveryWarningSchema,
  OtherInstallSchema,
  ScopeSchema,
  ServerDefinitionSchema,
  TransportKindSchema,
} from "./discovery.js";
import { CallSummarySchema, ServerSummarySchema } from "./domain.js";
import { RuntimePruneSchema } from "./storage.js";

/**
 * A server that answered a call recorded through `mcpscope run` or `proxy` within this window is `active`: real
 * traffic is better evidence than a probe (which spawns a copy of its own) or no probe at all.
 */
export const ACTIVE_WINDOW_MS = 5 * 60_000;
/**
 * Answered calls in ACTIVE_WINDOW_MS are counted up to this many, then said as "more than": a server busy
 * at thousands of calls a second must not make every read of the Servers view scan minutes of its calls.
 */
export const RECENT_ANSWERED_CAP = 1000;

/**
 * What the Servers view shows in one word. `active`: answered calls within ACTIVE_WINDOW_MS, and neither a
 * probe (up, degraded, or down after the last call) nor a crashed copy under mcpscope says otherwise;
 * `stopped`: not running under mcpscope and not probed up.
 */
export const ServerStatusSchema = z.enum(["up", "active", "degraded", "down", "stopped", "unknown"]);
export type ServerStatus = z.infer<typeof ServerStatusSchema>;

export const ProcessStateSchema = z.enum([
  "starting",
  "running",
  "backoff",
  "stopping",
  "stopped",
  "crash_loop",
  "failed",
]);
export type ProcessState = z.infer<typeof ProcessStateSchema>;

export const ProcessInfoSchema = z.lazy(() =>
  z.object({
    state: ProcessStateSchema,
    pid: z.number().int().nullable(),
    startedAt: z.string().nullable(),
    restarts: z.number().int(),
    lastExit: z
      .object({
        at: z.string(),
        code: z.number().int().nullable(),
        signal: z.string().nullable(),
        uptimeMs: z.number(),
        reason: z.string(),
      })
      .nullable(),
    lastError: z.string().nullable(),
  }),
);
export type ProcessInfo = z.infer<typeof ProcessInfoSchema>;

/** A server's health from probes: `unknown` until the first one. */
export const HealthStatusSchema = z.enum(["unknown", "up", "degraded", "down"]);
export type HealthStatus = z.infer<typeof HealthStatusSchema>;
/** What one health check concluded. */
export const CheckStatusSchema = HealthStatusSchema.exclude(["unknown"]);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

export const HealthInfoSchema = z.lazy(() =>
  z.object({
    status: HealthStatusSchema,
    checkedAt: z.string().nullable(),
    handshakeMs: z.number().nullable(),
    listMs: z.number().nullable(),
    toolsCount: z.number().int().nullable(),
    protocolVersion: z.string().nullable(),
    error: z.string().nullable(),
  }),
);
export type HealthInfo = z.infer<typeof HealthInfoSchema>;

/** The calls clients made through `mcpscope run` or `mcpscope proxy` to a server of this name. */
export const TrafficInfoSchema = z.lazy(() =>
  z.object({
    /** When the newest recorded call started, however long ago; null when none is stored. */
    lastCallAt: z.string().nullable(),
    /**
     * Calls the server answered (ANSWERED_OUTCOMES, not refused with 401/403) in ACTIVE_WINDOW_MS,
     * counted up to RECENT_ANSWERED_CAP (a figure over it means "more than the cap").
     */
    recentAnswered: z.number().int(),
  }),
);
export type TrafficInfo = z.infer<typeof TrafficInfoSchema>;
export const RemoteProxyInfoSchema = z.lazy(() =>
  z.object({
    /** `failed`: it could not listen (its port taken by another program); the client cannot reach the server. */
    state: z.enum(["running", "failed"]),
    /** The local URL the client's entry now names. */
    url: z.string(),
    error: z.string().nullable(),
  }),
);
export type RemoteProxyInfo = z.infer<typeof RemoteProxyInfoSchema>;

export const ServerEntrySchema = z.lazy(() =>
  ServerDefinitionSchema.extend({
    status: ServerStatusSchema,
    /** null when mcpscope is not running this server itself. */
    process: ProcessInfoSchema.nullable(),
    health: HealthInfoSchema,
    traffic: TrafficInfoSchema,
    /** Latest sample of the server's whole process tree (managed, or instrumented while a client runs it). */
    resources: z.object({
      cpuPct: z.number().nullable(),
      rssBytes: z.number().nullable(),
      sampledAt: z.string().nullable(),
    }),
    /** An instrumented remote entry: the proxy the engine runs for it (null otherwise). */
    proxy: RemoteProxyInfoSchema.nullable(),
    /**
     * Instrumented, but the entry was wrapped in `mcpscope run` by hand: mcpscope holds nothing to undo, so
     * only an edit of the config by hand removes the wrapper. False when mcpscope wrapped it (or did not).
     */
    wrappedByHand: z.boolean(),
    /** Calls of this entry's client are recorded into this data dir (instrumented here, wrapped by hand into it, or added in mcpscope). */
    recordsHere: z.boolean(),
    /**
     * A stdio server that the other mcpscope engine on this data dir (the app or `mcpscope serve`) alone
     * starts, stops and restarts, since it supervises the servers there: its pid, and the server's process
     * there (null when that engine does not run it now). Absent or null otherwise.
     */
    supervisedElsewhere: z
      .object({
        enginePid: z.number().int(),
        pid: z.number().int().nullable(),
        /** That engine is from an mcpscope before engines shared the servers: it cannot hand them over. */
        olderVersion: z.literal(true).optional(),
        /**
         * The server was started under that engine and is its to run until stopped there: it runs, or waits
         * to be restarted (`pid` null). Absent for a server that engine has not started.
         */
        started: z.literal(true).optional(),
      })
      .nullable()
      .optional(),
  }),
);
export type ServerEntry = z.infer<typeof ServerEntrySchema>;
export type SupervisedElsewhere = NonNullable<ServerEntry["supervisedElsewhere"]>;

/**
 * Why a hand-added server cannot be removed here, or null: the other engine started it, and removed here
 * its process (running, or restarted there later) would run on, listed nowhere. The window's Remove and
 * the engine's refusal both ask this.
 */
export function removeRefusal(elsewhere: SupervisedElsewhere | null | undefined): string | null {
  if (!elsewhere?.started) return null;
  const now = elsewhere.pid === null ? "waiting to be restarted there" : "running there";
  return `it was started under ${otherEngineName(elsewhere.enginePid, elsewhere.olderVersion === true)}, ${now}; stop it there before removing it`;
}

/** The other engine on the data dir that runs the servers, as refusals name it (`older`: from before the lease). */
export function otherEngineName(pid: number, older: boolean): string {
  return older
    ? `an mcpscope engine from an older version (pid ${pid}: the app or \`mcpscope serve\`), which does not share them`
    : `the other mcpscope engine (pid ${pid}: the app or \`mcpscope serve\`)`;
}

export const InventorySchema = z.lazy(() =>
  z.object({
    servers: z.array(ServerEntrySchema),
    warnings: z.array(DiscoveryWarningSchema),
  }),
);
export type Inventory = z.infer<typeof InventorySchema>;

export const HealthCheckRowSchema = z.lazy(() =>
  z.object({
    time: z.string(),
    status: CheckStatusSchema,
    handshakeMs: z.number().nullable(),
    listMs: z.number().nullable(),
    toolsCount: z.number().int().nullable(),
    error: z.string().nullable(),
  }),
);

export const ResourcePointSchema = z.lazy(() =>
  z.object({
    time: z.string(),
    /** null where the sample had no CPU figure yet: a gap in the chart, not 0 %. */
    cpuPct: z.number().nullable(),
    rssBytes: z.number(),
  }),
);
export type ResourcePoint = z.infer<typeof ResourcePointSchema>;

export const ServerDetailSchema = z.object({
  server: ServerEntrySchema,
  health: z.array(HealthCheckRowSchema),
  resources: z.array(ResourcePointSchema),
  tools: z.array(z.object({ name: z.string(), description: z.string().nullable() })),
  /**
   * `probe`: the last `tools/list` of a probe. `recorded`: no probe listed any, so the tools of the
   * clients' last `tools/list` through the wrapper (a changed one as listed now) and those seen called.
   */
  toolsSource: z.enum(["probe", "recorded"]),
  stderr: z.array(z.object({ time: z.string(), level: z.string(), message: z.string() })),
  calls: z.array(CallSummarySchema),
  /**
   * The server's own name and version (`serverInfo`) in the newest recorded session whose handshake
   * gave them; null when none did.
   */
  identity: z
    .object({
      name: z.string().nullable(),
      version: z.string().nullable(),
      session: z.string(),
      seenAt: z.string(),
    })
    .nullable(),
});
export type ServerDetail = z.infer<typeof ServerDetailSchema>;

/**
 * A server seen only in recorded traffic (`mcpscope run` under a name no client config uses, or
 * `mcpscope proxy`): no config entry and no probes, so its recorded summary and what the detail of a
 * configured server shows from traffic, looked up by name.
 */
export const SeenServerDetailSchema = z.lazy(() =>
  ServerDetailSchema.omit({ server: true, health: true }).extend({
    server: ServerSummarySchema,
  }),
);
export type SeenServerDetail = z.infer<typeof SeenServerDetailSchema>;
export const SeenServerInputSchema = z.lazy(() => z.object({ name: z.string().min(1).max(500) }).strict());

export const ServerIdInputSchema = z.lazy(() => z.object({ id: z.string().min(1).max(2000) }).strict());

/** `servers.uninstrument`: `force` restores over a changed entry (a backup is kept), as `--force` does. */
export const UninstrumentServerInputSchema = z.lazy(() =>
  z.object({ id: z.string().min(1).max(2000), force: z.boolean().optional() }).strict(),
);

export const AddServerInputSchema = z.lazy(() =>
  z
    .object({
      name: z.string().min(1).max(200),
      transport: TransportKindSchema,
      command: z.string().min(1).max(4096).optional(),
      args: z.array(z.string().max(4096)).max(200).optional(),
      env: z.record(z.string(), z.string()).optional(),
      cwd: z.string().max(4096).optional(),
      url: z.url().optional(),
      headers: z.record(z.string(), z.string()).optional(),
    })
    .strict()
    .refine((v) => (v.transport === "stdio" ? Boolean(v.command) : Boolean(v.url)), {
      message: "a stdio server needs a command; an http or sse server needs a url",
    }),
);
export type AddServerInput = z.infer<typeof AddServerInputSchema>;

export const ActionResultSchema = z.lazy(() =>
  z.object({
    ok: z.boolean(),
    message: z.string(),
    /** A refusal the same action with `force` overrides: the label of the button that does it. */
    force: z.string().optional(),
    /** What forcing does: put the original entry back (a backup is kept), or forget an entry that is gone. */
    forcing: z.enum(["restore", "forget"]).optional(),
  }),
);
export type ActionResult = z.infer<typeof ActionResultSchema>;

/** A config entry mcpscope has wrapped (from its records), and whether it is still wrapped. */
export const InstrumentedEntrySchema = z.lazy(() =>
  z.object({
    client: z.string(),
    server: z.string(),
    file: z.string(),
    /** The entry's scope (null in records from before scopes were kept) and, for a local one, its project. */
    scope: z.string().nullable(),
    project: z.string().nullable(),
    instrumentedAt: z.string(),
    /** The entry is there and still wrapped by mcpscope. */
    inPlace: z.boolean(),
    /** The entry is as mcpscope wrote it: undoing it needs no --force. */
    exact: z.boolean(),
    /** Why the entry's state could not be read (file missing or malformed). */
    problem: z.string().nullable(),
    /** The path of the mcpscope it runs, gone (its client cannot start it); null when it is there. */
    launcherGone: z.string().nullable(),
    /** The other mcpscope install it runs, still there (a notice); null when it runs this one. */
    launcherOther: OtherInstallSchema.nullable(),
  }),
);
export type InstrumentedEntry = z.infer<typeof InstrumentedEntrySchema>;

/** The scopes `--scope` picks an entry by (a hand-added server has no config entry to pick). */
export const PickScopeSchema = ScopeSchema.exclude(["manual"]);
export type PickScope = z.infer<typeof PickScopeSchema>;

/**
 * The entry `instrument.entry` wraps: a client's server by name (and file, when the name is in several),
 * looked up as discovery finds it (with one more project folder, or another home for testing). Paths are
 * read on the machine that serves the method; browser mode serves it only with its token.
 */
export const InstrumentEntryInputSchema = z.lazy(() =>
  z
    .object({
      client: ClientIdSchema,
      server: z.string().min(1).max(500),
      file: z.string().min(1).max(4096).optional(),
      /** Keeps the entries of this scope (one file can hold several: Claude Code's user and local scopes). */
      scope: PickScopeSchema.optional(),
      /** Also reads this project's configs, and keeps (of the local and project scopes) its entries only. */
      project: z.string().min(1).max(4096).optional(),
      home: z.string().min(1).max(4096).optional(),
    })
    .strict(),
);

const CommandLineSchema = z.object({ command: z.string(), args: z.array(z.string()) });

/**
 * What `instrument.entry` did. `wrapped`: a stdio entry now launches `mcpscope run` (`command`, `args`
 * masked; `before` masked; `byHand` when it was already wrapped by hand). `proxied`: a remote entry now
 * names mcpscope's proxy (`url`) instead of `upstream`. `disabled`: the client has the entry switched off,
 * so it launches it only once it is enabled there. `warning`: the change is made, but its backup could
 * not be listed in the backup manifest — one line saying where the backup is and how to undo by hand.
 * `mcpscope instrument --json` prints all but `kind`, `before` and `byHand`.
 */
export const InstrumentEntryResultSchema = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("wrapped"),
      /**
       * marked: wrapped by an earlier mcpscope, it now carries its entry marker (`run --entry`); repaired:
       * the mcpscope it ran is gone (`gone`), and it now runs this one.
       */
      status: z.enum(["instrumented", "already-instrumented", "marked", "repaired"]),
      client: z.string(),
      server: z.string(),
      file: z.string(),
      command: z.string(),
      args: z.array(z.string()),
      backup: z.string().nullable(),
      warning: z.string().nullable(),
      before: CommandLineSchema,
      byHand: z.boolean(),
      disabled: z.boolean(),
      /** About the mcpscope the entry now runs (a copy made of a passing install, a Node a manager may remove). */
      notes: z.array(z.string()),
      /** repaired: the path of the mcpscope it ran, which is gone. */
      gone: z.string().nullable(),
      /** already-instrumented: the other mcpscope install it runs, left as it is (`--repair` re-points it). */
      other: OtherInstallSchema.nullable(),
      /** Old copies of the CLI removed from the data dir's runtime folder after this change; null: none. */
      pruned: RuntimePruneSchema.nullable(),
    }),
    z.object({
      kind: z.literal("proxied"),
      status: z.enum(["instrumented", "already-instrumented", "marked"]),
      client: z.string(),
      server: z.string(),
      file: z.string(),
      upstream: z.string(),
      url: z.string(),
      backup: z.string().nullable(),
      warning: z.string().nullable(),
      disabled: z.boolean(),
    }),
  ]),
);
export type InstrumentEntryResult = z.infer<typeof InstrumentEntryResultSchema>;

/**
 * Which entries `instrument.undo` restores: every recorded one (`all`), or one by client and name (and
 * file, when the name is in several). `home` keeps to configs under that folder (for testing). Paths are
 * read on the machine that serves the method; browser mode serves it only with its token.
 */
export const UndoInstrumentInputSchema = z.lazy(() =>
  z
    .object({
      all: z.boolean().optional(),
      client: ClientIdSchema.optional(),
      server: z.string().min(1).max(500).optional(),
      file: z.string().min(1).max(4096).optional(),
      scope: PickScopeSchema.optional(),
      project: z.string().min(1).max(4096).optional(),
      home: z.string().min(1).max(4096).optional(),
      /** Put the original back even over an entry changed since (a backup is kept). */
      force: z.boolean().optional(),
    })
    .strict()
    .refine((input) => input.all === true || (input.client !== undefined && input.server !== undefined), {
      message: "name a client and a server, or all",
    })
    .refine((input) => input.all !== true || (input.client === undefined && input.server === undefined), {
      message: "all restores everything; leave out client and server",
    }),
);

/**
 * Which wrapped entries `instrument.repair` points at this mcpscope: every recorded one, or those of a
 * client, a name, a file, a scope (as `instrument.undo` picks them), or the one entry an inventory id
 * names (what a Servers row repairs: no path, so no consent). Paths are read on the machine that serves
 * the method; browser mode serves it only with its token.
 */
export const RepairInputSchema = z.lazy(() =>
  z
    .object({
      /** The entry's inventory id (`servers.*`'s `id`): that entry alone. */
      id: z.string().min(1).max(2000).optional(),
      client: ClientIdSchema.optional(),
      server: z.string().min(1).max(500).optional(),
      file: z.string().min(1).max(4096).optional(),
      scope: PickScopeSchema.optional(),
      project: z.string().min(1).max(4096).optional(),
      home: z.string().min(1).max(4096).optional(),
    })
    .strict(),
);
export type RepairInput = z.infer<typeof RepairInputSchema>;

/** What `mcpscope instrument --repair --json` prints: each wrapped entry, and what became of it. */
export const RepairResultSchema = z.object({
  entries: z.array(
    z.object({
      client: z.string(),
      server: z.string(),
      file: z.string(),
      /** repaired: it now runs this mcpscope; unchanged: it already did; failed: see `error`. */
      status: z.enum(["repaired", "unchanged", "failed"]),
      /** The mcpscope it ran and runs now (program and script); null when it failed before they were read. */
      was: z.string().nullable(),
      now: z.string().nullable(),
      /** The path of the mcpscope it ran that was gone; null when it was there (another install). */
      gone: z.string().nullable(),
      backup: z.string().nullable(),
      /** Repaired, but its backup could not be listed in the backup manifest: where it is, in one line. */
      warning: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  /** Old copies of the CLI removed from the data dir's runtime folder after the repair; null: none. */
  pruned: RuntimePruneSchema.nullable(),
});
export type RepairResult = z.infer<typeof RepairResultSchema>;

/** What `mcpscope uninstrument --json` prints: each entry, what became of it, or why it failed. */
export const UndoInstrumentResultSchema = z.lazy(() =>
  z.object({
    entries: z.array(
      z.object({
        client: z.string(),
        server: z.string(),
        file: z.string(),
        /** restored, forced (over a changed entry), unchanged (already restored), forgotten (gone), failed. */
        status: z.enum(["restored", "forced", "unchanged", "forgotten", "failed"]),
        backup: z.string().nullable(),
        /** Restored, but its backup could not be listed in the backup manifest: where it is, in one line. */
        warning: z.string().nullable(),
        error: z.string().nullable(),
      }),
    ),
  }),
);
export type UndoInstrumentResult = z.infer<typeof UndoInstrumentResultSchema>;

/**
 * Server names with something stored, by kind (each sorted): what a `--server NAME` filter may name. A name
 * is known if any kind has it (or a config names it); the typo hint lists those of the kind asked for.
 */
export const KnownServersSchema = z.lazy(() =>
  z.object({
    calls: z.array(z.string()),
    logs: z.array(z.string()),
    events: z.array(z.string()),
    pins: z.array(z.string()),
  }),
);
export type KnownServers = z.infer<typeof KnownServersSchema>;
