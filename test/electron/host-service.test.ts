import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EngineClient } from "../../electron/main/engine-client.js";
import type { HostToMain } from "../../electron/main/host-protocol.js";
import { serveEngine } from "../../electron/main/host-service.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { MonitoringError } from "../../electron/monitor/errors.js";
import { ApiInputError } from "../../shared/api.js";
import { linkedHost } from "./fakes.js";

/** An engine whose methods the test scripts; `emit` pushes an event to its subscribers. */
function fakeEngine(invoke: Engine["invoke"]) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const engine: Engine = {
    dataDir: "/fake",
    invoke,
    subscribe(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    close: vi.fn(async () => {}),
  };
  const emit = (event: string, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  return { engine, emit, listeners };
}

/** A parentPort the test drives directly; `ready` messages are counted apart from the rest. */
function fakePort() {
  let onMessage: (message: { data: unknown }) => void = () => {};
  const posted: HostToMain[] = [];
  const ready = { count: 0, before: -1 };
  return {
    posted,
    ready,
    port: {
      on: (_event: "message", listener: (message: { data: unknown }) => void) => {
        onMessage = listener;
      },
      postMessage: (message: HostToMain) => {
        if (message.type === "ready") {
          ready.count++;
          ready.before = posted.length;
        } else posted.push(structuredClone(message));
      },
    },
    deliver: (data: unknown) => onMessage({ data }),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("serveEngine (the engine host's loop)", () => {
  it("answers each call with exactly one result or error carrying the call's id", async () => {
    const { engine } = fakeEngine(async (method, input) => {
      if (method === "calls.get") throw MonitoringError.storage("database is locked; try again");
      if (method === "stats.get") throw new ApiInputError("stats.get", "since: Invalid input");
      return { method, input };
    });
    const { port, posted, deliver, ready } = fakePort();
    serveEngine(port, { createEngine: async () => engine, exit: vi.fn(), log: () => {} });
    deliver({ type: "call", id: 1, method: "servers.list", input: {} });
    deliver({ type: "call", id: 2, method: "calls.get", input: { id: 3 } });
    deliver({ type: "call", id: 3, method: "stats.get", input: { since: "" } });
    await flush();
    expect(posted).toEqual([
      { type: "result", id: 1, result: { method: "servers.list", input: {} } },
      { type: "error", id: 2, error: { message: "database is locked; try again", kind: "storage" } },
      {
        type: "error",
        id: 3,
        error: { message: "invalid input for stats.get: since: Invalid input", kind: "input" },
      },
    ]);
    // Main learns that the engine is up once, before any answer.
    expect(ready).toEqual({ count: 1, before: 0 });
  });

  it("answers with an error when the result cannot be cloned, instead of leaving the call to time out", async () => {
    const { engine } = fakeEngine(async () => ({ fn: () => 1 }));
    const { port, posted, deliver } = fakePort();
    serveEngine(port, { createEngine: async () => engine, exit: vi.fn(), log: () => {} });
    deliver({ type: "call", id: 9, method: "servers.list", input: {} });
    await flush();
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ type: "error", id: 9, error: { kind: "engine" } });
  });

  it("forwards every API event the engine emits", async () => {
    const { engine, emit } = fakeEngine(async () => null);
    const { port, posted } = fakePort();
    serveEngine(port, { createEngine: async () => engine, exit: vi.fn(), log: () => {} });
    await flush();
    emit("calls.new", [{ id: 1 }]);
    emit("not.an.api.event", "ignored: nobody subscribed");
    expect(posted).toEqual([{ type: "event", event: "calls.new", payload: [{ id: 1 }] }]);
  });

  it("reports a fatal error and exits 1 when the engine cannot start", async () => {
    const exit = vi.fn();
    const { port, posted, deliver } = fakePort();
    serveEngine(port, {
      createEngine: async () => {
        throw MonitoringError.storage("cannot open /x/mcpscope.db: permission denied\n    at open (db.ts:1)");
      },
      exit,
      log: () => {},
    });
    deliver({ type: "call", id: 1, method: "servers.list", input: {} });
    await flush();
    expect(posted).toContainEqual({
      type: "fatal",
      error: { message: "cannot open /x/mcpscope.db: permission denied", kind: "storage" },
    });
    expect(posted).toContainEqual({
      type: "error",
      id: 1,
      error: { message: "cannot open /x/mcpscope.db: permission denied", kind: "storage" },
    });
    expect(exit).toHaveBeenCalledWith(1);
  });

  it("closes the engine and exits 0 on shutdown, refusing later calls", async () => {
    const exit = vi.fn();
    const { engine, listeners } = fakeEngine(async () => null);
    const { port, posted, deliver } = fakePort();
    serveEngine(port, { createEngine: async () => engine, exit, log: () => {} });
    await flush();
    deliver({ type: "shutdown" });
    deliver({ type: "call", id: 5, method: "servers.list", input: {} });
    await flush();
    expect(engine.close).toHaveBeenCalledOnce();
    expect(exit).toHaveBeenCalledWith(0);
    expect(listeners.get("calls.new")?.size ?? 0).toBe(0);
    expect(posted).toEqual([
      {
        type: "error",
        id: 5,
        error: { message: "servers.list refused: the engine is shutting down", kind: "engine" },
      },
    ]);
  });

  it("ignores messages outside the protocol", async () => {
    const invoke = vi.fn(async () => null);
    const { engine } = fakeEngine(invoke);
    const { port, posted, deliver } = fakePort();
    const log = vi.fn();
    serveEngine(port, { createEngine: async () => engine, exit: vi.fn(), log });
    deliver({ id: 1, method: "servers.list" });
    deliver("servers.list");
    await flush();
    expect(invoke).not.toHaveBeenCalled();
    expect(posted).toEqual([]);
    expect(log).toHaveBeenCalledTimes(2);
  });
});

describe("EngineClient ↔ engine host ↔ the real engine", () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  it("calls the engine across the host protocol, with every message structured-cloned", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "mcpscope-host-"));
    const dir = dataDir;
    const link = linkedHost();
    const client = new EngineClient({ timeoutMs: 5_000 });
    client.attach(link.main);
    serveEngine(link.port, {
      createEngine: () => createEngine({ dataDir: dir }),
      exit: link.exit,
      log: () => {},
    });

    const info = await client.invoke("system.info", {});
    expect(info).toMatchObject({ dataDir: dir });
    await expect(client.invoke("servers.list", {})).resolves.toEqual([]);
    await expect(client.invoke("calls.get", { id: -1 })).rejects.toMatchObject({
      kind: "input",
      message: expect.stringMatching(/^invalid input for calls\.get: id: /),
    });

    const exited = new Promise<number>((resolve) => link.main.on("exit", resolve));
    expect(client.requestShutdown()).toBe(true);
    await expect(exited).resolves.toBe(0);
  });
});
