/**
 * An upgrade cannot be undone, and a data dir is often shared by several installs: whoever upgrades keeps
 * the database as it was, as a backup the older install can restore, and records that it did; `backup`
 * copies the database as it is; a wrapper leaves the upgrade to the app or a command.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { readManifest } from "../../electron/monitor/store/backup.js";
import { backupDir } from "../../electron/monitor/store/backup-files.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb, openRawDb } from "../../electron/monitor/store/db.js";
import { migrate, SCHEMA_VERSION } from "../../electron/monitor/store/migrations.js";
import type { EventRecord } from "../../shared/events.js";
import { cliAtTerminal, cliInProcess, cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { connect, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

const OLDER = SCHEMA_VERSION - 3;

/** A database an older mcpscope left, holding one session. */
function olderDatabase(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const db = openRawDb(databasePath(dataDir));
  try {
    db.exec("PRAGMA journal_mode = WAL");
    migrate(db, undefined, OLDER);
    db.prepare("INSERT INTO sessions (id, server, started_at) VALUES ('before', 'everything', ?)").run(
      Date.now(),
    );
  } finally {
    db.close();
  }
}

function userVersion(dataDir: string): number {
  const db = openRawDb(databasePath(dataDir), { readOnly: true });
  try {
    return Number(db.prepare("PRAGMA user_version").get()?.user_version);
  } finally {
    db.close();
  }
}

/** A call's row as a wrapper's recorder queues it. */
const heldCall = (i: number) => ({
  ...{ session_id: "s", server: "x", direction: "c2s", request_id: String(i), method: "tools/call" },
  ...{
    started_at: i,
    duration_ms: 1,
    outcome: "ok",
    bytes_in: 1,
    bytes_out: 1,
    progress_count: 0,
    rounds: 0,
  },
});

function storedRequests(dataDir: string): unknown[] {
  const db = openRawDb(databasePath(dataDir), { readOnly: true });
  try {
    return db
      .prepare("SELECT request_id FROM calls ORDER BY id")
      .all()
      .map((r) => r.request_id);
  } finally {
    db.close();
  }
}

const keptCopies = (dataDir: string) =>
  readdirSync(backupDir(dataDir))
    .filter((name) => name.startsWith("mcpscope-before-upgrade-"))
    .sort();

describe("an upgrade keeps the database as it was", () => {
  it("a command upgrading it keeps a backup of the older schema, records it, and that backup restores", async () => {
    const dataDir = join(dir.path, "cli");
    olderDatabase(dataDir);
    await cliOkInProcess(["stats", "--data-dir", dataDir]);
    expect(userVersion(dataDir)).toBe(SCHEMA_VERSION);
    const kept = keptCopies(dataDir);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(
      new RegExp(`^mcpscope-before-upgrade-from-${OLDER}-[0-9T-]+Z\\.mcpscope-backup$`),
    );
    const copy = join(backupDir(dataDir), kept[0] ?? "");
    expect(readManifest(copy).manifest.schemaVersion).toBe(OLDER);

    const { events } = await cliJsonInProcess<{ events: EventRecord[] }>([
      "events",
      "--type",
      "storage.upgraded",
      "--data-dir",
      dataDir,
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]?.message).toContain(`upgraded from schema ${OLDER} to ${SCHEMA_VERSION}`);
    expect(events[0]?.message).toContain(`kept as ${copy}`);
    // It holds what was replaced: not the last backup, so a schedule still backs up the upgraded one.
    const info = await cliJsonInProcess<{ lastBackup: unknown }>(["db", "info", "--data-dir", dataDir]);
    expect(info.lastBackup).toBeNull();

    // Nothing left to upgrade: nothing more kept.
    await cliOkInProcess(["stats", "--data-dir", dataDir]);
    expect(keptCopies(dataDir)).toEqual(kept);

    const restored = join(dir.path, "restored");
    await cliOkInProcess(["restore", copy, "--data-dir", restored]);
    const db = openRawDb(databasePath(restored), { readOnly: true });
    try {
      expect(db.prepare("SELECT id FROM sessions").all()).toEqual([{ id: "before" }]);
    } finally {
      db.close();
    }
  });

  it("when no copy can be kept, the terminal told one would be is told it was not", async () => {
    const dataDir = join(dir.path, "no-copy");
    olderDatabase(dataDir);
    // Where the copy goes cannot be made (a full disk fails the same way, later).
    writeFileSync(backupDir(dataDir), "");
    const { status, terminal } = await cliAtTerminal(["stats", "--data-dir", dataDir]);
    expect(status).toBe(0);
    const lines = terminal.trim().split("\n");
    expect(lines[0]).toContain(
      `upgrading the database from schema ${OLDER} to ${SCHEMA_VERSION}, keeping a copy`,
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^mcpscope: no copy of the schema-${OLDER} database could be kept in backups/ \\(EEXIST: .+\\); it was upgraded to schema ${SCHEMA_VERSION} all the same, and an older mcpscope can no longer open it$`,
        ),
      ),
    ]);
    expect(userVersion(dataDir)).toBe(SCHEMA_VERSION);
  });

  it("keeps the newest two such copies, and no other backup is touched", async () => {
    const dataDir = join(dir.path, "bounded");
    olderDatabase(dataDir);
    const backups = backupDir(dataDir);
    mkdirSync(backups, { recursive: true });
    const mine = "mcpscope-2020-01-01T00-00-00-000Z.mcpscope-backup";
    const older = [
      `mcpscope-before-upgrade-from-9-2020-01-01T00-00-00-000Z.mcpscope-backup`,
      `mcpscope-before-upgrade-from-15-2020-02-01T00-00-00-000Z.mcpscope-backup`,
    ];
    for (const name of [mine, ...older]) copyFileSync(databasePath(dataDir), join(backups, name));
    await cliOkInProcess(["stats", "--data-dir", dataDir]);
    const kept = keptCopies(dataDir);
    expect(kept).toHaveLength(2);
    expect(kept).toContain(older[1]);
    expect(kept.filter((name) => name.startsWith(`mcpscope-before-upgrade-from-${OLDER}-`))).toHaveLength(1);
    expect(readdirSync(backups)).toContain(mine);
  });

  it("`backup` copies the database as it is: not upgraded, its schema in the manifest", async () => {
    const dataDir = join(dir.path, "backup");
    olderDatabase(dataDir);
    const file = join(dir.path, "before-trying.mcpscope-backup");
    const { status, stderr } = await cliInProcess(["backup", file, "--data-dir", dataDir]);
    expect(status).toBe(0);
    expect(stderr).toContain(
      `the database has schema ${OLDER} (this mcpscope's is ${SCHEMA_VERSION}): backed up as it is`,
    );
    expect(userVersion(dataDir)).toBe(OLDER);
    expect(readManifest(file).manifest.schemaVersion).toBe(OLDER);
  });

  it("a wrapper leaves the upgrade to the app or a command, and says it does not record meanwhile", async () => {
    const dataDir = join(dir.path, "wrapper");
    olderDatabase(dataDir);
    const client: Client = await connect(SERVERS.everything(), { dataDir, name: "everything" });
    let stderr = "";
    (client.transport as StdioClientTransport).stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await client.listTools();
      await waitFor(async () => stderr.includes(`has schema version ${OLDER}, older than this mcpscope's`));
    } finally {
      await client.close();
    }
    // Held for an upgrade that did not come before the session ended: its calls are counted as lost.
    await waitFor(async () => stderr.includes("(the database waits for an upgrade); traffic was unaffected"));
    expect(stderr).toMatch(
      /: \d+ calls? of this session (was|were) not recorded, and its end could not be stored/,
    );
    expect(userVersion(dataDir)).toBe(OLDER);
    expect(readdirSync(dataDir)).not.toContain("backups");
  });

  it("a wrapper that ends just after the upgrade stores what it held, not waiting for its next try", async () => {
    const dataDir = join(dir.path, "held-at-exit");
    olderDatabase(dataDir);
    // As the wrapper's observer opens it, tried again every 5 s: the session ends sooner than that.
    const writer = new BatchWriter({ open: () => openDb(databasePath(dataDir), { olderSchema: "refuse" }) });
    for (let i = 1; i <= 3; i++) writer.enqueue("calls", heldCall(i));
    expect(writer.flush()).toBe(false);
    await cliOkInProcess(["stats", "--data-dir", dataDir]);
    expect(writer.close()).toBe(true);
    expect(writer.droppedCalls).toBe(0);
    expect(storedRequests(dataDir)).toEqual(["1", "2", "3"]);
  });

  it("a wrapper holds the calls it sees until the upgrade (bounded, the rest counted), then stores them", async () => {
    const dataDir = join(dir.path, "held");
    olderDatabase(dataDir);
    const problems: string[] = [];
    // As the wrapper's observer opens it; tried again at every flush here, not every 5 s.
    const writer = new BatchWriter({
      open: () => openDb(databasePath(dataDir), { olderSchema: "refuse" }),
      reopenAfterMs: 0,
      maxQueue: 5,
      onProblem: (message) => problems.push(message),
    });
    const call = (i: number) => writer.enqueue("calls", heldCall(i));
    for (let i = 1; i <= 3; i++) call(i);
    expect(writer.flush()).toBe(false);
    for (let i = 4; i <= 7; i++) call(i); // 2 fit, 2 do not
    expect(writer.flush()).toBe(false);
    expect([writer.queued, writer.droppedCalls]).toEqual([5, 2]);
    expect(problems).toEqual([
      `the database ${databasePath(dataDir)} has schema version ${OLDER}, older than this mcpscope's (${SCHEMA_VERSION}): it records once the app, \`mcpscope serve\` or any mcpscope command has upgraded it (keeping a copy in backups/); holding up to 5 rows of telemetry until then, counting the calls not stored; traffic unaffected`,
      "telemetry queue full (5 rows); dropping until it drains",
    ]);

    await cliOkInProcess(["stats", "--data-dir", dataDir]);
    expect(writer.close()).toBe(true);
    expect(storedRequests(dataDir)).toEqual(["1", "2", "3", "4", "5"]);
    expect(writer.droppedCalls).toBe(2);
  });
});
