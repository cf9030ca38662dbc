/**
 * Discovered MCP servers: what the MCP clients on this machine have configured. The public shape has
 * secret values masked; the engine keeps the raw values only in memory, to launch servers.
 */
import { z } from "zod";

export const CLIENT_IDS = [
  "claude-desktop",
  "claude-code",
  "cursor",
  "vscode",
  "windsurf",
  "cline",
  "zed",
  "gemini",
  "codex",
  "continue",
  "lmstudio",
  "goose",
] as const;
export const ClientIdSchema = z.enum(CLIENT_IDS);
export type ClientId = z.infer<typeof ClientIdSchema>;

export const TransportKindSchema = z.enum(["stdio", "http", "sse"]);
export type TransportKind = z.infer<typeof TransportKindSchema>;

/** `user`: the user's global config; `project`/`workspace`: a folder's config; `manual`: added in mcpscope. */
export const ScopeSchema = z.enum(["user", "project", "workspace", "local", "manual"]);
export type Scope = z.infer<typeof ScopeSchema>;

/** Another mcpscope install a wrapped entry runs (electron/monitor/instrument/other-install.ts). */
export const OtherInstallSchema = z.lazy(() =>
  z.object({
    /** Its program or mcpscope script, the one that differs from this install's. */
    path: z.string(),
    /** Its version, when it can be read cheaply; else null. */
    version: z.string().nullable(),
    /** Known to be older than this one: it cannot record into a data dir this one has upgraded. */
    older: z.boolean(),
  }),
);
export type OtherInstall = z.infer<typeof OtherInstallSchema>;

export const ServerDefinitionSchema = z.object({
  /** Stable across reads: client, scope, file and name. */
  id: z.string(),
  name: z.string(),
  client: z.union([ClientIdSchema, z.literal("manual")]),
  scope: ScopeSchema,
  file: z.string().nullable(),
  transport: TransportKindSchema,
  command: z.string().nullable(),
  args: z.array(z.string()),
  /** Values masked. */
  env: z.record(z.string(), z.string()),
  cwd: z.string().nullable(),
  url: z.string().nullable(),
  /** Values masked. */
  headers: z.record(z.string(), z.string()),
  /** Launched through `mcpscope run` (the entry carries mcpscope's marker). */
  instrumented: z.boolean(),
  /**
   * Why mcpscope does not edit this entry (it lives in a file the client's own tooling replaces, like a
   * Gemini CLI extension's manifest) and what to do instead, one line. Absent when it can be instrumented.
   */
  notEditable: z.string().optional(),
  /**
   * The client has the entry switched off (`"disabled": true`, `enabled = false`): it does not launch it,
   * so mcpscope neither probes it nor alerts on it.
   */
  disabled: z.boolean(),
  /**
   * A wrapped entry whose mcpscope is gone: the path of its program or script that no longer exists (or
   * cannot be run), so its client cannot start it (`mcpscope instrument --repair` points it at this one).
   * Absent when it is there, or when it cannot be told (a bare `mcpscope` found on the client's PATH).
   */
  launcherGone: z.string().optional(),
  /**
   * A wrapped entry that runs another mcpscope install, still there (an older npm install, another Node's,
   * an older app version's copy): the program or script that differs from this install's, its version when
   * it can be read, and whether it is known to be older (then it cannot record into an upgraded data dir).
   * A notice: `mcpscope instrument --repair` points it at this one. Absent when it runs this one.
   */
  launcherOther: OtherInstallSchema.optional(),
});
export type ServerDefinition = z.infer<typeof ServerDefinitionSchema>;

export const DiscoveryWarningSchema = z.lazy(() =>
  z.object({
    file: z.string(),
    message: z.string(),
    /**
     * `lost-wrapping`: the file was read, but an entry mcpscope instrumented no longer goes through it;
     * `launcher-gone`: an instrumented entry's client cannot start it, as the mcpscope it runs is gone;
     * `launcher-other`: an instrumented entry runs another mcpscope install (a notice).
     */
    kind: z.enum(["lost-wrapping", "launcher-gone", "launcher-other"]).optional(),
  }),
);
export type DiscoveryWarning = z.infer<typeof DiscoveryWarningSchema>;

/** `mcpscope discover --json` prints this; `discovery.list` returns it. */
export const DiscoveryResultSchema = z.lazy(() =>
  z.object({
    servers: z.array(ServerDefinitionSchema),
    warnings: z.array(DiscoveryWarningSchema),
  }),
);
export type DiscoveryResult = z.infer<typeof DiscoveryResultSchema>;

/**
 * Which configs `discovery.list` reads: one client (or the hand-added servers), extra project folders, and
 * another home folder (for testing). Paths are read on the machine that serves the method; browser mode
 * serves it only to a request carrying its token, like every method.
 */
export const DiscoveryQuerySchema = z.lazy(() =>
  z
    .object({
      client: z.union([ClientIdSchema, z.literal("manual")]).optional(),
      projectDirs: z.array(z.string().min(1).max(4096)).max(100).optional(),
      home: z.string().min(1).max(4096).optional(),
    })
    .strict(),
);
export type DiscoveryQuery = z.infer<typeof DiscoveryQuerySchema>;
