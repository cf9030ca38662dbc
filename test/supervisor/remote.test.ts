/** Remote servers under supervision: a Streamable HTTP session, no process; reconnects with backoff. */
import { afterEach, describe, expect, it } from "vitest";
import { Supervisor } from "../../electron/monitor/supervisor/supervisor.js";
import { freePort, type RemoteServer, startRemote } from "../health/remote-server.js";
import { waitFor } from "../helpers/mcp.js";
import { remoteTarget, type TestStore, testStore } from "./helpers.js";

let store: TestStore | undefined;
let supervisor: Supervisor | undefined;
let server: RemoteServer | undefined;
afterEach(async () => {
  await supervisor?.stopAll();
  await server?.stop();
  store?.close();
  store = undefined;
});

describe("a supervised remote server", () => {
  it("is connected to over Streamable HTTP, and retried with backoff while it is away", async () => {
    const s = testStore();
    store = s;
    const port = await freePort();
    supervisor = new Supervisor({
      sink: s.sink,
      runs: s.runs,
      env: async () => ({}),
      policy: { initialDelayMs: 200 },
    });
    const target = remoteTarget("remote", `http://127.0.0.1:${port}/mcp`, { "X-Api-Key": "k-123" });
    const id = target.definition.id;

    // Not listening yet: a failed connection, then a retry after the backoff delay.
    const away = await supervisor.start(target);
    expect(away).toMatchObject({ state: "backoff", pid: null });
    expect(away.lastError).toBe(
      `cannot connect to 127.0.0.1:${port}: connection refused; is the server running?`,
    );

    server = await startRemote("streamableHttp", port);
    const running = await waitFor(() => {
      const status = supervisor?.status(id);
      return status?.state === "running" ? status : undefined;
    });
    expect(running).toMatchObject({ pid: null, era: "session", serverName: "mcp-servers/everything" });
    expect((await supervisor.session(id)!.listTools()).tools.length).toBeGreaterThan(5);
    expect(supervisor.processes()).toEqual([]);

    await supervisor.stop(id);
    expect(supervisor.status(id)?.state).toBe("stopped");
    const types = s.rows("SELECT type FROM events ORDER BY id").map((r) => r.type);
    expect(types[0]).toBe("remote.connect_failed");
    expect(types).toContain("process.restart");
    expect(types.slice(-2)).toEqual(["remote.connect", "remote.close"]);
    expect(s.rows("SELECT count(*) AS n FROM process_runs")[0]?.n).toBe(0);
  });
});
