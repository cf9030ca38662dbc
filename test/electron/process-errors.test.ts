// The main process's policy for errors nothing caught, on a real EventEmitter standing in for `process`:
// a rejection is logged and the app goes on; an exception is logged, told in one box, and the app quits.
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { installErrorPolicy, whenReady } from "../../electron/main/process-errors.js";

function policy() {
  const source = new EventEmitter();
  const seen = { logs: [] as string[], boxes: [] as string[], quits: 0 };
  installErrorPolicy(source, {
    log: (line) => void seen.logs.push(line),
    showErrorBox: (title, content) => void seen.boxes.push(`${title}: ${content}`),
    quit: () => void seen.quits++,
  });
  return { source, seen };
}

describe("errors nothing caught in the main process", () => {
  it("an unhandled rejection is logged with its stack, and the app goes on", () => {
    const { source, seen } = policy();
    source.emit("unhandledRejection", new Error("the tray went away"));
    source.emit("unhandledRejection", "a bare string");
    expect(seen.logs).toHaveLength(2);
    expect(seen.logs[0]).toMatch(
      /^mcpscope: unhandled rejection in the main process: Error: the tray went away\n\s+at /,
    );
    expect(seen.logs[1]).toBe("mcpscope: unhandled rejection in the main process: a bare string");
    expect([seen.boxes, seen.quits]).toEqual([[], 0]);
  });

  it("an uncaught exception is logged, told in one box, and quits the app (which stops the engine)", () => {
    const { source, seen } = policy();
    source.emit("uncaughtException", new TypeError("win.foo is not a function"));
    source.emit("uncaughtException", new Error("a second one while quitting"));
    expect(seen.logs).toHaveLength(2);
    expect(seen.logs[0]).toMatch(/^mcpscope: uncaught exception in the main process: TypeError: win.foo/);
    expect(seen.boxes).toEqual([
      "mcpscope: an unexpected error: TypeError: win.foo is not a function\n\nmcpscope will quit; start it again. The servers it runs are stopped.",
    ]);
    expect(seen.quits).toBe(1);
  });
});

describe("starting once Electron is ready", () => {
  it("an exception thrown while starting reaches the error handler, as a failed start does", async () => {
    const errors: unknown[] = [];
    await whenReady(
      Promise.resolve(),
      () => {
        throw new Error("no tray");
      },
      (error) => void errors.push(error),
    );
    await whenReady(
      Promise.reject(new Error("GPU")),
      () => {},
      (error) => void errors.push(error),
    );
    expect(errors.map((error) => (error as Error).message)).toEqual(["no tray", "GPU"]);

    let started = false;
    await whenReady(
      Promise.resolve(),
      () => {
        started = true;
      },
      (error) => void errors.push(error),
    );
    expect([started, errors.length]).toEqual([true, 2]);
  });
});
