import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EngineCallError, EngineClient } from "../../electron/main/engine-client.js";
import { isLongMethod } from "../../shared/api.js";
import { FakeHostProcess } from "./fakes.js";

function setup(options: ConstructorParameters<typeof EngineClient>[0] = {}) {
  const client = new EngineClient(options);
  const host = new FakeHostProcess();
  client.attach(host);
  return { client, host };
}

describe("EngineClient", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends each call with its own id and resolves it with the answer that carries that id", async () => {
    const { client, host } = setup();
    const first = client.invoke("servers.list", {});
    const second = client.invoke("calls.get", { id: 7 });
    const [a, b] = host.sent;
    expect(a).toEqual({ type: "call", id: expect.any(Number), method: "servers.list", input: {} });
    expect(b).toEqual({ type: "call", id: expect.any(Number), method: "calls.get", input: { id: 7 } });
    if (a?.type !== "call" || b?.type !== "call") throw new Error("unreachable");
    expect(a.id).not.toBe(b.id);

    // Answers arrive out of order.
    host.send({ type: "result", id: b.id, result: { call: 7 } });
    host.send({ type: "result", id: a.id, result: ["srv"] });
    await expect(first).resolves.toEqual(["srv"]);
    await expect(second).resolves.toEqual({ call: 7 });
    expect(client.pendingCount).toBe(0);
  });

  it("rejects with the engine's error, keeping its message and kind", async () => {
    const { client, host } = setup();
    const call = client.invoke("stats.get", {});
    host.send({
      type: "error",
      id: host.lastCall().id,
      error: { message: "database is locked; try again", kind: "storage" },
    });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineCallError);
    expect(error).toMatchObject({ message: "database is locked; try again", kind: "storage" });
  });

  it("times out a call the host never answers, and ignores the late answer", async () => {
    const { client, host } = setup({ timeoutMs: 2_000 });
    const call = client.invoke("calls.list", {});
    const settled = call.catch((e: unknown) => e);
    vi.advanceTimersByTime(1_999);
    expect(client.pendingCount).toBe(1);
    vi.advanceTimersByTime(1);
    const error = await settled;
    expect(error).toMatchObject({
      kind: "timeout",
      message: "calls.list timed out: the mcpscope engine did not answer within 2s",
    });
    expect(client.pendingCount).toBe(0);
    expect(() => host.send({ type: "result", id: host.lastCall().id, result: [] })).not.toThrow();
  });

  it("waits for a long method past the deadline while the host lives, and fails it when the host goes", async () => {
    const { client, host } = setup();
    const probe = client.invoke("servers.probe", { id: "slow" }).catch((e: unknown) => e);
    const probeId = host.lastCall().id;
    const backup = client.invoke("storage.backup", {}).catch((e: unknown) => e);
    const list = client.invoke("servers.list", {}).catch((e: unknown) => e);
    vi.advanceTimersByTime(10 * 60_000);
    // The ordinary read timed out; the long ones still wait.
    expect(await list).toMatchObject({ kind: "timeout" });
    expect(client.pendingCount).toBe(2);
    host.send({ type: "result", id: probeId, result: { ok: true, message: "slow is degraded" } });
    expect(await probe).toEqual({ ok: true, message: "slow is degraded" });

    client.detach("the mcpscope engine exited with code 1; it is restarting, try again in a moment");
    expect(await backup).toMatchObject({
      kind: "engine",
      message:
        "storage.backup failed: the mcpscope engine exited with code 1; it is restarting, try again in a moment",
    });
    expect(client.pendingCount).toBe(0);
  });

  it("marks the methods that wait on a server, a channel or the whole database as long, once", () => {
    for (const method of [
      "servers.probe",
      "servers.stop",
      "servers.remove",
      "storage.check",
      "storage.backup",
      "reports.export",
      "alerts.test",
    ])
      expect(isLongMethod(method)).toBe(true);
    for (const method of ["servers.list", "stats.get", "alerts.list", "no.such.method"])
      expect(isLongMethod(method)).toBe(false);
  });

  it("rejects every pending call with a clear one-line message when the host goes away", async () => {
    const { client } = setup();
    const calls = [client.invoke("servers.list", {}), client.invoke("stats.get", {})].map((p) =>
      p.catch((e: unknown) => e),
    );
    client.detach("the mcpscope engine exited with code 134; it is restarting, try again in a moment");
    const [a, b] = await Promise.all(calls);
    expect(a).toMatchObject({
      kind: "engine",
      message:
        "servers.list failed: the mcpscope engine exited with code 134; it is restarting, try again in a moment",
    });
    expect((b as Error).message).toMatch(/^stats\.get failed: the mcpscope engine exited/);
    expect((a as Error).message).not.toContain("\n");
    expect(client.pendingCount).toBe(0);
  });

  it("fails calls immediately while no host is attached, with the last reason", async () => {
    const client = new EngineClient();
    await expect(client.invoke("servers.list", {})).rejects.toThrow(
      "servers.list failed: the mcpscope engine has not started yet",
    );
    client.attach(new FakeHostProcess());
    client.detach("the mcpscope engine crashed; restarting");
    await expect(client.invoke("servers.list", {})).rejects.toThrow(
      "servers.list failed: the mcpscope engine crashed; restarting",
    );
  });

  it("ignores messages from a host it has been detached from", async () => {
    const { client, host: old } = setup();
    const fresh = new FakeHostProcess();
    client.attach(fresh);
    const call = client.invoke("servers.list", {});
    const { id } = fresh.lastCall();
    old.send({ type: "result", id, result: "from the old host" });
    fresh.send({ type: "result", id, result: "from the new host" });
    await expect(call).resolves.toBe("from the new host");
  });

  it("refuses calls beyond its bound instead of queueing without limit", async () => {
    const { client, host } = setup({ maxPending: 2 });
    void client.invoke("servers.list", {}).catch(() => {});
    void client.invoke("servers.list", {}).catch(() => {});
    await expect(client.invoke("servers.list", {})).rejects.toMatchObject({ kind: "engine" });
    expect(host.sent).toHaveLength(2);
  });

  it("fans each event out to every subscriber of that event only, and unsubscribes", () => {
    const { client, host } = setup();
    const a = vi.fn();
    const b = vi.fn();
    const other = vi.fn();
    const offA = client.subscribe("calls.new", a);
    client.subscribe("calls.new", b);
    client.subscribe("alerts.fired", other);
    host.send({ type: "event", event: "calls.new", payload: [{ id: 1 }] });
    expect(a).toHaveBeenCalledWith([{ id: 1 }]);
    expect(b).toHaveBeenCalledWith([{ id: 1 }]);
    expect(other).not.toHaveBeenCalled();

    offA();
    host.send({ type: "event", event: "calls.new", payload: [{ id: 2 }] });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
  });

  it("keeps delivering to the other subscribers when one listener throws", () => {
    const onListenerError = vi.fn();
    const { client, host } = setup({ onListenerError });
    const after = vi.fn();
    client.subscribe("calls.new", () => {
      throw new Error("listener bug");
    });
    client.subscribe("calls.new", after);
    host.send({ type: "event", event: "calls.new", payload: [] });
    expect(after).toHaveBeenCalledOnce();
    expect(onListenerError).toHaveBeenCalledWith("calls.new", expect.any(Error));
  });

  it("drops messages that are not part of the protocol", async () => {
    const { client, host } = setup();
    const call = client.invoke("servers.list", {});
    const { id } = host.lastCall();
    host.send({ id, result: "no type" });
    host.send({ type: "result", id: "1", result: "string id" });
    expect(client.pendingCount).toBe(1);
    host.send({ type: "result", id, result: "ok" });
    await expect(call).resolves.toBe("ok");
  });

  it("remembers the host's fatal error until the next host is attached", () => {
    const { client, host } = setup();
    host.send({ type: "fatal", error: { message: "cannot open the database: disk full", kind: "storage" } });
    expect(client.fatalError).toEqual({ message: "cannot open the database: disk full", kind: "storage" });
    client.attach(new FakeHostProcess());
    expect(client.fatalError).toBeNull();
  });

  it("asks the host to shut down", () => {
    const { client, host } = setup();
    expect(client.requestShutdown()).toBe(true);
    expect(host.sent).toEqual([{ type: "shutdown" }]);
    client.detach("quitting");
    expect(client.requestShutdown()).toBe(false);
  });
});
