/**
 * A real session through the built wrapper (`mcpscope run`) with server-everything and the SDK client:
 * user, system and error events with client info, error groups by fingerprint, the session timeline in
 * time order, and the CLI's filters.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { ErrorGroup, EventRecord, SessionTimeline } from "../../shared/events.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { closeOnceStored, connect, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let sessionId: string;

const events = (args: string[] = []) =>
  cliJsonInProcess<{ events: EventRecord[] }>(["events", "--data-dir", dir.path, ...args]).then(
    (d) => d.events,
  );

beforeAll(async () => {
  dir = await tempDir();
  const client = await connect(SERVERS.everything(), { dataDir: dir.path, name: "everything" });
  await client.callTool({ name: "echo", arguments: { message: "hello" } });
  await client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
  // The same failure twice: one group with count 2.
  for (let i = 0; i < 2; i++) {
    await client.callTool({ name: "echo", arguments: { wrong: true } }).catch(() => undefined);
  }
  await client.request({ method: "no/such-method" }, z.object({}).passthrough()).catch(() => undefined);
  await closeOnceStored(client, { dataDir: dir.path, name: "everything" });
  const ended = await waitFor(async () => {
    const list = await events(["--type", "session.end"]);
    return list.length > 0 && list;
  });
  sessionId = String(ended[0]?.session);
});
afterAll(() => dir.cleanup());

describe("events of a real session", () => {
  it("records session.start and session.end user events with the client's name and version", async () => {
    const [start] = await events(["--type", "session.start"]);
    expect(start).toMatchObject({
      category: "user",
      severity: "info",
      server: "everything",
      session: sessionId,
    });
    expect(start?.details).toMatchObject({ clientName: "mcpscope-test", clientVersion: "1.0.0" });
    expect((start?.details as { protocolVersion?: string } | undefined)?.protocolVersion).toMatch(
      /^\d{4}-\d{2}-\d{2}$/,
    );
    const [end] = await events(["--type", "session.end"]);
    expect(end?.details).toMatchObject({ clientName: "mcpscope-test" });
    const system = await events(["--category", "system", "--session", sessionId]);
    expect(system.map((e) => e.type).sort()).toEqual(["wrapper.start", "wrapper.stop"]);
    const stop = system.find((e) => e.type === "wrapper.stop");
    expect(stop?.details).toHaveProperty("uptimeMs");
    expect(stop?.details).toHaveProperty("exitCode");
    // In the order they happened: the start between the wrapper's start and the session's end.
    const time = (e: EventRecord | undefined) => Date.parse(String(e?.time));
    const wrapperStart = system.find((e) => e.type === "wrapper.start");
    expect(time(start)).toBeGreaterThanOrEqual(time(wrapperStart));
    expect(time(start)).toBeLessThanOrEqual(time(end));
  });

  it("records error events with correlation and groups them by fingerprint", async () => {
    const errors = await events(["--category", "error", "--session", sessionId]);
    const failedEcho = errors.filter((e) => e.message.startsWith("tools/call echo"));
    expect(failedEcho).toHaveLength(2);
    expect(failedEcho[0]?.correlation.requestId).not.toBeNull();
    const unknown = errors.filter((e) => e.message.startsWith("no/such-method"));
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ type: "client_error" });
    expect((unknown[0]?.details as { errorCode?: number } | undefined)?.errorCode).toBe(-32601);

    const { groups } = await cliJsonInProcess<{ groups: ErrorGroup[] }>([
      "events",
      "groups",
      "--data-dir",
      dir.path,
      "--server",
      "everything",
    ]);
    const echoGroup = groups.find((g) => g.message.startsWith("tools/call echo"));
    expect(echoGroup?.count).toBe(2);
    expect(echoGroup?.server).toBe("everything");
    expect(Date.parse(echoGroup?.firstSeen ?? "")).toBeLessThanOrEqual(Date.parse(echoGroup?.lastSeen ?? ""));
    expect(groups.find((g) => g.message.startsWith("no/such-method"))?.count).toBe(1);
    expect(groups[0]?.count).toBe(2);
  });

  it("filters by severity (that level and above), type prefix, server and session", async () => {
    const all = await events(["--session", sessionId]);
    const low = await events(["--session", sessionId, "--severity", "low"]);
    expect(low.length).toBeGreaterThan(0);
    expect(low.length).toBeLessThan(all.length);
    expect(low.every((e) => e.severity !== "info")).toBe(true);
    const sessions = await events(["--type", "session.*"]);
    expect(sessions.map((e) => e.type).sort()).toEqual(["session.end", "session.start"]);
    // A server nothing knows is most likely a typo: one line naming the known ones, exit 1.
    await expect(
      cliOkInProcess(["events", "--data-dir", dir.path, "--server", "nobody", "--json"]),
    ).rejects.toThrow(/no server named "nobody" has recorded events; known: /);
    expect(await events(["--session", "nope"])).toEqual([]);
    expect(await events(["--session", sessionId, "--limit", "2"])).toHaveLength(2);
    // Newest first.
    const times = all.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    await expect(cliOkInProcess(["events", "--data-dir", dir.path, "--severity", "loud"])).rejects.toThrow(
      /severity/,
    );
  });

  it("prints the session's timeline: calls, logs and events interleaved in time order", async () => {
    const timeline = await cliJsonInProcess<SessionTimeline>(["session", sessionId, "--data-dir", dir.path]);
    expect(timeline.session).toMatchObject({
      id: sessionId,
      server: "everything",
      clientName: "mcpscope-test",
    });
    const kinds = new Set(timeline.items.map((i) => i.kind));
    expect(kinds).toContain("call");
    expect(kinds).toContain("event");
    expect(kinds).toContain("log");
    const times = timeline.items.map((i) => Date.parse(i.time));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The store's own rows, merged: every call, log and event of the session is there once.
    const db = openDb(databasePath(dir.path), { readOnly: true });
    try {
      const count = (table: string) =>
        Number(db.prepare(`SELECT count(*) AS n FROM ${table} WHERE session_id = ?`).get(sessionId)?.n);
      expect(timeline.items.filter((i) => i.kind === "call")).toHaveLength(count("calls"));
      expect(timeline.items.filter((i) => i.kind === "log")).toHaveLength(count("logs"));
      expect(timeline.items.filter((i) => i.kind === "event")).toHaveLength(count("events"));
    } finally {
      db.close();
    }
    const first = timeline.items[0];
    expect(first?.kind === "event" && first.summary.startsWith("wrapper.start")).toBe(true);
    const text = await cliOkInProcess(["session", sessionId, "--data-dir", dir.path]);
    expect(text.stdout).toContain("CALL");
    expect(text.stdout).toContain("EVENT");
    await expect(cliOkInProcess(["session", "missing", "--data-dir", dir.path])).rejects.toThrow(
      /no session/,
    );
  });
});
