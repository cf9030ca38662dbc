/**
 * The monitor engine: implements the shared API over the data dir's database and pushes live events.
 * Hosted by the Electron utilityProcess, by `mcpscope serve`, and by tests, in process.
 */
import { statSync } from "node:fs";
import {
  API_METHODS,
  ApiInputError,
  type EventName,
  isEventName,
  isMethodName,
  type MethodName,
  type MethodOutput,
  parseMethodInput,
} from "../../shared/api.js";
import type { Engine, EngineOptions } from "./engine-types.js";
import { MonitoringError } from "./errors.js";
import { databasePath } from "./paths.js";
import { openDb } from "./store/db.js";
import {
  callsAfter,
  getCall,
  lastCallId,
  listCalls,
  listServers,
  resolveRange,
  statsDocument,
} from "./store/queries.js";
import { VERSION } from "./version.js";

type Handlers = { [M in MethodName]: (input: ReturnType<typeof parseMethodInput<M>>) => MethodOutput<M> };

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const dbPath = databasePath(options.dataDir);
  const db = openDb(dbPath);
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let lastId = lastCallId(db);
  let closed = false;

  const handlers: Handlers = {
    "system.info": () => ({
      version: VERSION,
      dataDir: options.dataDir,
      databaseBytes: fileSize(dbPath) + fileSize(`${dbPath}-wal`),
      dropped: Number(db.prepare("SELECT coalesce(sum(dropped), 0) AS n FROM sessions").get()?.n ?? 0),
      writeFailures: 0,
    }),
    "servers.list": () => listServers(db),
    "stats.get": (input) => statsDocument(db, resolveRange(input.since, input.until, "1h"), input.server),
    "calls.list": (input) => listCalls(db, input),
    "calls.get": (input) => getCall(db, input.id),
  };

  // Wrappers write from other processes; look for new calls while anyone listens.
  const poll = () => {
    if (closed || !listeners.get("calls.new")?.size) return;
    try {
      for (;;) {
        const calls = callsAfter(db, lastId);
        if (calls.length === 0) break;
        lastId = calls[calls.length - 1]?.id ?? lastId;
        emit("calls.new", calls);
        if (calls.length < 500) break;
      }
    } catch {
      // A locked or busy database: try again on the next tick.
    }
  };
  const timer = setInterval(poll, options.pollIntervalMs ?? 300);
  timer.unref();

  function emit(event: EventName, payload: unknown) {
    for (const listener of listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch {
        // One broken subscriber must not stop the others.
      }
    }
  }

  return {
    dataDir: options.dataDir,
    async invoke(method, input) {
      if (closed) throw new MonitoringError("collection", "the engine is closed");
      if (!isMethodName(method))
        throw new ApiInputError(method, `unknown method; known: ${Object.keys(API_METHODS).join(", ")}`);
      const parsed = parseMethodInput(method, input);
      return (handlers[method] as (input: unknown) => unknown)(parsed);
    },
    subscribe(event, listener) {
      if (!isEventName(event)) throw new ApiInputError(event, "unknown event");
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      if (event === "calls.new" && set.size === 0) lastId = Math.max(lastId, safeLastId());
      set.add(listener);
      return () => set.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      listeners.clear();
      db.close();
    },
  };

  function safeLastId(): number {
    try {
      return lastCallId(db);
    } catch {
      return lastId;
    }
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
