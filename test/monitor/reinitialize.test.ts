/**
 * A call keeps the client identity and protocol version in force when it was made: a second `initialize`
 * on one connection (or another client of a stateless HTTP session naming itself) changes them for the
 * calls after it only, and the session's events say where it changed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { SessionObserver } from "../../electron/monitor/protocol/session-observer.js";
import { SESSION_WATCHERS } from "../../electron/monitor/session-watchers.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { migrate } from "../../electron/monitor/store/migrations.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
  const db = openDb(databasePath(dir.path));
  migrate(db);
  db.close();
});
afterAll(async () => {
  await dir.cleanup();
});

const line = (message: unknown) => Buffer.from(JSON.stringify(message));

interface Calls {
  calls: { requestId: string; clientName: string; clientVersion: string; protocolVersion: string }[];
}
interface Report {
  servers: { clients: string[]; protocolVersions: string[] }[];
}
interface Events {
  events: { type: string; message: string }[];
}

describe("a second initialize on one connection", () => {
  it("changes the client of the calls after it only, and the events say so", async () => {
    let recorder: SessionRecorder | null = null;
    const writer = new BatchWriter({
      open: () => openDb(databasePath(dir.path)),
      afterBatch: (db) => recorder?.writeSessionRow(db),
      onBatch: () => recorder?.committed(),
    });
    const identity = {
      sessionId: "s1",
      server: "reinit",
      command: "x",
      startedAt: Date.now(),
      pid: 1,
      wrapperPid: 2,
    };
    const watchers = SESSION_WATCHERS.map((f) => f({ identity, writer, dataDir: dir.path, client: null }));
    recorder = new SessionRecorder(writer, identity, undefined, null, watchers);
    const observer = new SessionObserver(recorder);
    const t0 = Date.now() - 60_000;
    const exchange = (id: number, method: string, params: object, result: object, at: number) => {
      observer.line("in", line({ jsonrpc: "2.0", id, method, params }), at);
      observer.line("out", line({ jsonrpc: "2.0", id, result }), at + 5);
    };
    const init = (id: number, name: string, version: string, protocolVersion: string, at: number) =>
      exchange(
        id,
        "initialize",
        { protocolVersion, capabilities: {}, clientInfo: { name, version } },
        { protocolVersion, capabilities: {}, serverInfo: { name: "srv", version: "1" } },
        at,
      );
    init(0, "first-client", "1", "2025-03-26", t0);
    exchange(1, "tools/call", { name: "echo" }, { content: [] }, t0 + 100);
    init(2, "second-client", "2", "2025-11-25", t0 + 200);
    exchange(3, "tools/call", { name: "echo" }, { content: [] }, t0 + 300);
    observer.close(t0 + 400);
    recorder.ended({ endedAt: t0 + 400, exitCode: 0, signal: null });
    writer.close();

    const args = ["--server", "reinit", "--data-dir", dir.path];
    const { calls } = await cliJsonInProcess<Calls>(["calls", ...args]);
    expect(
      calls.reverse().map((c) => [c.requestId, c.clientName, c.clientVersion, c.protocolVersion]),
    ).toEqual([
      ["0", "first-client", "1", "2025-03-26"],
      ["1", "first-client", "1", "2025-03-26"],
      ["2", "second-client", "2", "2025-11-25"],
      ["3", "second-client", "2", "2025-11-25"],
    ]);
    const printed = await cliOkInProcess([
      "report",
      "--since",
      "1h",
      "--format",
      "json",
      "--output",
      "-",
      ...args,
    ]);
    const report = JSON.parse(printed.stdout) as Report;
    expect(report.servers[0]).toMatchObject({
      clients: ["first-client 1", "second-client 2"],
      protocolVersions: ["2025-03-26", "2025-11-25"],
    });
    const { events } = await cliJsonInProcess<Events>(["events", ...args]);
    expect(
      events
        .filter((e) => e.type.startsWith("session."))
        .map((e) => e.message)
        .reverse(),
    ).toEqual([
      "session started by first-client 1 (protocol 2025-03-26)",
      "session continued by second-client 2 (protocol 2025-11-25)",
      expect.stringMatching(/^session ended after (\d+ ms|[\d.]+ s)$/),
    ]);
  });
});
