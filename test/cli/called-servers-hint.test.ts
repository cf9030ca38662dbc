/**
 * The unknown-server hint of `calls`, `stats` and `report` names the servers with calls recorded: one whose
 * only session made no call (a server that failed to start) is left out, and one whose raw calls are gone
 * but whose rollups still count them stays in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldOnce } from "../../electron/monitor/metrics/fold.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { migrate } from "../../electron/monitor/store/migrations.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
  const db = openDb(databasePath(dir.path));
  migrate(db);
  const now = Date.now();
  const session = db.prepare(
    "INSERT INTO sessions (id, server, started_at, ended_at, command) VALUES (?, ?, ?, ?, 'x')",
  );
  const call = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome,
     bytes_in, bytes_out) VALUES (?, ?, 'c2s', '1', 'tools/call', ?, 3, 'ok', 1, 1)`,
  );
  session.run("ghost-1", "ghost", now - 60_000, now - 59_000); // failed to start: no call
  session.run("files-1", "files", now - 60_000, null);
  session.run("archived-1", "archived", now - 60_000, now - 30_000);
  call.run("files-1", "files", now - 50_000);
  call.run("archived-1", "archived", now - 50_000);
  foldOnce(db);
  db.prepare("DELETE FROM calls WHERE server = 'archived'").run(); // counted by its rollups alone
  call.run("files-1", "files", now - 10_000); // not folded yet
  db.close();
});
afterAll(() => dir.cleanup());

describe("the servers named as having recorded calls", () => {
  it.each(["calls", "stats", "report"])("%s names only servers that made calls", async (command) => {
    const run = await cliInProcess([command, "--server", "nope", "--data-dir", dir.path]);
    expect(run.stderr).toBe(
      `mcpscope ${command}: no server named "nope" has recorded calls; known: archived, files\n`,
    );
    expect(run.status).toBe(1);
  });
});
