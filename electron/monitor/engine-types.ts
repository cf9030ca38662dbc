import type { ApiTransport } from "../../shared/api.js";
import type { AlertManagerOptions } from "./alerts/alert-manager.js";

/** The monitor engine as its hosts see it (the Electron utilityProcess, `mcpscope serve`, tests). */
export interface Engine extends ApiTransport {
  readonly dataDir: string;
  /** Stops polling and closes the database. */
  close(options?: EngineCloseOptions): Promise<void>;
}

export interface EngineCloseOptions {
  /**
   * The engine ends without the user asking (a signal to its process alone, an uncaught exception): the
   * servers it runs stop, but stay recorded as wanted, so that the next engine starts them again. By
   * default a close is the user's (app Quit, `serve` stopped): the servers stop for good.
   */
  keepLaunched?: boolean;
}

export interface EngineOptions {
  /** The data dir shared by the app, the CLI and every wrapper. */
  dataDir: string;
  /**
   * The clock of the engine's storage and retention passes (the check at open, storage, event, log and
   * metrics retention, the size cap, scheduled backups, lost sessions); default `Date.now`. Tests pass one.
   */
  now?: () => number;
  /** How often the engine looks for calls stored by wrappers, in ms (default 300). */
  pollIntervalMs?: number;
  /** The server inventory (discovery, supervision, health, resources); `false` to leave it off. */
  inventory?:
    | false
    | {
        home?: string;
        probeIntervalMs?: number;
        sampleIntervalMs?: number;
        supervisionCheckMs?: number;
        stopGraceMs?: number;
        supervisionLeaseMs?: number;
        /** How often wrapped entries' launchers are looked for between scans (default 60 s). */
        launcherCheckMs?: number;
      };
  /** Alert evaluation and delivery; `false` to leave it off. Tests pass a clock, channels or a faster tick. */
  alerts?: false | Pick<AlertManagerOptions, "now" | "createChannel" | "tickMs">;
  /**
   * The proxies for instrumented remote entries; `false` to leave them off. `workerUrl` is where their
   * observer worker's bundle is (default: beside the engine's bundle).
   */
  remoteProxies?: false | { workerUrl?: URL; checkMs?: number };
  /**
   * Worker threads that answer the read-only methods (api/read-pool.ts); `false` answers them on the
   * engine's thread. `workerUrl` is where the read worker's bundle is (default: beside the engine's);
   * `timeoutMs`, how long a read may run before it fails and its worker is replaced.
   */
  readPool?: false | { workerUrl?: URL; size?: number; timeoutMs?: number };
  /**
   * Background integrity checks (store/integrity.ts): the first after `delayMs` once the last recorded
   * check is `everyMs` old, then every `everyMs`; tests pass a clock.
   */
  integrityCheck?: { delayMs?: number; everyMs?: number; now?: () => number };
  /** Told before migrations run at start on an existing database (`serve` says so on the terminal). */
  upgrading?: (from: number, to: number) => void;
  /** Told, in one line, when that upgrade went on without keeping a copy (`serve` says so too; the log has it). */
  noUpgradeCopy?: (line: string) => void;
  /** Told when the database was found damaged at start and moved aside (`serve` says so on the terminal). */
  recovered?: (recovery: { movedTo: string; reason: string }) => void;
}
