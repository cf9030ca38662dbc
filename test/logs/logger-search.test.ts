/**
 * A structured log's logger name (an MCP `notifications/message`'s `logger`, pino's `name`) is part of what
 * a search finds: through the real wrapper, `mcpscope logs --grep LOGGER` and the API's search.
 */
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { searchLogs } from "../../electron/monitor/logs/log-queries.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { LogRecord } from "../../shared/logs.js";
import { killAll } from "../fixtures/raw-client.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { INITIALIZE, session, stderrCall } from "./log-session.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterEach(() => killAll());
afterAll(() => dir.cleanup());

describe("searching logs by their logger", () => {
  it("finds an MCP log notification and a pino line by the logger that wrote them", async () => {
    const dataDir = join(dir.path, "loggers");
    const pino = JSON.stringify({ level: 30, time: 1, msg: "ready to serve", name: "billing-worker" });
    await session(dataDir, "loggers", [
      INITIALIZE,
      { method: "notifications/initialized" },
      {
        id: 2,
        method: "tools/call",
        params: { name: "log", arguments: { level: "warning", logger: "db.pool", data: "pool exhausted" } },
      },
      stderrCall(3, `${pino}\n`),
    ]);
    const grep = async (text: string) =>
      (
        await cliJsonInProcess<{ logs: LogRecord[] }>(["logs", "--data-dir", dataDir, "--grep", text])
      ).logs.map((l) => [l.logger, l.message]);
    expect(await grep("db.pool")).toEqual([["db.pool", "pool exhausted"]]);
    expect(await grep("pool")).toEqual([["db.pool", "pool exhausted"]]);
    expect(await grep("billing-worker")).toEqual([["billing-worker", "ready to serve"]]);
    expect(await grep("billing* ready")).toEqual([["billing-worker", "ready to serve"]]);
    // Shown as it is searched: the logger before the message.
    const { stdout } = await cliOkInProcess(["logs", "--data-dir", dataDir, "--grep", "db.pool"]);
    expect(stdout).toContain("db.pool: pool exhausted");
    // The API's search, which the Logs view's search box asks.
    const db = openDb(databasePath(dataDir), { readOnly: true });
    try {
      expect(searchLogs(db, { text: "billing-worker" }).map((l) => l.message)).toEqual(["ready to serve"]);
    } finally {
      db.close();
    }
  });
});
