import { describe, expect, it } from "vitest";
import { isHostToMain, isMainToHost, toErrorInfo } from "../../electron/main/host-protocol.js";
import { MonitoringError } from "../../electron/monitor/errors.js";
import { ApiInputError } from "../../shared/api.js";

describe("toErrorInfo", () => {
  it("keeps the kind a MonitoringError carries", () => {
    expect(toErrorInfo(MonitoringError.storage("disk full: free space in ~/.local/share"), "engine")).toEqual(
      {
        message: "disk full: free space in ~/.local/share",
        kind: "storage",
      },
    );
  });

  it("calls an ApiInputError `input`", () => {
    expect(toErrorInfo(new ApiInputError("calls.get", "id: expected number"), "engine")).toEqual({
      message: "invalid input for calls.get: id: expected number",
      kind: "input",
    });
  });

  it("makes one short line of anything thrown", () => {
    expect(toErrorInfo(new Error("first line\nstack or detail"), "engine")).toEqual({
      message: "first line",
      kind: "engine",
    });
    expect(toErrorInfo("plain string", "engine")).toEqual({ message: "plain string", kind: "engine" });
    expect(toErrorInfo(undefined, "engine").message).toBe("undefined");
    expect(toErrorInfo(new Error(""), "engine").message).toBe("unknown error");
    const long = toErrorInfo(new Error("x".repeat(2_000)), "engine").message;
    expect(long.length).toBe(500);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("message guards", () => {
  it("accept the protocol's messages", () => {
    expect(isMainToHost({ type: "call", id: 1, method: "servers.list", input: {} })).toBe(true);
    expect(isMainToHost({ type: "shutdown" })).toBe(true);
    expect(isHostToMain({ type: "result", id: 1, result: null })).toBe(true);
    expect(isHostToMain({ type: "error", id: 1, error: { message: "m", kind: "k" } })).toBe(true);
    expect(isHostToMain({ type: "event", event: "calls.new", payload: [] })).toBe(true);
    expect(isHostToMain({ type: "fatal", error: { message: "m", kind: "k" } })).toBe(true);
  });

  it("reject anything else", () => {
    expect(isMainToHost({ type: "call", id: 1.5, method: "servers.list" })).toBe(false);
    expect(isMainToHost({ type: "call", id: 1 })).toBe(false);
    expect(isMainToHost(null)).toBe(false);
    expect(isHostToMain({ type: "result", id: 1 })).toBe(false);
    expect(isHostToMain({ type: "error", id: 1, error: "text" })).toBe(false);
    expect(isHostToMain({ type: "event", payload: 1 })).toBe(false);
    expect(isHostToMain({ type: "hello" })).toBe(false);
    expect(isHostToMain("result")).toBe(false);
  });
});
