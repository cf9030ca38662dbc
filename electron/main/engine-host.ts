/**
 * Entry of dist/engine-host.mjs, which the main process forks as a utilityProcess: the monitor engine
 * off the main process (SQLite, polling, supervision). `process.parentPort` is Electron's link to main;
 * nothing here imports `electron`.
 */
import { createEngine } from "../monitor/engine.js";
import { defaultDataDir } from "../monitor/paths.js";
import { type ParentPortLike, serveEngine } from "./host-service.js";

const port = (process as unknown as { parentPort?: ParentPortLike | null }).parentPort;
if (!port) {
  console.error("mcpscope: engine-host.mjs runs only inside the mcpscope app (an Electron utilityProcess)");
  process.exit(2);
} else {
  serveEngine(port, {
    createEngine: () => createEngine({ dataDir: defaultDataDir() }),
    // A moment's grace so that a last `fatal` message reaches main before the process is gone.
    exit: (code) => setTimeout(() => process.exit(code), 100),
  });
}
