import { beforeAll, describe, expect, it, vi } from "vitest";
import { type ApiTransport, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from "../../shared/api.js";

// The real `electron` module is never loaded (it would try to download the binary): the preload gets a
// contextBridge that records what is exposed and an ipcRenderer the test plays.
const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: undefined as unknown as ReturnType<typeof vi.fn>,
  renderer: undefined as unknown as import("node:events").EventEmitter,
}));

vi.mock("electron", async () => {
  const { EventEmitter } = await import("node:events");
  const renderer = new EventEmitter();
  fake.renderer = renderer;
  fake.invoke = vi.fn();
  return {
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api),
    },
    ipcRenderer: Object.assign(renderer, { invoke: fake.invoke }),
  };
});

let bridge: ApiTransport;

beforeAll(async () => {
  await import("../../electron/preload/index.js");
  bridge = fake.exposed.get("mcpscope") as ApiTransport;
});

function push(frame: unknown) {
  fake.renderer.emit(IPC_EVENT_CHANNEL, { sender: null }, frame);
}

describe("the preload bridge", () => {
  it("exposes exactly invoke and subscribe as window.mcpscope, and nothing else", () => {
    expect([...fake.exposed.keys()]).toEqual(["mcpscope"]);
    expect(Object.keys(bridge).sort()).toEqual(["invoke", "subscribe"]);
    expect(typeof bridge.invoke).toBe("function");
    expect(typeof bridge.subscribe).toBe("function");
    expect(Object.values(bridge)).not.toContain(fake.renderer);
  });

  it("invokes a known method on the invoke channel and returns the result", async () => {
    fake.invoke.mockResolvedValueOnce({ result: [{ name: "memory" }] });
    await expect(bridge.invoke("servers.list", {})).resolves.toEqual([{ name: "memory" }]);
    expect(fake.invoke).toHaveBeenLastCalledWith(IPC_INVOKE_CHANNEL, "servers.list", {});
  });

  it("throws the main process's one-line error message", async () => {
    fake.invoke.mockResolvedValueOnce({
      error: { message: "invalid input for calls.get: id: too small", kind: "input" },
    });
    await expect(bridge.invoke("calls.get", { id: 0 })).rejects.toThrow(
      expect.objectContaining({ message: "invalid input for calls.get: id: too small", kind: "input" }),
    );
  });

  it("refuses an unknown method without sending anything", async () => {
    fake.invoke.mockClear();
    await expect(bridge.invoke("shell.exec", { cmd: "rm -rf /" })).rejects.toThrow(
      "unknown mcpscope method: shell.exec",
    );
    await expect(bridge.invoke("__proto__", {})).rejects.toThrow("unknown mcpscope method");
    expect(fake.invoke).not.toHaveBeenCalled();
  });

  it("refuses an unknown event", () => {
    expect(() => bridge.subscribe("ipc.anything", () => {})).toThrow("unknown mcpscope event: ipc.anything");
  });

  it("delivers only the subscribed event's payloads, until unsubscribed", () => {
    const listener = vi.fn();
    const unsubscribe = bridge.subscribe("calls.new", listener);
    push({ event: "calls.new", payload: [{ id: 1 }] });
    push({ event: "alerts.fired", payload: "other" });
    push("not a frame");
    expect(listener.mock.calls).toEqual([[[{ id: 1 }]]]);

    unsubscribe();
    push({ event: "calls.new", payload: [{ id: 2 }] });
    expect(listener).toHaveBeenCalledOnce();
  });

  it("listens on the event channel once, however many subscribers there are", () => {
    const offs = Array.from({ length: 20 }, () => bridge.subscribe("calls.new", () => {}));
    expect(fake.renderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(1);
    for (const off of offs) off();
  });

  it("keeps delivering when one page listener throws", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const after = vi.fn();
    const offBad = bridge.subscribe("calls.new", () => {
      throw new Error("page bug");
    });
    const offAfter = bridge.subscribe("calls.new", after);
    push({ event: "calls.new", payload: [] });
    expect(after).toHaveBeenCalledOnce();
    expect(error).toHaveBeenCalled();
    offBad();
    offAfter();
    error.mockRestore();
  });
});
