import { describe, expect, it, vi } from "vitest";
import { RENDERER_URL } from "../../electron/main/app-protocol.js";
import { EngineCallError } from "../../electron/main/engine-client.js";
import { createIpcRelay, type InvokeEventLike, pushEvent } from "../../electron/main/ipc-relay.js";
import { IPC_EVENT_CHANNEL } from "../../shared/api.js";

const rendererUrl = RENDERER_URL;
const ourWindow = { id: 1 };

function setup(
  invoke = vi.fn(async (_method: string, _input: unknown): Promise<unknown> => "engine says hi"),
) {
  const onRefused = vi.fn();
  const relay = createIpcRelay({
    rendererUrl,
    isOwnWindow: (sender) => sender === ourWindow,
    engine: { invoke },
    onRefused,
  });
  return { relay, invoke, onRefused };
}

const fromUs = (url = `${rendererUrl}#/calls`): InvokeEventLike => ({
  sender: ourWindow,
  senderFrame: { url },
});

function expectOneLineError(reply: unknown, kind: string): string {
  expect(reply).toEqual({ error: { message: expect.any(String), kind } });
  const { message } = (reply as { error: { message: string } }).error;
  expect(message).not.toMatch(/[\r\n]/);
  expect(message.length).toBeGreaterThan(0);
  return message;
}

describe("the IPC relay", () => {
  it("forwards a valid call from our window to the engine, with the parsed input, and returns its result", async () => {
    const { relay, invoke } = setup();
    const reply = await relay(fromUs(), "calls.list", { limit: 5, server: "memory" });
    expect(reply).toEqual({ result: "engine says hi" });
    expect(invoke).toHaveBeenCalledWith("calls.list", { limit: 5, server: "memory" });
  });

  it("treats a missing input as empty", async () => {
    const { relay, invoke } = setup();
    await expect(relay(fromUs(), "servers.list", undefined)).resolves.toEqual({ result: "engine says hi" });
    expect(invoke).toHaveBeenCalledWith("servers.list", {});
  });

  it.each([
    ["another webContents showing our page", { sender: { id: 2 }, senderFrame: { url: rendererUrl } }],
    [
      "our window showing another page",
      { sender: ourWindow, senderFrame: { url: "https://evil.example/index.html" } },
    ],
    [
      "our window showing another local file",
      { sender: ourWindow, senderFrame: { url: "file:///tmp/index.html" } },
    ],
    ["a frame that is gone", { sender: ourWindow, senderFrame: null }],
  ])("refuses a call from %s without reaching the engine", async (_name, event) => {
    const { relay, invoke, onRefused } = setup();
    const reply = await relay(event as InvokeEventLike, "servers.list", {});
    expect(expectOneLineError(reply, "forbidden")).toBe(
      "request refused: it did not come from the mcpscope window",
    );
    expect(invoke).not.toHaveBeenCalled();
    expect(onRefused).toHaveBeenCalledOnce();
  });

  it.each([
    ["an unknown name", "fs.readFile", "unknown method: fs.readFile"],
    ["a prototype key", "constructor", "unknown method: constructor"],
    ["a non-string", 42, "unknown method: number"],
    ["a long name, cut short", "x".repeat(500), `unknown method: ${"x".repeat(80)}`],
  ])("refuses %s", async (_name, method, message) => {
    const { relay, invoke } = setup();
    const reply = await relay(fromUs(), method, {});
    expect(expectOneLineError(reply, "input")).toBe(message);
    expect(invoke).not.toHaveBeenCalled();
  });

  it.each([
    ["a wrong type", "calls.get", { id: "7" }, /^invalid input for calls\.get: id: /],
    ["an unknown key", "servers.list", { drop: true }, /^invalid input for servers\.list: /],
    ["an out-of-range limit", "calls.list", { limit: 10_000 }, /^invalid input for calls\.list: limit: /],
    ["a non-object", "stats.get", "everything", /^invalid input for stats\.get: /],
  ])("refuses %s in the input before it reaches the engine", async (_name, method, input, message) => {
    const { relay, invoke } = setup();
    const reply = await relay(fromUs(), method, input);
    expect(expectOneLineError(reply, "input")).toMatch(message);
    expect(invoke).not.toHaveBeenCalled();
  });

  it("returns the engine's failure as a one-line error with its kind", async () => {
    const invoke = vi.fn(async () => {
      throw new EngineCallError({
        message: "servers.list timed out: the engine did not answer",
        kind: "timeout",
      });
    });
    const { relay } = setup(invoke);
    const reply = await relay(fromUs(), "servers.list", {});
    expect(expectOneLineError(reply, "timeout")).toBe("servers.list timed out: the engine did not answer");
  });

  it("keeps only the first line of an unexpected error", async () => {
    const invoke = vi.fn(async () => {
      throw new Error("boom\n    at secret (/home/me/src/engine.ts:1:1)");
    });
    const { relay } = setup(invoke);
    expect(expectOneLineError(await relay(fromUs(), "servers.list", {}), "engine")).toBe("boom");
  });
});

describe("pushEvent", () => {
  it("sends the event to every live window and skips destroyed ones", () => {
    const live = { isDestroyed: () => false, send: vi.fn() };
    const gone = { isDestroyed: () => true, send: vi.fn() };
    pushEvent([live, gone], IPC_EVENT_CHANNEL, "calls.new", [{ id: 1 }]);
    expect(live.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, { event: "calls.new", payload: [{ id: 1 }] });
    expect(gone.send).not.toHaveBeenCalled();
  });
});
