/** The log fixture run through the real wrapper (`mcpscope run`, built), and its records read back. */
import { join } from "node:path";
import { expect } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb, type Row } from "../../electron/monitor/store/db.js";
import { startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE, waitFor } from "../helpers/mcp.js";

const FIXTURE = join(import.meta.dirname, "fixtures", "log-server.mjs");

export function rows(dataDir: string, sql: string): Row[] {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

/** Calls the wrapper `pid` stored, `initialize` aside (0 before the database exists). */
function storedCalls(dataDir: string, pid: number): number {
  try {
    const [row] = rows(
      dataDir,
      `SELECT count(*) AS n FROM calls WHERE method <> 'initialize' AND session_id IN
         (SELECT id FROM sessions WHERE wrapper_pid = ${Number(pid)})`,
    );
    return Number(row?.n ?? 0);
  } catch {
    return 0;
  }
}

/** Runs the fixture through `mcpscope run`, writes `lines` (each waited for by its id), closes stdin. */
export async function session(
  dataDir: string,
  name: string,
  requests: Array<Record<string, unknown> | Array<Record<string, unknown>>>,
): Promise<void> {
  const wrapper = startRaw(process.execPath, [
    MCPSCOPE,
    "run",
    "--name",
    name,
    "--data-dir",
    dataDir,
    "--",
    process.execPath,
    FIXTURE,
  ]);
  let answered = 0;
  for (const request of requests) {
    const batch = Array.isArray(request) ? request : [request];
    await wrapper.write(batch.map((r) => `${JSON.stringify({ jsonrpc: "2.0", ...r })}\n`).join(""));
    for (const r of batch) {
      if (r.id === undefined) continue;
      await wrapper.waitForStdout(`"id":${JSON.stringify(r.id)}`);
      if (r.method !== "initialize") answered++;
    }
  }
  // Ended once every answered call is stored, as while a session lasts (and the records before them):
  // what a wrapper stores within its exit's bound is not what these tests are about, and on a loaded
  // machine that bound can run out before its observer has started.
  await waitFor(() => storedCalls(dataDir, wrapper.pid ?? 0) >= answered);
  wrapper.end();
  const result = await wrapper.done;
  expect(result.code).toBe(0);
}

export const INITIALIZE = {
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
};

/** A call of the fixture's `stderr` tool, writing `text` in one write. */
export const stderrCall = (id: number, text: string) => ({
  id,
  method: "tools/call",
  params: { name: "stderr", arguments: { text } },
});
