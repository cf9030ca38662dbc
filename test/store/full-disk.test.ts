/**
 * A full disk under a real wrapper: the data dir on a 2 MiB tmpfs; once a filler file takes the rest of
 * the space, traffic still flows, the wrapper says so once on stderr, holds what fits and counts what it
 * dropped, and recording resumes by itself when the space returns. Needs permission to mount a tmpfs (root here, as in
 * CI's container); elsewhere it says loudly that it was skipped.
 */
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { killAll, startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE, waitFor } from "../helpers/mcp.js";
import { useSmallDisk } from "../helpers/small-disk.js";

const SERVER = join(import.meta.dirname, "..", "fixtures", "misbehaving-server.mjs");

const disk = useSmallDisk("2m", "test/store/full-disk.test.ts");
afterEach(() => killAll());

function storedIds(dataDir: string): Set<string> {
  try {
    const db = openDb(databasePath(dataDir), { readOnly: true });
    try {
      return new Set(
        db
          .prepare("SELECT request_id FROM calls")
          .all()
          .map((r) => String(r.request_id)),
      );
    } finally {
      db.close();
    }
  } catch {
    return new Set();
  }
}

/** Writes zeros to `path` until the file system is full. */
function fill(path: string): void {
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
}

describe("a full disk", () => {
  it("traffic flows, drops are counted, recording resumes when space returns", async (context) => {
    if (!disk.mounted) context.skip();
    const dataDir = join(disk.mountPoint, "data");
    const run = startRaw(process.execPath, [
      MCPSCOPE,
      "run",
      "--name",
      "full",
      "--data-dir",
      dataDir,
      "--",
      process.execPath,
      SERVER,
    ]);
    let id = 0;
    const ping = async () => {
      id++;
      await run.write(`${JSON.stringify({ jsonrpc: "2.0", id, method: "ping" })}\n`);
      await run.waitForStdout(`"id":${id},`);
      return String(id);
    };
    const first = await ping();
    await waitFor(() => storedIds(dataDir).has(first));

    const filler = join(disk.mountPoint, "filler");
    fill(filler);
    const whileFull: string[] = [];
    for (let i = 0; i < 300; i++) whileFull.push(await ping());
    await run.waitForStderr("full");

    rmSync(filler);
    // The writer tries the database again a few seconds after a failure; keep the traffic coming until a
    // call made after the space returned is stored.
    const lastWhileFull = Number(whileFull[whileFull.length - 1]);
    await waitFor(async () => {
      await ping();
      return [...storedIds(dataDir)].some((i) => Number(i) > lastWhileFull);
    });
    run.end();
    const result = await run.done;
    expect(result.code).toBe(0);

    // Every call is stored (held in the write queue while the disk was full) or counted as dropped.
    const stored = storedIds(dataDir);
    const ours = result.stderr
      .toString("utf8")
      .split("\n")
      .filter((l) => l.startsWith("mcpscope:"));
    expect(ours.filter((l) => /full/.test(l))).toHaveLength(1);
    const db = openDb(databasePath(dataDir), { readOnly: true });
    try {
      const session = db.prepare("SELECT ended_at, dropped FROM sessions").get();
      expect(session?.ended_at).not.toBeNull();
      expect(stored.size + Number(session?.dropped)).toBe(id);
    } finally {
      db.close();
    }
  });
});
