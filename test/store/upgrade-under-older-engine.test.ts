/**
 * An upgrade never changes the database under a running engine of an older mcpscope (the app or
 * `mcpscope serve`): that one would go on writing the tables as it knows them, its own sessions refused by
 * the upgraded schema, and nothing would tell its user. Whatever would upgrade (a command, a config change,
 * a newer engine's start) refuses in one line saying to quit or update it, and changes nothing. Engines say
 * their schema in their presence file; a file without it is from before, so older. Real processes with the
 * presence files engines write, a real database, the CLI in process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { markEngineRunning, runningEngines } from "../../electron/monitor/engine-presence.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { processStartTicks } from "../../electron/monitor/process-start.js";
import { openRawDb } from "../../electron/monitor/store/db.js";
import { migrate, SCHEMA_VERSION } from "../../electron/monitor/store/migrations.js";
import { cliInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

const proc = existsSync("/proc/self/stat");
const OLDER = SCHEMA_VERSION - 2;

let dir: Awaited<ReturnType<typeof tempDir>>;
let dataDir: string;
const cleanups: Array<() => unknown> = [];

beforeEach(async () => {
  dir = await tempDir();
  dataDir = join(dir.path, "data");
  mkdirSync(dataDir);
  const db = openRawDb(databasePath(dataDir));
  try {
    db.exec("PRAGMA journal_mode = WAL");
    migrate(db, undefined, OLDER);
  } finally {
    db.close();
  }
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  await dir.cleanup();
});

/** A live process with the presence file an engine writes, plus `fields`. */
async function engineFile(fields: Record<string, unknown>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
  cleanups.push(() => child.kill("SIGKILL"));
  const pid = child.pid as number;
  await waitFor(() => processStartTicks(pid) !== null || undefined);
  mkdirSync(join(dataDir, "engines"), { recursive: true });
  writeFileSync(
    join(dataDir, "engines", `${pid}-0dd5c4e3.json`),
    JSON.stringify({
      pid,
      startTicks: processStartTicks(pid),
      startedAt: new Date().toISOString(),
      ...fields,
    }),
  );
  return child;
}

function userVersion(): number {
  const db = openRawDb(databasePath(dataDir), { readOnly: true });
  try {
    return Number(db.prepare("PRAGMA user_version").get()?.user_version);
  } finally {
    db.close();
  }
}

const refusal = (pid: number) =>
  `the database ${databasePath(dataDir)} (schema ${OLDER}) is open in an older mcpscope (the app or \`mcpscope serve\`, pid ${pid}): upgrading it would stop that one's recording; quit it or update it, then run this again (nothing was changed)`;

describe.skipIf(!proc)("an upgrade while an older engine has the database open", () => {
  it("a read command refuses in one line and leaves the database as it was", async () => {
    // An engine of the release before the schema field: it wrote every other marker.
    const older = await engineFile({ alerts: true, requests: 2, supervision: 1 });
    const { status, stderr } = await cliInProcess(["stats", "--data-dir", dataDir]);
    expect(status).toBe(1);
    expect(stderr).toBe(`mcpscope stats: ${refusal(older.pid as number)}\n`);
    expect(userVersion()).toBe(OLDER);
    expect(existsSync(join(dataDir, "backups"))).toBe(false);

    // Once it is quit, the same command upgrades.
    older.kill("SIGKILL");
    await waitFor(() => runningEngines(dataDir).length === 0 || undefined);
    await cliOkInProcess(["stats", "--data-dir", dataDir]);
    expect(userVersion()).toBe(SCHEMA_VERSION);
  });

  it("a config change refuses before the config is edited", async () => {
    const older = await engineFile({ alerts: true, schema: OLDER });
    const home = join(dir.path, "home");
    mkdirSync(join(home, ".codex"), { recursive: true });
    const config = join(home, ".codex", "config.toml");
    const text = '[mcp_servers.files]\ncommand = "node"\nargs = ["server.js"]\n';
    writeFileSync(config, text);
    const { status, stderr } = await cliInProcess([
      ...["instrument", "--client", "codex", "--server", "files"],
      ...["--home", home, "--data-dir", dataDir],
    ]);
    expect(status).toBe(1);
    expect(stderr).toBe(`mcpscope instrument: ${refusal(older.pid as number)}\n`);
    expect(readFileSync(config, "utf8")).toBe(text);
    expect(userVersion()).toBe(OLDER);
  });

  it("a newer engine's start refuses too", async () => {
    const older = await engineFile({ alerts: false });
    await expect(
      createEngine({ dataDir, inventory: false, alerts: false, remoteProxies: false, readPool: false }),
    ).rejects.toThrow(refusal(older.pid as number));
    expect(userVersion()).toBe(OLDER);
    // It said it was running only while it tried.
    expect(readdirSync(join(dataDir, "engines"))).toEqual([`${older.pid}-0dd5c4e3.json`]);
  });

  it("a newer engine refuses before its start-up check, which would read every page for nothing", async () => {
    // Pages the check would find damaged (it runs at a start after no clean close, as here): had it
    // run, the database the older engine has open would have been moved aside.
    const db = openRawDb(databasePath(dataDir));
    try {
      db.exec("CREATE TABLE filler (x TEXT)");
      db.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO filler SELECT printf('%.200c', 'x') FROM n",
      );
    } finally {
      db.close();
    }
    const fd = openSync(databasePath(dataDir), "r+");
    writeSync(fd, Buffer.alloc(2 * 4096, 0xff), 0, 2 * 4096, fstatSync(fd).size - 20 * 4096);
    closeSync(fd);

    const older = await engineFile({ alerts: true, schema: OLDER });
    await expect(
      createEngine({ dataDir, inventory: false, alerts: false, remoteProxies: false, readPool: false }),
    ).rejects.toThrow(refusal(older.pid as number));
    expect(readdirSync(dataDir).filter((name) => name.includes(".corrupt-"))).toEqual([]);
    expect(userVersion()).toBe(OLDER);
  });

  it("a newer engine leaves a database whose header cannot be read where an older engine has it open", async () => {
    const fd = openSync(databasePath(dataDir), "r+");
    writeSync(fd, Buffer.alloc(100, 0xff), 0, 100, 0);
    closeSync(fd);
    const before = readFileSync(databasePath(dataDir));

    const older = await engineFile({ alerts: true, schema: OLDER });
    await expect(
      createEngine({ dataDir, inventory: false, alerts: false, remoteProxies: false, readPool: false }),
    ).rejects.toThrow(
      `the database ${databasePath(dataDir)} cannot be read (file is not a database) and is open in an older mcpscope (the app or \`mcpscope serve\`, pid ${older.pid}): moving it aside would take it from under that one; quit it or update it, then run this again (nothing was changed)`,
    );
    expect(readdirSync(dataDir).filter((name) => name.includes(".corrupt-"))).toEqual([]);
    expect(readFileSync(databasePath(dataDir)).equals(before)).toBe(true);
  });

  it("an engine of this schema (starting beside the command) does not hold the upgrade back", async () => {
    await engineFile({ alerts: true, schema: SCHEMA_VERSION });
    await cliOkInProcess(["stats", "--data-dir", dataDir]);
    expect(userVersion()).toBe(SCHEMA_VERSION);
  });

  it("an engine's presence file says the schema it writes", () => {
    const unmark = markEngineRunning(dataDir, { startedAt: new Date().toISOString(), alerts: false });
    try {
      expect(runningEngines(dataDir).map((e) => e.schema)).toEqual([SCHEMA_VERSION]);
    } finally {
      unmark();
    }
  });
});
