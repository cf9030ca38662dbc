/**
 * The engine host's loop, kept apart from its entry (engine-host.ts) so that tests can drive it with a
 * fake port and a fake engine: answers each `call` with exactly one `result` or `error`, forwards every
 * API event, closes the engine on `shutdown`. Runs in a utilityProcess; never imports `electron`.
 */
import { API_EVENTS } from "../../shared/api.js";
import type { Engine, EngineCloseOptions } from "../monitor/engine-types.js";
import { type HostToMain, isMainToHost, toErrorInfo } from "./host-protocol.js";

/** `process.parentPort` inside an Electron utilityProcess. */
export interface ParentPortLike {
  on(event: "message", listener: (message: { data: unknown }) => void): unknown;
  postMessage(message: HostToMain): void;
}

export interface HostServiceOptions {
  createEngine(): Promise<Engine>;
  exit(code: number): void;
  log?(line: string): void;
}

export interface HostService {
  /**
   * Closes the engine (its servers stop, data is flushed), then exits with `code`: on `shutdown` from
   * main (the user quit: the servers stop for good), and from the entry on a signal or an uncaught
   * exception (`keepLaunched`: the next engine starts them again). Called again, it is the same close.
   */
  shutdown(code?: number, options?: EngineCloseOptions): Promise<void>;
  /** Whether a close is under way (a signal then is the second one: the host is to end at once). */
  readonly closing: boolean;
}

export function serveEngine(port: ParentPortLike, options: HostServiceOptions): HostService {
  const log = options.log ?? ((line: string) => console.error(`mcpscope engine host: ${line}`));
  const post = (message: HostToMain): void => {
    try {
      port.postMessage(message);
    } catch (error) {
      // Most likely a value that cannot be cloned; answer the call rather than leave it to time out.
      if (message.type === "result") {
        port.postMessage({ type: "error", id: message.id, error: toErrorInfo(error, "engine") });
      } else {
        log(`could not post a ${message.type} message: ${toErrorInfo(error, "engine").message}`);
      }
    }
  };

  const unsubscribes: Array<() => void> = [];
  const engineReady = options.createEngine().then((engine) => {
    for (const event of Object.keys(API_EVENTS)) {
      unsubscribes.push(engine.subscribe(event, (payload) => post({ type: "event", event, payload })));
    }
    post({ type: "ready" });
    return engine;
  });
  engineReady.catch((error: unknown) => {
    const info = toErrorInfo(error, "storage");
    log(`the engine could not start: ${info.message}`);
    post({ type: "fatal", error: info });
    options.exit(1);
  });

  let closing: Promise<void> | null = null;
  const shutdown = (code = 0, closeOptions?: EngineCloseOptions): Promise<void> => {
    closing ??= (async () => {
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
      try {
        await (await engineReady).close(closeOptions);
      } catch (error) {
        log(`closing the engine failed: ${toErrorInfo(error, "storage").message}`);
      }
      options.exit(code);
    })();
    return closing;
  };

  port.on("message", ({ data }) => {
    if (!isMainToHost(data)) {
      log("ignored a message that is not part of the host protocol");
      return;
    }
    if (data.type === "shutdown") {
      void shutdown();
      return;
    }
    const { id, method, input } = data;
    if (closing) {
      post({
        type: "error",
        id,
        error: { message: `${method} refused: the engine is shutting down`, kind: "engine" },
      });
      return;
    }
    engineReady
      .then((engine) => engine.invoke(method, input))
      .then(
        (result) => post({ type: "result", id, result }),
        (error: unknown) => post({ type: "error", id, error: toErrorInfo(error, "engine") }),
      );
  });
  return {
    shutdown,
    get closing() {
      return closing !== null;
    },
  };
}
