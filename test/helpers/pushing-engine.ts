/** A stand-in engine for tests of the HTTP server's events socket. */
import type { Engine } from "../../electron/monitor/engine-types.js";

/** An engine that only pushes events: the HTTP server's side of the socket is what is under test. */
export function pushingEngine(dataDir: string) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let subscriptions = 0;
  const engine = {
    dataDir,
    call: async () => ({}),
    subscribe(event: string, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      subscriptions++;
      return () => set.delete(listener);
    },
    onConnectionChange: () => () => {},
    close: async () => {},
  } as unknown as Engine;
  const push = (event: string, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  return {
    engine,
    push,
    count: (event: string) => listeners.get(event)?.size ?? 0,
    subscriptions: () => subscriptions,
  };
}
