/**
 * An engine held up past its supervision lease (its process suspended alone: SIGSTOP, swapping)
 * loses it to the other engine on the data dir. Once it runs again it stops the servers it ran, says so
 * in its log and as an event, and hands them to the engine that holds the lease, which starts them: one
 * copy of each server runs, never two. A real engine host (dist/) with a short lease, a real engine in
 * this process, a real MCP server. Stop is refused there then, as Start is: the server runs elsewhere.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_SUPERVISION_ENV } from "../../electron/main/test-supervision.js";
import { DATABASE_FILE } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { SUPERVISION_LOST_EVENT } from "../../electron/monitor/supervisor/supervision-lease.js";
import { processRunning } from "../helpers/engine-host.js";
import { waitFor } from "../helpers/mcp.js";
import { memoryProcesses, twoEngines } from "../helpers/two-engines.js";

const proc = existsSync("/proc/self/stat");

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Suspends the engine host while it holds no write lock: this test holds the lock while the signal lands.
 * A host stopped inside a write would hold every other writer (the second engine's lease too) until it ran
 * again — SQLite's way, and not what this test is about.
 */
async function suspendOutsideWrites(child: ChildProcess, dbPath: string): Promise<void> {
  const lock = openDb(dbPath);
  try {
    lock.exec("BEGIN IMMEDIATE");
    child.kill("SIGSTOP");
    // Stopped ("T" in /proc/PID/stat) before the lock is let go.
    await waitFor(() => readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.startsWith("T"));
    lock.exec("ROLLBACK");
  } finally {
    lock.close();
  }
}

describe.skipIf(!proc)("an engine that lost the supervision lease while it lived", () => {
  it("stops its servers once it runs again, and the engine that took over runs the only copy", async () => {
    // Checked every 100 ms, lasting 2 s unrenewed (a busy host still renews it in time).
    const {
      data,
      first,
      firstPid,
      memoryFile,
      entryOfFirst: inventoryOfFirst,
      entryOfSecond,
    } = await twoEngines(cleanups, { [TEST_SUPERVISION_ENV]: "100,2000" });
    await waitFor(async () => (await entryOfSecond())?.supervisedElsewhere?.enginePid === first.child.pid);

    // The first engine is suspended past its lease: the second takes the lease over.
    cleanups.push(() => void first.child.kill("SIGCONT"));
    await suspendOutsideWrites(first.child, join(data.path, DATABASE_FILE));
    await waitFor(async () => {
      const entry = await entryOfSecond();
      return entry && !entry.supervisedElsewhere ? entry : undefined;
    });
    first.child.kill("SIGCONT");

    // Running again, the first stops its copy; the second runs the server, once.
    const taken = await waitFor(async () => {
      const entry = await entryOfSecond();
      return entry?.process?.state === "running" && entry.process.pid !== firstPid ? entry : undefined;
    });
    await waitFor(() => !processRunning(firstPid));
    expect(memoryProcesses(memoryFile)).toEqual([taken.process?.pid]);

    // Said in the first engine's log and as an event.
    const db = openDb(join(data.path, DATABASE_FILE));
    cleanups.push(() => db.close());
    const event = await waitFor(() =>
      db.prepare("SELECT message FROM events WHERE type = ?").get(SUPERVISION_LOST_EVENT),
    );
    expect(String(event.message)).toContain(
      `took over running the servers from this one (pid ${first.child.pid})`,
    );
    expect(String(event.message)).toContain("stopping memory here");
    await waitFor(() =>
      db
        .prepare("SELECT 1 FROM logs WHERE message LIKE ?")
        .get(
          `the engine with pid ${process.pid} took over running the servers from this one; stopping memory%`,
        ),
    );
    // Still its engine: it answers, and shows the server as run by the other engine.
    await waitFor(async () => (await inventoryOfFirst())?.supervisedElsewhere?.pid === taken.process?.pid);
    // Stop there is refused as Start is, naming the engine that runs it: its copy there runs on.
    const id = (await inventoryOfFirst())?.id as string;
    const stop = (await first.client.invoke("servers.stop", { id })) as { ok: boolean; message: string };
    expect(stop.ok).toBe(false);
    expect(stop.message).toContain(`run by the other mcpscope engine (pid ${process.pid}`);
    expect(memoryProcesses(memoryFile)).toEqual([taken.process?.pid]);
  });
});
