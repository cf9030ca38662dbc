/** Supervision of real processes: server-everything killed with SIGKILL, and a server that always crashes. */
import { afterEach, describe, expect, it } from "vitest";
import { processEnv } from "../../electron/monitor/shell-env.js";
import { Supervisor } from "../../electron/monitor/supervisor/supervisor.js";
import { waitFor } from "../helpers/mcp.js";
import { everything, stdioTarget, type TestStore, testStore } from "./helpers.js";

let store: TestStore;
let supervisor: Supervisor;

afterEach(async () => {
  await supervisor?.stopAll();
  store?.close();
});

function supervise(policy = {}) {
  store = testStore();
  supervisor = new Supervisor({
    sink: store.sink,
    runs: store.runs,
    env: async () => processEnv(),
    policy,
    graceMs: 1000,
  });
  return supervisor;
}

const eventTypes = (server: string) =>
  store.rows("SELECT type FROM events WHERE server = ? ORDER BY id", server).map((r) => String(r.type));

describe("a supervised server", () => {
  it("runs as mcpscope's own session; kill -9 is a recorded crash, and it restarts after the backoff", async () => {
    const sup = supervise({ initialDelayMs: 600 });
    const target = everything();
    const id = target.definition.id;

    const started = await sup.start(target);
    expect(started).toMatchObject({ state: "running", era: "session", serverName: "mcp-servers/everything" });
    const firstPid = started.pid!;
    expect(firstPid).toBeGreaterThan(0);
    const { tools } = await sup.session(id)!.listTools();
    expect(tools.length).toBeGreaterThan(5);
    expect(sup.processes()).toEqual([{ serverId: id, server: "everything", pid: firstPid }]);

    process.kill(firstPid, "SIGKILL");
    const backoff = await waitFor(() => {
      const s = sup.status(id);
      return s?.state === "backoff" ? s : undefined;
    });
    expect(backoff.lastExit).toMatchObject({ signal: "SIGKILL", code: null, reason: "crash" });
    expect(backoff.nextRestartAt).not.toBeNull();

    const restarted = await waitFor(() => {
      const s = sup.status(id);
      return s?.state === "running" ? s : undefined;
    });
    expect(restarted.pid).not.toBe(firstPid);
    expect(restarted.restarts).toBe(1);
    // The new process is a working session too.
    expect((await sup.session(id)!.client.listTools()).tools.length).toBe(tools.length);

    const runs = store.rows("SELECT * FROM process_runs ORDER BY id");
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({
      server_id: id,
      server: "everything",
      pid: firstPid,
      exit_code: null,
      signal: "SIGKILL",
      reason: "crash",
      restart_count: 0,
    });
    expect(Number(runs[0]?.uptime_ms)).toBeGreaterThan(0);
    expect(runs[1]).toMatchObject({ pid: restarted.pid, ended_at: null, restart_count: 1 });
    // The restart waited for the backoff delay after the crash.
    expect(Number(runs[1]?.started_at) - Number(runs[0]?.ended_at)).toBeGreaterThanOrEqual(590);

    expect(eventTypes("everything")).toEqual([
      "process.spawn",
      "process.crash",
      "process.restart",
      "process.spawn",
    ]);
    const crash = store.rows("SELECT * FROM events WHERE type = 'process.crash'")[0];
    expect(crash).toMatchObject({ category: "system", severity: "medium", session_id: runs[0]?.session_id });
    expect(String(crash?.message)).toMatch(/^everything was killed by SIGKILL after /);

    // stderr went to the log store, line by line, under each run's session.
    const logs = store.rows("SELECT * FROM logs WHERE server = 'everything' AND source = 'stderr'");
    expect(logs.map((l) => l.message)).toContain("Starting default (STDIO) server...");
    expect(new Set(logs.map((l) => l.session_id))).toEqual(
      new Set([runs[0]?.session_id, runs[1]?.session_id]),
    );

    const stopped = await sup.stop(id);
    expect(stopped).toMatchObject({ state: "stopped", pid: null });
    const last = store.rows("SELECT * FROM process_runs ORDER BY id DESC LIMIT 1")[0];
    expect(last).toMatchObject({ reason: "stop" });
    expect(last?.ended_at).not.toBeNull();
    expect(eventTypes("everything").at(-1)).toBe("process.exit");
    expect(() => process.kill(restarted.pid!, 0)).toThrow();
  });

  it("stops restarting a server that crashes in a loop, and starts again by hand", async () => {
    const sup = supervise({ initialDelayMs: 40, maxDelayMs: 200, crashLimit: 5, crashWindowMs: 60_000 });
    const target = stdioTarget("broken", process.execPath, [
      "-e",
      "process.stderr.write('ERROR: missing API_URL\\n'); process.exit(1)",
    ]);
    const id = target.definition.id;
    const first = await sup.start(target);
    expect(first.state).toBe("backoff");
    expect(first.lastError).toBe(
      "the server exited with code 1 during the handshake: ERROR: missing API_URL",
    );

    await waitFor(() => sup.status(id)?.state === "crash_loop");
    await new Promise((r) => setTimeout(r, 400));
    expect(sup.status(id)?.state).toBe("crash_loop");

    const runs = store.rows("SELECT exit_code, signal, reason, restart_count FROM process_runs ORDER BY id");
    expect(runs).toEqual(
      [0, 1, 2, 3, 4].map((n) => ({ exit_code: 1, signal: null, reason: "crash", restart_count: n })),
    );
    const types = eventTypes("broken");
    expect(types.filter((t) => t === "process.crash")).toHaveLength(5);
    expect(types.filter((t) => t === "process.restart")).toHaveLength(4);
    expect(types.at(-1)).toBe("process.crash_loop");
    const loop = store.rows("SELECT severity, message FROM events WHERE type = 'process.crash_loop'")[0];
    expect(loop).toMatchObject({ severity: "high" });
    expect(String(loop?.message)).toMatch(/^broken crashed 5 times within 60 s; not restarting it/);
    const errors = store.rows(
      "SELECT level FROM logs WHERE server = 'broken' AND message = 'ERROR: missing API_URL'",
    );
    expect(errors.map((l) => l.level)).toEqual(["error", "error", "error", "error", "error"]);

    // A start by hand forgets the loop and tries again.
    const again = await sup.start(target);
    expect(again).toMatchObject({ state: "backoff", restarts: 0 });
    expect(store.rows("SELECT count(*) AS n FROM process_runs")[0]?.n).toBe(6);
  });

  it("restarts by hand: the old run ends as a requested restart, a new process serves", async () => {
    const sup = supervise();
    const target = everything("everything-restart");
    const id = target.definition.id;
    const first = await sup.start(target);
    const second = await sup.restart(id);
    expect(second).toMatchObject({ state: "running", restarts: 0 });
    expect(second.pid).not.toBe(first.pid);
    expect(await sup.session(id)!.liveness()).toBeGreaterThan(0);
    const runs = store.rows("SELECT pid, reason, exit_code, signal FROM process_runs ORDER BY id");
    expect(runs).toMatchObject([
      { pid: first.pid, reason: "restart" },
      { pid: second.pid, reason: null },
    ]);
    expect(eventTypes("everything-restart")).toEqual([
      "process.spawn",
      "process.exit",
      "process.restart",
      "process.spawn",
    ]);
  });

  it("ends a run whose server never answers the handshake, as a failed handshake, and backs off", async () => {
    store = testStore();
    supervisor = new Supervisor({
      sink: store.sink,
      runs: store.runs,
      env: async () => processEnv(),
      policy: { initialDelayMs: 60_000 },
      timeoutMs: 300,
      graceMs: 200,
    });
    const target = stdioTarget("mute", process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    const status = await supervisor.start(target);
    expect(status).toMatchObject({ state: "backoff", lastError: "no answer to the handshake within 300ms" });
    const runs = store.rows("SELECT reason, exit_code, signal FROM process_runs");
    // stdin closed, no exit within the grace period: SIGTERM.
    expect(runs).toEqual([{ reason: "handshake_failed", exit_code: null, signal: "SIGTERM" }]);
    const crash = store.rows("SELECT message FROM events WHERE type = 'process.crash'")[0];
    expect(String(crash?.message)).toMatch(
      /^mute was killed by SIGTERM after [\d.]+ ms; its handshake failed: no answer to the handshake within 300ms$/,
    );
  });

  it("fails with one line, and no restarts, when the command does not exist", async () => {
    const sup = supervise({ initialDelayMs: 10 });
    const target = stdioTarget("ghost", "/nonexistent/mcp-server", []);
    const status = await sup.start(target);
    expect(status).toMatchObject({
      state: "failed",
      pid: null,
      lastError: "cannot start /nonexistent/mcp-server: command not found; check the command and your PATH",
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(sup.status(target.definition.id)?.state).toBe("failed");
    expect(store.rows("SELECT count(*) AS n FROM process_runs")[0]?.n).toBe(0);
    expect(eventTypes("ghost")).toEqual(["process.start_failed"]);
    await expect(sup.stop("nope")).rejects.toThrow('no managed server with id "nope"; start it first');
  });
});
