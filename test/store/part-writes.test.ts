/**
 * The batch writer is fail-open per part: a write of a part's own tables (pins, events…) that throws for
 * its own reasons is undone and skipped, and the calls, logs and other writes of its batch, and of the
 * queue after it, are stored. On a real database file.
 */
import { join } from "node:path";
import { expect, it } from "vitest";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { testDir } from "../helpers/mcp.js";

function callRow(i: number) {
  return {
    session_id: "s-1",
    server: "files",
    direction: "c2s",
    request_id: String(i),
    method: "tools/call",
    target: "read",
    started_at: 1_000 + i,
    duration_ms: 1,
    outcome: "ok",
    bytes_in: 10,
    bytes_out: 20,
    progress_count: 0,
    rounds: 1,
  };
}

it("a part's failing write is skipped alone: its half-made rows undone, the batch's calls kept", async () => {
  const path = join(await testDir(), "mcpscope.db");
  const problems: string[] = [];
  const writer = new BatchWriter({ open: () => openDb(path), onProblem: (m) => problems.push(m) });
  writer.enqueue("calls", callRow(1));
  writer.enqueueWrite((db) => {
    db.prepare(
      "INSERT INTO tool_pins (server, tool, hash, definition, pinned_at, status) VALUES ('files', 'half', 'h', '{}', 1, 'pinned')",
    ).run();
    throw new Error("no key here");
  });
  writer.enqueue("calls", callRow(2));
  writer.enqueueWrite((db) => {
    db.prepare(
      "INSERT INTO tool_pins (server, tool, hash, definition, pinned_at, status) VALUES ('files', 'whole', 'h', '{}', 1, 'pinned')",
    ).run();
  });
  expect(writer.flush()).toBe(true);
  writer.enqueue("calls", callRow(3));
  expect(writer.close()).toBe(true);

  const db = openDb(path);
  try {
    expect(
      db
        .prepare("SELECT request_id FROM calls ORDER BY id")
        .all()
        .map((r) => r.request_id),
    ).toEqual(["1", "2", "3"]);
    expect(
      db
        .prepare("SELECT tool FROM tool_pins")
        .all()
        .map((r) => r.tool),
    ).toEqual(["whole"]);
  } finally {
    db.close();
  }
  expect(writer.droppedCalls).toBe(0);
  expect(problems).toEqual([
    expect.stringMatching(/failed and was skipped \(no key here\); the calls are kept/),
  ]);
});
