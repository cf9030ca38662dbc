/**
 * In the desktop app the window follows its engine's state as the main process reports it: starting,
 * up, restarting, stopped with the reason. While the engine is away no figures are shown (no zero or
 * "all clear" that is not data), and views reload once it is back. The preload bridge is played here.
 */
import { describe, expect, it, vi } from "vitest";
import { onLinkBack, showsFigures } from "../../renderer/src/api/connection-rules.js";
import { createIpcTransport } from "../../renderer/src/api/ipc-transport.js";
import type { ConnectionState } from "../../renderer/src/api/transport.js";
import type { ApiTransport } from "../../shared/api.js";
import type { EngineState } from "../../shared/engine-state.js";

/** The preload's bridge: `engine.state` answered by main, events pushed by the test. */
function fakeBridge(initial: EngineState | Error) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let answer: (() => void) | null = null;
  const bridge: ApiTransport = {
    invoke: (method) => {
      if (method === "engine.state")
        return new Promise((resolve, reject) => {
          answer = () => (initial instanceof Error ? reject(initial) : resolve(initial));
        });
      if (method === "system.info") return Promise.reject(new Error("not in this test"));
      return Promise.resolve([]);
    },
    subscribe: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  return {
    bridge,
    answer: () => answer?.(),
    push: (state: EngineState) => {
      for (const listener of listeners.get("engine.state") ?? []) listener(state);
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function follow(transport: ReturnType<typeof createIpcTransport>) {
  const seen: Array<[ConnectionState, string | null]> = [];
  transport.onConnectionChange((state, reason) => seen.push([state, reason]));
  return seen;
}

describe("the IPC transport's connection state", () => {
  it("starts as connecting, takes main's answer, then follows what main pushes", async () => {
    const fake = fakeBridge({ state: "up", reason: null });
    const transport = createIpcTransport(fake.bridge);
    const seen = follow(transport);
    expect(seen).toEqual([["connecting", null]]);
    fake.answer();
    await flush();
    const crash = "the mcpscope engine exited with code 134; it is restarting, try again in a moment";
    fake.push({ state: "restarting", reason: crash });
    fake.push({ state: "up", reason: null });
    const gaveUp = "the mcpscope engine exited with code 1, and stopped after 6 failures in 120s";
    fake.push({ state: "stopped", reason: gaveUp });
    expect(seen).toEqual([
      ["connecting", null],
      ["connected", null],
      ["reconnecting", crash],
      ["connected", null],
      ["stopped", gaveUp],
    ]);
  });

  it("keeps a pushed state over an older answer that arrives after it", async () => {
    const fake = fakeBridge({ state: "starting", reason: null });
    const seen = follow(createIpcTransport(fake.bridge));
    fake.push({ state: "up", reason: null });
    fake.answer();
    await flush();
    expect(seen.at(-1)).toEqual(["connected", null]);
  });

  it("a main process that cannot answer leaves the window saying the engine is not there", async () => {
    const fake = fakeBridge(new Error("the mcpscope main process sent a reply this window cannot read"));
    const seen = follow(createIpcTransport(fake.bridge));
    fake.answer();
    await flush();
    expect(seen.at(-1)?.[0]).toBe("stopped");
  });
});

describe("what the window shows of its engine", () => {
  it("figures only while the desktop app's engine is up; in browser mode unless there is no token", () => {
    expect(showsFigures("ipc", "connected")).toBe(true);
    for (const state of ["connecting", "reconnecting", "stopped", "unauthorized"] as const)
      expect(showsFigures("ipc", state)).toBe(false);
    // Browser mode keeps its views over a dropped WebSocket: the HTTP API still answers.
    for (const state of ["connecting", "connected", "reconnecting"] as const)
      expect(showsFigures("http", state)).toBe(true);
    expect(showsFigures("http", "unauthorized")).toBe(false);
  });

  it("views reload when the engine is back, after a restart or after Restart engine, not at first start", () => {
    const reloads = vi.fn();
    const follow = onLinkBack(reloads);
    for (const state of ["connecting", "connected"] as const) follow(state);
    expect(reloads).not.toHaveBeenCalled();
    for (const state of ["reconnecting", "connected"] as const) follow(state);
    expect(reloads).toHaveBeenCalledTimes(1);
    for (const state of ["stopped", "connecting", "connected"] as const) follow(state);
    expect(reloads).toHaveBeenCalledTimes(2);
  });
});
