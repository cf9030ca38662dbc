/** Every part emits through the one event path: supervisor, recorder, settings changes, own drops. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { iterateAudit } from "../../electron/monitor/audit/audit-log.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { writerSink } from "../../electron/monitor/supervisor/telemetry.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
beforeAll(async () => {
  dir = await tempDir();
  engine = await createEngine({ dataDir: dir.path, inventory: false });
});
afterAll(async () => {
  await engine.close();
  await dir.cleanup();
});

const dbPath = () => join(dir.path, "mcpscope.db");

describe("event sources", () => {
  it("the supervisor's error events carry a fingerprint, so they group", () => {
    const writer = new BatchWriter({ open: () => openDb(dbPath()) });
    const sink = writerSink(writer);
    for (const pid of [101, 202]) {
      sink.event({
        time: Date.now(),
        category: "error",
        type: "process.crash",
        severity: "high",
        server: "files",
        message: `files crashed (pid ${pid})`,
      });
    }
    writer.close();
    const db = openDb(dbPath());
    const rows = db.prepare("SELECT fingerprint FROM events WHERE type = 'process.crash'").all();
    db.close();
    expect(rows).toHaveLength(2);
    expect(rows[0]?.fingerprint).toBeTruthy();
    expect(rows[0]?.fingerprint).toBe(rows[1]?.fingerprint);
  });

  it("protocol violations and a session's own drops go through the tracker", () => {
    const writer = new BatchWriter({ open: () => openDb(dbPath()) });
    const recorder = new SessionRecorder(writer, {
      sessionId: "s-1",
      server: "odd",
      command: "odd-server",
      startedAt: Date.now(),
      pid: null,
      wrapperPid: process.pid,
    });
    recorder.protocolEvent({
      time: Date.now(),
      type: "invalid_json",
      stream: "out",
      message: "line is not valid JSON",
      bytes: 9,
    });
    recorder.unobserved(3);
    recorder.ended({ endedAt: Date.now(), exitCode: 0, signal: null });
    writer.close();
    const db = openDb(dbPath());
    const protocol = db
      .prepare("SELECT fingerprint, session_id FROM events WHERE type = 'protocol.invalid_json'")
      .get();
    const dropped = db.prepare("SELECT severity, message FROM events WHERE type = 'telemetry.dropped'").get();
    db.close();
    expect(protocol).toMatchObject({ session_id: "s-1", fingerprint: expect.any(String) });
    expect(dropped).toMatchObject({ severity: "medium", message: expect.stringContaining("3 calls") });
  });

  it("a settings change is a system event and an audit record, without the file's text", async () => {
    await writeFile(
      join(dir.path, "settings.json"),
      JSON.stringify({ logs: { minLevel: "info" }, secret: "hunter2-xyz" }),
    );
    const events = await waitFor(async () => {
      const found = (await engine.invoke("events.list", { type: "settings.changed" })) as Array<{
        message: string;
      }>;
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]?.message).toMatch(
      /^settings\.json created: logs\.minLevel \(unset\) → info, secret \(unset\) → \[masked/,
    );
    expect(events[0]?.message).not.toContain("hunter2");
    const db = openDb(dbPath());
    const audit = await waitFor(() => [...iterateAudit(db)].find((r) => r.action === "settings_change"));
    db.close();
    expect(String(audit.details)).not.toContain("hunter2");
  });
});
