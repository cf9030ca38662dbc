/**
 * One health check of one server, on demand (`servers.check`, `mcpscope check`): what is checked, and
 * what the check found.
 */
import { z } from "zod";
import { CheckStatusSchema } from "./servers.js";
import { DurationTextSchema } from "./units.js";

/**
 * Exactly one target. `server` names a configured server (its inventory id, or a name one config entry
 * has), so what runs comes from the user's own config. `command` and `url` name a target in the request
 * itself: only the terminal's `mcpscope check` may ask that; the engine, serving the app over IPC and
 * the browser over HTTP, refuses them, because a page must never make this machine run a command.
 */
export const CheckInputSchema = z.lazy(() =>
  z
    .object({
      server: z.string().min(1).max(500).optional(),
      /** For `server`: look it up in the client configs under this home folder instead (for testing). */
      home: z.string().min(1).max(4096).optional(),
      /** A command line to launch over stdio: the program, then its arguments. */
      command: z.array(z.string().max(4096)).min(1).max(200).optional(),
      url: z.url().optional(),
      headers: z.record(z.string().max(200), z.string().max(8192)).optional(),
      /** For `url`: Streamable HTTP (default) or the older HTTP+SSE. */
      transport: z.enum(["http", "sse"]).optional(),
      /** How long each step (handshake, ping, tools/list) may take; default 10s. */
      timeout: DurationTextSchema.optional(),
      /** A ping or tools/list slower than this is degraded; default 2s. */
      slow: DurationTextSchema.optional(),
    })
    .strict()
    .refine((v) => [v.server, v.command, v.url].filter((t) => t !== undefined).length === 1, {
      message: "give exactly one of server, command or url",
    })
    .refine((v) => (v.headers === undefined && v.transport === undefined) || v.url !== undefined, {
      message: "headers and transport go with url",
    })
    .refine((v) => v.home === undefined || v.server !== undefined, { message: "home goes with server" }),
);
export type CheckInput = z.infer<typeof CheckInputSchema>;

/** What one check found (what `mcpscope check --json` prints). */
export const CheckDocumentSchema = z.lazy(() =>
  z.object({
    status: CheckStatusSchema,
    /** The handshake and tools/list worked (a slow server is degraded, and still healthy). */
    healthy: z.boolean(),
    /** The command line, or the URL without its query. */
    target: z.string(),
    era: z.string().nullable(),
    protocolVersion: z.string().nullable(),
    server: z.object({ name: z.string().nullable(), version: z.string().nullable() }),
    handshakeMs: z.number().nullable(),
    pingMs: z.number().nullable(),
    listMs: z.number().nullable(),
    tools: z.array(z.object({ name: z.string(), description: z.string().nullable() })),
    toolsHash: z.string().nullable(),
    error: z.string().nullable(),
  }),
);
export type CheckDocument = z.infer<typeof CheckDocumentSchema>;
