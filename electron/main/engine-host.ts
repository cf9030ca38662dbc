/**
 * Entry of dist/engine-host.mjs, which the main process forks as a utilityProcess: the monitor engine
 * off the main process (SQLite, polling, supervision). `process.parentPort` is Electron's link to main;
 * nothing here imports `electron`.
 */
import { constants } from "node:os";
import { createEngine } from "../monitor/engine.js";
import { defaultDataDir } from "../monitor/paths.js";
import { closeLiveChildren, killLiveChildren } from "../monitor/supervisor/child-transport.js";
import { stopGraceFromEnv } from "../monitor/supervisor/stop-grace.js";
import { type ParentPortLike, serveEngine } from "./host-service.js";
import { testSupervision } from "./test-supervision.js";

const STOP_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

const port = (process as unknown as { parentPort?: ParentPortLike | null }).parentPort;
if (!port) {
  console.error("mcpscope: engine-host.mjs runs only inside the mcpscope app (an Electron utilityProcess)");
  process.exit(2);
} else {
  const service = serveEngine(port, {
    createEngine: () =>
      createEngine({
        dataDir: defaultDataDir(),
        inventory: {
          stopGraceMs: stopGraceFromEnv(process.env, (line) => console.error(line)),
          ...testSupervision(),
        },
      }),
    exit: (code) => {
      // A probe still under way: its server goes too, rather than outlive the engine in its own group.
      void closeLiveChildren().finally(() =>
        // A moment's grace so that a last `fatal` message reaches main before the process is gone.
        setTimeout(() => process.exit(code), 100),
      );
    },
  });
  // The servers lead process groups of their own, out of reach of whatever ends this process: stop them
  // first. Only main's `shutdown` message is the user quitting; a signal to this process alone or an
  // uncaught exception ends the engine with the app still running, so main starts another, which starts
  // the user's servers again. A signal while a close is under way (a second one, or main killing a host
  // whose close hangs) does not wait for it.
  const stop = (code: number): void => {
    if (service.closing) {
      killLiveChildren();
      process.exit(code);
    }
    void service.shutdown(code, { keepLaunched: true });
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(128 + constants.signals[signal]));
  process.on("uncaughtException", (error) => {
    console.error("mcpscope engine host: uncaught exception; stopping the engine:", error);
    stop(1);
  });
}
