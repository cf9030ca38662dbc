import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EngineClient } from "../../electron/main/engine-client.js";
import { EngineProcess, nextRestartDelay } from "../../electron/main/engine-process.js";
import { FakeHostProcess } from "./fakes.js";

const policy = { initialDelayMs: 500, maxDelayMs: 4_000, maxCrashes: 3, windowMs: 60_000 };

function setup() {
  const hosts: FakeHostProcess[] = [];
  const client = new EngineClient();
  const onGiveUp = vi.fn();
  const engine = new EngineProcess({
    client,
    fork: () => {
      const host = new FakeHostProcess();
      hosts.push(host);
      return host;
    },
    restart: policy,
    onGiveUp,
    log: () => {},
    now: () => Date.now(),
  });
  return { client, engine, hosts, onGiveUp };
}

describe("nextRestartDelay", () => {
  it("doubles the delay for each recent crash, up to the cap, and gives up past the budget", () => {
    expect(nextRestartDelay([0], 0, policy)).toBe(500);
    expect(nextRestartDelay([0, 1], 1, policy)).toBe(1_000);
    expect(nextRestartDelay([0, 1, 2], 2, policy)).toBe(2_000);
    expect(nextRestartDelay([0, 1, 2, 3], 3, policy)).toBeNull();
    expect(nextRestartDelay([0, 1, 2], 2, { ...policy, maxDelayMs: 1_500 })).toBe(1_500);
  });

  it("forgets crashes older than the window", () => {
    expect(nextRestartDelay([0, 1, 2, 70_000], 70_000, policy)).toBe(500);
  });
});

describe("EngineProcess", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("forks the host and routes calls to it", async () => {
    const { client, engine, hosts } = setup();
    engine.start();
    expect(hosts).toHaveLength(1);
    const call = client.invoke("servers.list", {});
    const host = hosts[0]!;
    host.send({ type: "result", id: host.lastCall().id, result: [] });
    await expect(call).resolves.toEqual([]);
  });

  it("restarts a crashed host after a backoff, failing the calls that were pending", async () => {
    const { client, engine, hosts } = setup();
    engine.start();
    const pending = client.invoke("servers.list", {}).catch((e: unknown) => e);
    hosts[0]!.exit(139);
    expect(await pending).toMatchObject({
      kind: "engine",
      message:
        "servers.list failed: the mcpscope engine exited with code 139; it is restarting, try again in a moment",
    });
    expect(engine.running).toBe(false);

    vi.advanceTimersByTime(499);
    expect(hosts).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(hosts).toHaveLength(2);
    expect(engine.running).toBe(true);

    const call = client.invoke("servers.list", {});
    hosts[1]!.send({ type: "result", id: hosts[1]!.lastCall().id, result: ["back"] });
    await expect(call).resolves.toEqual(["back"]);
  });

  it("backs off exponentially and gives up after too many crashes, saying why", async () => {
    const { client, engine, hosts, onGiveUp } = setup();
    engine.start();
    hosts[0]!.send({
      type: "fatal",
      error: { message: "cannot open /data/mcpscope.db: permission denied", kind: "storage" },
    });
    hosts[0]!.exit(1);
    vi.advanceTimersByTime(500);
    hosts[1]!.exit(1);
    vi.advanceTimersByTime(999);
    expect(hosts).toHaveLength(2);
    vi.advanceTimersByTime(1);
    hosts[2]!.exit(1);
    vi.advanceTimersByTime(2_000);
    hosts[3]!.send({
      type: "fatal",
      error: { message: "cannot open /data/mcpscope.db: permission denied", kind: "storage" },
    });
    hosts[3]!.exit(1);

    vi.advanceTimersByTime(60_000);
    expect(hosts).toHaveLength(4);
    expect(engine.gaveUp).toBe(true);
    expect(onGiveUp).toHaveBeenCalledOnce();
    const reason = onGiveUp.mock.calls[0]![0] as string;
    expect(reason).toBe(
      "the mcpscope engine exited with code 1: cannot open /data/mcpscope.db: permission denied, and stopped after 4 failures in 60s; restart mcpscope",
    );
    await expect(client.invoke("servers.list", {})).rejects.toThrow(`servers.list failed: ${reason}`);
  });

  it("reports its state: up once the host is ready, restarting with why, stopped on quit", async () => {
    const { client, hosts } = setup();
    const states: string[] = [];
    const engine = new EngineProcess({
      client,
      fork: () => {
        const host = new FakeHostProcess();
        hosts.push(host);
        return host;
      },
      restart: policy,
      log: () => {},
      onState: (s) => states.push(s.reason ? `${s.state}: ${s.reason}` : s.state),
    });
    expect(engine.state).toEqual({ state: "starting", reason: null });
    engine.start();
    engine.hostReady();
    hosts[0]!.exit(139);
    vi.advanceTimersByTime(500);
    engine.hostReady();
    const stopping = engine.stop();
    hosts[1]!.exit(0);
    await stopping;
    expect(states).toEqual([
      "up",
      "restarting: the mcpscope engine exited with code 139; it is restarting, try again in a moment",
      "up",
      "stopped: mcpscope is quitting",
    ]);
    // Restart engine only acts after giving up.
    engine.restart();
    expect(hosts).toHaveLength(2);
  });

  it("treats a fork that throws as a crash", () => {
    let forks = 0;
    const client = new EngineClient();
    const engine = new EngineProcess({
      client,
      fork: () => {
        forks++;
        throw new Error("ENOENT dist/engine-host.mjs");
      },
      restart: policy,
      log: () => {},
    });
    engine.start();
    vi.advanceTimersByTime(60_000);
    expect(forks).toBe(4);
    expect(engine.gaveUp).toBe(true);
  });

  it("stops cleanly: asks the host to shut down, waits for it to exit, and does not restart it", async () => {
    const { client, engine, hosts } = setup();
    engine.start();
    const host = hosts[0]!;
    const stopped = engine.stop();
    expect(host.sent).toEqual([{ type: "shutdown" }]);
    host.exit(0);
    await stopped;
    expect(host.killed).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(hosts).toHaveLength(1);
    await expect(client.invoke("servers.list", {})).rejects.toThrow(
      "servers.list failed: mcpscope is quitting",
    );
  });

  it("kills a host that does not exit after the shutdown request", async () => {
    const { engine, hosts } = setup();
    engine.start();
    const host = hosts[0]!;
    const stopped = engine.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(host.killed).toBe(true);
    host.exit(15);
    await stopped;
    expect(hosts).toHaveLength(1);
  });

  it("stopping during the restart delay cancels the restart", async () => {
    const { engine, hosts } = setup();
    engine.start();
    hosts[0]!.exit(1);
    await engine.stop();
    vi.advanceTimersByTime(60_000);
    expect(hosts).toHaveLength(1);
  });
});
