/**
 * Through the real wrapper (`mcpscope run`, built): MCP `notifications/message` from server-everything
 * and from a fixture in both protocol eras arrive with their level and, where it is knowable, the request
 * they belong to; a server's stderr (pino JSON, a Python traceback, a JS stack) arrives as one record each.
 */
import { join } from "node:path";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CallDetail } from "../../shared/domain.js";
import type { LogRecord } from "../../shared/logs.js";
import { killAll } from "../fixtures/raw-client.js";
import { closeOnceStored, connect, mcpscopeJson, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";
import { INITIALIZE, rows, session, stderrCall } from "./log-session.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterEach(() => killAll());
afterAll(() => dir.cleanup());

const logCall = (id: number | string, args: Record<string, unknown>, meta?: Record<string, unknown>) => ({
  id,
  method: "tools/call",
  params: { name: "log", arguments: args, ...(meta ? { _meta: meta } : {}) },
});

describe("MCP log notifications through mcpscope run", () => {
  it("server-everything: every notifications/message arrives with its level, linked to the tool call it came during", async () => {
    const dataDir = join(dir.path, "everything");
    const wrap = { dataDir, name: "everything" };
    const client = await connect(SERVERS.everything(), wrap);
    const received: Array<{ level: string; data: unknown }> = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      received.push(n.params);
    });
    await client.setLoggingLevel("debug");
    // on (one message at once), off, on (one more): each immediate message is sent during its call.
    for (let i = 0; i < 3; i++) await client.callTool({ name: "toggle-simulated-logging", arguments: {} });
    await waitFor(() => received.length >= 2);
    await closeOnceStored(client, wrap);

    const logs = await waitFor(async () => {
      const doc = await mcpscopeJson<{ logs: LogRecord[] }>([
        "logs",
        "--data-dir",
        dataDir,
        "--server",
        "everything",
      ]).catch((error: Error) => {
        // Refused until the wrapper has stored the server's first record: not yet, on a loaded machine.
        if (error.message.includes('no server named "everything"')) return { logs: [] };
        throw error;
      });
      const mcp = doc.logs.filter((l) => l.source === "mcp");
      return mcp.length >= received.length ? mcp : undefined;
    });
    expect(logs.map((l) => [l.level, l.message])).toEqual(received.map((r) => [r.level, r.data]));
    const toggles = (
      await mcpscopeJson<{ calls: CallDetail[] }>([
        "calls",
        "--data-dir",
        dataDir,
        "--tool",
        "toggle-simulated-logging",
      ])
    ).calls.sort((a, b) => a.id - b.id);
    expect(toggles).toHaveLength(3);
    expect(logs.slice(0, 2).map((l) => l.requestId)).toEqual([toggles[0]?.requestId, toggles[2]?.requestId]);
    expect(logs.every((l) => l.session !== null)).toBe(true);
  });

  it("both protocol eras: level, logger and data kept; linked when one request is in flight, not when two are", async () => {
    const sessionDir = join(dir.path, "eras");
    await session(sessionDir, "session-era", [
      {
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      },
      { method: "notifications/initialized" },
      logCall(2, { level: "warning", data: "disk low", logger: "fs" }),
      logCall(3, { level: "error", data: { code: "EIO", path: "/x" } }),
      // Two requests in flight: which one a notification belongs to is not knowable on stdio.
      [
        logCall(4, { level: "info", data: "first", delayMs: 100 }),
        logCall(5, { level: "notice", data: "second", delayMs: 100 }),
      ],
    ]);
    const meta = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" },
    };
    await session(sessionDir, "stateless-era", [
      { id: "d", method: "server/discover", params: { _meta: meta } },
      logCall("x1", { level: "critical", data: "stateless says hi", logger: "core" }, meta),
    ]);
    const got = rows(
      sessionDir,
      "SELECT server, level, logger, message, fields, request_id FROM logs WHERE source = 'mcp' ORDER BY id",
    );
    expect(got).toEqual([
      {
        server: "session-era",
        level: "warning",
        logger: "fs",
        message: "disk low",
        fields: null,
        request_id: "2",
      },
      {
        server: "session-era",
        level: "error",
        logger: null,
        message: '{"code":"EIO","path":"/x"}',
        fields: '{"code":"EIO","path":"/x"}',
        request_id: "3",
      },
      {
        server: "session-era",
        level: "info",
        logger: null,
        message: "first",
        fields: null,
        request_id: null,
      },
      {
        server: "session-era",
        level: "notice",
        logger: null,
        message: "second",
        fields: null,
        request_id: null,
      },
      {
        server: "stateless-era",
        level: "critical",
        logger: "core",
        message: "stateless says hi",
        fields: null,
        request_id: "x1",
      },
    ]);
    expect(rows(sessionDir, "SELECT era FROM sessions ORDER BY started_at").map((r) => r.era)).toEqual([
      "session",
      "stateless",
    ]);
  });
});

const PYTHON = `ERROR:root:handler failed
Traceback (most recent call last):
  File "/srv/server.py", line 40, in handle
    return tools[name](**args)
  File "/srv/server.py", line 12, in read_file
    with open(path) as f:
FileNotFoundError: [Errno 2] No such file or directory: '/nope'
`;
const JS = `TypeError: Cannot read properties of undefined (reading 'id')
    at handle (/app/server.js:20:15)
    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)
`;
const GO_PANIC = `panic: runtime error: index out of range [3] with length 2

goroutine 1 [running]:
main.handle({0xc000014090, 0x2, 0x2})
\t/app/main.go:42 +0x1c
main.main()
\t/app/main.go:17 +0x25
`;
const PINO = `${JSON.stringify({ level: 40, time: 1764079198120, pid: 7, hostname: "box", msg: "cache cold", name: "srv" })}\n`;

describe("stderr through mcpscope run", () => {
  it("a pino line, a Python traceback and a JS stack: three records with their levels", async () => {
    const dataDir = join(dir.path, "stderr");
    await session(dataDir, "noisy", [
      {
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      },
      { id: 2, method: "tools/call", params: { name: "stderr", arguments: { text: PINO + PYTHON } } },
      {
        id: 3,
        method: "tools/call",
        params: { name: "stderr", arguments: { text: `${JS}INFO: after the stack\n` } },
      },
    ]);
    const got = rows(
      dataDir,
      "SELECT level, logger, message, fields FROM logs WHERE source = 'stderr' ORDER BY id",
    );
    expect(got).toEqual([
      {
        level: "warning",
        logger: "srv",
        message: "cache cold",
        fields: '{"time":1764079198120,"pid":7,"hostname":"box"}',
      },
      { level: "error", logger: null, message: PYTHON.trimEnd(), fields: null },
      { level: "error", logger: null, message: JS.trimEnd(), fields: null },
      { level: "info", logger: null, message: "INFO: after the stack", fields: null },
    ]);
  });

  it("a Go panic with its goroutines: one record at the panic's level, the line after it its own", async () => {
    const dataDir = join(dir.path, "go-panic");
    await session(dataDir, "go", [INITIALIZE, stderrCall(2, `${GO_PANIC}\nexit status 2\n`)]);
    expect(rows(dataDir, "SELECT level, message FROM logs WHERE source = 'stderr' ORDER BY id")).toEqual([
      { level: "critical", message: GO_PANIC.trimEnd() },
      { level: "info", message: "exit status 2" },
    ]);
  });

  it("glog and klog lines: the level their header's letter names", async () => {
    const dataDir = join(dir.path, "klog");
    const klog = [
      "I1207 10:11:12.123456   12345 server.go:42] listening on :8080",
      "W1207 10:11:13.000001   12345 cache.go:7] cache cold",
      "E1207 10:11:14.500000   12345 db.go:99] connection refused",
      "F1207 10:11:15.000000   12345 main.go:1] cannot continue",
    ];
    await session(dataDir, "klog", [INITIALIZE, stderrCall(2, `${klog.join("\n")}\n`)]);
    expect(rows(dataDir, "SELECT level, message FROM logs WHERE source = 'stderr' ORDER BY id")).toEqual(
      ["info", "warning", "error", "critical"].map((level, i) => ({ level, message: klog[i] })),
    );
  });
});
