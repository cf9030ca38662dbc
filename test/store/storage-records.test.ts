/**
 * A backup and a restore leave a trace, whichever front made them: `mcpscope backup` / `restore` and the
 * app's Back up now / Restore… each write a `backup` or `restore` record into the audit chain and a
 * `storage.backed_up` or `storage.restored` event. A restore rewinds the audit chain to the backup's end;
 * its record, in the restored database, is what tells an operator the trail was rewound, and from what.
 */
import { userInfo } from "node:os";
import { basename, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { createEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { BackupResult, RestoreResult } from "../../shared/storage.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

type Exported = { id: number; actor: string; action: string; target: string; details: string };

async function auditOf(dataDir: string): Promise<Exported[]> {
  const out = await cliInProcess(["audit", "export", "--data-dir", dataDir]);
  expect(out.status, out.stderr).toBe(0);
  return out.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function eventsOf(dataDir: string, type: string): Promise<{ severity: string; message: string }[]> {
  const out = await cliInProcess(["events", "--type", type, "--json", "--data-dir", dataDir]);
  expect(out.status, out.stderr).toBe(0);
  return JSON.parse(out.stdout).events;
}

function adminAction(dataDir: string, action: string): void {
  const db = openDb(databasePath(dataDir));
  try {
    recordAdminAction(db, { action, actor: "someone", target: "claude-desktop" });
  } finally {
    db.close();
  }
}

describe("backup and restore in the audit trail and the events", () => {
  it("mcpscope restore records that it rewound the trail, into the restored database", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const dataDir = join(dir.path, "data");
    const file = join(dir.path, "before.mcpscope-backup");
    adminAction(dataDir, "instrument");
    const backedUp = await cliInProcess(["backup", file, "--data-dir", dataDir]);
    expect(backedUp.status, backedUp.stderr).toBe(0);
    const afterBackup = await auditOf(dataDir);
    expect(afterBackup.map((r) => [r.action, r.actor])).toEqual([
      ["instrument", "someone"],
      ["backup", userInfo().username],
    ]);
    expect(JSON.parse(afterBackup[1]?.details ?? "{}")).toMatchObject({ file, rows: expect.any(Number) });
    expect(await eventsOf(dataDir, "storage.backed_up")).toHaveLength(1);

    adminAction(dataDir, "uninstrument");
    const restored = await cliInProcess(["restore", file, "--data-dir", dataDir]);
    expect(restored.status, restored.stderr).toBe(0);

    const trail = await auditOf(dataDir);
    // The backup held the instrument record; the backup's own record and the uninstrument came after.
    expect(trail.map((r) => r.action)).toEqual(["instrument", "restore"]);
    const restore = trail[1];
    expect(restore?.actor).toBe(userInfo().username);
    const details = JSON.parse(restore?.details ?? "{}");
    expect(details).toMatchObject({ file, backupCreatedAt: expect.any(String) });
    expect(basename(details.previous)).toMatch(/^mcpscope\.db\.before-restore-/);
    const events = await eventsOf(dataDir, "storage.restored");
    expect(events).toHaveLength(1);
    expect(events[0]?.severity).toBe("medium");
    expect(events[0]?.message).toContain(file);
    const verify = await cliInProcess(["audit", "verify", "--data-dir", dataDir]);
    expect([verify.status, verify.stdout]).toEqual([0, "2 records, chain intact\n"]);
  });

  it("the app's Back up now and Restore… leave the same records and events", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const dataDir = join(dir.path, "data");
    const engine = await createEngine({ dataDir, inventory: false, alerts: false, remoteProxies: false });
    cleanups.push(() => engine.close());
    const backup = (await engine.invoke("storage.backup", {})) as BackupResult;
    const name = basename(backup.file);
    const result = (await engine.invoke("storage.restore", { name })) as RestoreResult;
    expect(result.ok, result.message).toBe(true);
    const trail = await auditOf(dataDir);
    expect(trail.map((r) => [r.action, r.actor])).toEqual([["restore", "app"]]);
    expect(JSON.parse(trail[0]?.details ?? "{}")).toMatchObject({
      file: backup.file,
      previous: result.previous,
    });
    expect(await eventsOf(dataDir, "storage.restored")).toHaveLength(1);
    // The backup's own record went into the database the restore replaced: back up again to see it.
    await engine.invoke("storage.backup", {});
    expect((await auditOf(dataDir)).map((r) => [r.action, r.actor])).toEqual([
      ["restore", "app"],
      ["backup", "app"],
    ]);
    expect(await eventsOf(dataDir, "storage.backed_up")).toHaveLength(1);
  });
});
