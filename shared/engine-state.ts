import { z } from "zod";

/**
 * Whether the engine behind a window is there, as the desktop app's main process knows it (it forks the
 * engine, restarts it after a crash, and gives up after too many):
 * - `starting`: the first engine is opening the data dir;
 * - `up`: it answers;
 * - `restarting`: it ended unexpectedly and a new one is on its way (`reason` says how it ended);
 * - `stopped`: it is not coming back on its own (`reason` says why; the tray offers Restart engine).
 * An engine answering `engine.state` itself (browser mode) is `up` by definition.
 */
export const ENGINE_STATES = ["starting", "up", "restarting", "stopped"] as const;

export const EngineStateSchema = z.lazy(() =>
  z
    .object({
      state: z.enum(ENGINE_STATES),
      /** One line for the user: how the engine ended, or why it stays down; null while all is well. */
      reason: z.string().max(1000).nullable(),
    })
    .strict(),
);
export type EngineState = z.infer<typeof EngineStateSchema>;
