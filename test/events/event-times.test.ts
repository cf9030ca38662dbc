/**
 * An event carries the time of what it describes, not the time the observer got to it: the observer runs
 * behind the traffic (in its own thread, after a busy spell, or while draining at exit), so here it is fed
 * a session whose messages were all read well before it runs, and every event must keep their times.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listEvents } from "../../electron/monitor/events/queries.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { SessionObserver } from "../../electron/monitor/protocol/session-observer.js";
import { SESSION_WATCHERS } from "../../electron/monitor/session-watchers.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { migrate } from "../../electron/monitor/store/migrations.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { tempDir } from "../helpers/mcp.js";

const SECRET = `ghp_${"a1B2".repeat(9)}`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
beforeEach(async () => {
  dir = await tempDir();
  db = openDb(databasePath(dir.path));
  migrate(db);
});
afterEach(async () => {
  db.close();
  await dir.cleanup();
});

const line = (message: unknown) => Buffer.from(JSON.stringify(message));

describe("events of a session observed late", () => {
  it("keep the traffic's times: session.start at the initialize request, before the end", () => {
    // The whole session happened a minute ago; the observer only runs now.
    const t0 = Date.now() - 60_000;
    const writer = new BatchWriter({ open: () => openDb(databasePath(dir.path)) });
    const identity = {
      sessionId: "s1",
      server: "memory",
      command: "x",
      startedAt: t0,
      pid: 1,
      wrapperPid: 2,
    };
    const recorder = new SessionRecorder(
      writer,
      identity,
      undefined,
      null,
      SESSION_WATCHERS.map((factory) => factory({ identity, writer, dataDir: dir.path, client: null })),
    );
    const observer = new SessionObserver(recorder);
    observer.line(
      "in",
      line({
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: {
          protocolVersion: "2025-11-25",
          capabilities: {},
          clientInfo: { name: "claude-code", version: SECRET },
        },
      }),
      t0 + 5,
    );
    observer.line(
      "out",
      line({
        jsonrpc: "2.0",
        id: 0,
        result: {
          protocolVersion: "2025-11-25",
          capabilities: {},
          serverInfo: { name: "m", version: SECRET },
        },
      }),
      t0 + 9,
    );
    observer.line("in", line({ jsonrpc: "2.0", id: 1, method: "tools/list" }), t0 + 20);
    observer.line(
      "out",
      line({ jsonrpc: "2.0", id: 1, error: { code: -32000, message: "store unavailable" } }),
      t0 + 25,
    );
    recorder.ended({ endedAt: t0 + 40, exitCode: 0, signal: null });
    expect(writer.flush()).toBe(true);
    writer.close();

    const events = listEvents(db, { session: "s1" });
    const at = (type: string, field?: string) =>
      events
        .filter((e) => e.type === type && (!field || (e.details as { field?: string }).field === field))
        .map((e) => Date.parse(e.time));
    expect(at("wrapper.start")).toEqual([t0]);
    expect(at("session.start")).toEqual([t0 + 5]);
    expect(at("server_error")).toEqual([t0 + 25]);
    expect(at("session.end")).toEqual([t0 + 40]);
    expect(at("wrapper.stop")).toEqual([t0 + 40]);
    // The secrets in the client's and the server's info: found when those messages were read.
    expect(at("secret.detected", "client_info")).toEqual([t0 + 5]);
    expect(at("secret.detected", "server_info")).toEqual([t0 + 9]);
    // Nothing of this session is stamped with the observer's own (later) clock.
    expect(Math.max(...events.map((e) => Date.parse(e.time)))).toBe(t0 + 40);
  });
});
