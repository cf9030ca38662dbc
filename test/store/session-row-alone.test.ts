/**
 * A wrapper whose session row cannot be written (here a trigger refuses its update, as a constraint
 * would) still stores its session's calls, says so once, and writes the session row, facts, end and
 * all, once the database takes it again. A real `mcpscope run` over server-everything.
 */
import { afterEach, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { killAll, startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE, SERVERS, testDir, waitFor } from "../helpers/mcp.js";

afterEach(() => killAll());

function read<T>(dataDir: string, sql: string): T | undefined {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    return db.prepare(sql).get() as T | undefined;
  } finally {
    db.close();
  }
}

function exec(dataDir: string, sql: string): void {
  const db = openDb(databasePath(dataDir));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

it("stores a session's calls while its session row cannot be written, and the row once it can", async () => {
  const dataDir = await testDir();
  exec(
    dataDir,
    `CREATE TABLE test_block (x);
     INSERT INTO test_block VALUES (1);
     CREATE TRIGGER test_block_sessions BEFORE UPDATE ON sessions WHEN EXISTS (SELECT 1 FROM test_block)
     BEGIN SELECT RAISE(ABORT, 'session rows refused by the test'); END;`,
  );
  const run = startRaw(
    process.execPath,
    [
      MCPSCOPE,
      "run",
      "--name",
      "everything",
      "--data-dir",
      dataDir,
      "--",
      process.execPath,
      ...SERVERS.everything(),
    ],
    { timeoutMs: 60_000 },
  );
  let id = 0;
  const send = async (method: string, params: unknown) => {
    await run.write(`${JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params })}\n`);
    await run.waitForStdout(`"id":${id}}`);
  };
  await send("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "session-row-test", version: "1.0.0" },
  });
  await run.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  for (let i = 0; i < 5; i++) await send("tools/call", { name: "echo", arguments: { message: `m${i}` } });

  const echoes = () =>
    Number(read<{ n: number }>(dataDir, "SELECT count(*) AS n FROM calls WHERE method = 'tools/call'")?.n);
  await waitFor(() => echoes() >= 5);
  await run.waitForStderr("session rows refused by the test");
  // The row's insert went with its refused update: no half-written session.
  expect(read<{ n: number }>(dataDir, "SELECT count(*) AS n FROM sessions")?.n).toBe(0);

  exec(dataDir, "DELETE FROM test_block");
  await send("tools/call", { name: "echo", arguments: { message: "after" } });
  await waitFor(() => read(dataDir, "SELECT 1 AS x FROM sessions WHERE client_name = 'session-row-test'"));
  run.end();
  expect((await run.done).code).toBe(0);

  expect(echoes()).toBe(6);
  const session = read<{ ended_at: number | null; dropped: number }>(
    dataDir,
    "SELECT ended_at, dropped FROM sessions",
  );
  expect(session?.ended_at).not.toBeNull();
  expect(session?.dropped).toBe(0);
  const said = run
    .stderr()
    .toString("utf8")
    .split("\n")
    .filter((line) => line.includes("session rows refused by the test"));
  expect(said).toEqual([expect.stringMatching(/^mcpscope: .*failed and was skipped.*the calls are kept$/)]);
});
