/**
 * Tool pins and call records' digests are keyed with the data dir's audit key: a key that cannot be had
 * (a file holding no key, a data dir on a file system that cannot take one) leaves the list unpinned and
 * the records without digest, says so once, and the session's calls are stored all the same. Real SDK client → `mcpscope run` → server-everything.
 */
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { expect, it } from "vitest";
import { connect, SERVERS, testDir, waitFor } from "../helpers/mcp.js";

function read(dataDir: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(join(dataDir, "mcpscope.db"), { readOnly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } catch {
    return []; // not made yet
  } finally {
    db.close();
  }
}

it.each([
  ["empty", ""],
  ["written in uppercase", `${"AB".repeat(32)}\n`],
])("an audit-key file %s keeps every call of a session that lists tools", async (_, text) => {
  const dataDir = await testDir();
  writeFileSync(join(dataDir, "audit-key"), text);
  chmodSync(join(dataDir, "audit-key"), 0o600);
  const client = await connect(SERVERS.everything(), { dataDir, name: "everything" });
  await client.callTool({ name: "echo", arguments: { message: "one" } });
  await client.listTools();
  await client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
  await client.close();

  // The session's end is recorded either way: as its row's end, or as the calls it lost.
  await waitFor(
    () =>
      read(dataDir, "SELECT 1 FROM sessions WHERE ended_at IS NOT NULL").length > 0 ||
      read(dataDir, "SELECT 1 FROM events WHERE type = 'telemetry.dropped'").length > 0,
  );
  const methods = read(dataDir, "SELECT method, target FROM calls WHERE direction = 'c2s' ORDER BY id");
  expect(methods.map((c) => `${c.method} ${c.target ?? ""}`.trim())).toEqual([
    "initialize",
    "tools/call echo",
    "tools/list",
    "tools/call get-sum",
  ]);
  expect(read(dataDir, "SELECT 1 FROM events WHERE type = 'telemetry.dropped'")).toEqual([]);
  // Said once for the session: its call records keep no digest, its tools are not pinned.
  const said = read(dataDir, "SELECT message FROM events WHERE type = 'audit_key.unavailable'");
  expect(said).toHaveLength(1);
  expect(String(said[0]?.message)).toMatch(/does not hold an audit key/);
  expect(read(dataDir, "SELECT 1 FROM tool_pins")).toEqual([]);
  expect(read(dataDir, "SELECT args_digest FROM audit_records")).toEqual([
    { args_digest: null },
    { args_digest: null },
  ]);
});
