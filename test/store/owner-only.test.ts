/**
 * Owner-only data under the usual umask 022: a wrapper's first session creates the data dir 0700 and the
 * database, its -wal and -shm 0600; log files are 0600; an existing install with loose modes is tightened
 * when the engine starts; instrumenting, the remote-proxy registry, hand-added servers and the serve
 * token create a fresh data dir 0700 too.
 */
import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepServeToken } from "../../electron/cli/serve-token.js";
import { addManualServer } from "../../electron/monitor/discovery/manual-servers.js";
import { createEngine } from "../../electron/monitor/engine.js";
import { RotatingFile } from "../../electron/monitor/logs/rotating-file.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { updateRemoteProxies } from "../../electron/monitor/proxy-http/remote-proxies.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { startRaw } from "../fixtures/raw-client.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

const SERVER = join(import.meta.dirname, "..", "fixtures", "misbehaving-server.mjs");
const mode = (path: string) => statSync(path).mode & 0o777;

let dir: Awaited<ReturnType<typeof tempDir>>;
let previousUmask: number;
beforeAll(async () => {
  previousUmask = process.umask(0o022);
  dir = await tempDir();
});
afterAll(async () => {
  process.umask(previousUmask);
  await dir.cleanup();
});

describe.skipIf(process.platform === "win32")("owner-only files", () => {
  it("a wrapper's first session creates the data dir 0700 and the database files 0600", async () => {
    const dataDir = join(dir.path, "fresh", "mcpscope");
    const wrapper = startRaw(process.execPath, [
      MCPSCOPE,
      "run",
      "--name",
      "private",
      "--data-dir",
      dataDir,
      "--",
      process.execPath,
      SERVER,
    ]);
    await wrapper.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })}\n`);
    await wrapper.waitForStdout('"id":1');
    wrapper.end();
    expect((await wrapper.done).code).toBe(0);
    const db = databasePath(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(db)).toBe(0o600);
    // The wrapper's connection is closed; open one to see the -wal and -shm SQLite makes.
    const reader = openDb(db);
    expect(Number(reader.prepare("SELECT count(*) AS n FROM calls").get()?.n)).toBe(1);
    expect(mode(`${db}-wal`)).toBe(0o600);
    expect(mode(`${db}-shm`)).toBe(0o600);
    reader.close();
  });

  it("log files and their compressed rotations are 0600 in a 0700 folder", async () => {
    const logDir = join(dir.path, "logs-here");
    const file = new RotatingFile({ dir: logDir, name: "server", maxBytes: 64, rotateEveryMs: 1e9, keep: 3 });
    file.append(["a".repeat(50), "b".repeat(50)]);
    await file.idle();
    expect(mode(logDir)).toBe(0o700);
    expect(mode(file.path)).toBe(0o600);
    expect(mode(join(logDir, "server.000001.jsonl.gz"))).toBe(0o600);
  });

  it("the engine tightens an existing data dir, its database and every file under it", async () => {
    const dataDir = join(dir.path, "old-install");
    openDb(databasePath(dataDir)).close();
    mkdirSync(join(dataDir, "logs"), { recursive: true });
    writeFileSync(join(dataDir, "logs", "server.jsonl"), "{}\n");
    writeFileSync(join(dataDir, "settings.json"), "{}\n");
    // An audit key copied back by hand (`cp` keeps the umask's 0644), e.g. after a restore elsewhere.
    writeFileSync(join(dataDir, "audit-key"), `${"ab".repeat(32)}\n`);
    mkdirSync(join(dataDir, "launched"));
    writeFileSync(join(dataDir, "launched", "1-abcd.json"), "{}\n");
    for (const path of [dataDir, join(dataDir, "logs"), join(dataDir, "launched")]) chmodSync(path, 0o755);
    for (const path of [
      databasePath(dataDir),
      join(dataDir, "logs", "server.jsonl"),
      join(dataDir, "settings.json"),
      join(dataDir, "audit-key"),
      join(dataDir, "launched", "1-abcd.json"),
    ])
      chmodSync(path, 0o644);
    // Not ours: a data dir can be a folder the user keeps other things in.
    writeFileSync(join(dataDir, "notes.sh"), "echo hi\n", { mode: 0o755 });
    const engine = await createEngine({ dataDir, inventory: false, alerts: false });
    try {
      expect(mode(join(dataDir, "notes.sh"))).toBe(0o755);
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, "logs"))).toBe(0o700);
      expect(mode(databasePath(dataDir))).toBe(0o600);
      expect(mode(`${databasePath(dataDir)}-wal`)).toBe(0o600);
      expect(mode(join(dataDir, "logs", "server.jsonl"))).toBe(0o600);
      expect(mode(join(dataDir, "settings.json"))).toBe(0o600);
      expect(mode(join(dataDir, "audit-key"))).toBe(0o600);
      expect(mode(join(dataDir, "launched"))).toBe(0o700);
      expect(mode(join(dataDir, "launched", "1-abcd.json"))).toBe(0o600);
    } finally {
      await engine.close();
    }
  });

  it("instrument, the remote-proxy registry, hand-added servers and the serve token create it 0700", async () => {
    const home = join(dir.path, "home");
    mkdirSync(join(home, ".cursor"), { recursive: true });
    writeFileSync(
      join(home, ".cursor", "mcp.json"),
      JSON.stringify({ mcpServers: { files: { command: process.execPath, args: [SERVER] } } }),
    );
    const instrumented = join(dir.path, "by-instrument", "mcpscope");
    const result = await cliInProcess([
      "instrument",
      "--client",
      "cursor",
      "--server",
      "files",
      "--home",
      home,
      "--data-dir",
      instrumented,
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(mode(instrumented)).toBe(0o700);
    expect(mode(join(dir.path, "by-instrument"))).toBe(0o700);
    expect(mode(join(instrumented, "backups"))).toBe(0o700);
    const proxies = join(dir.path, "by-proxies");
    await updateRemoteProxies(proxies, () => []);
    expect(mode(proxies)).toBe(0o700);
    const manual = join(dir.path, "by-add");
    await addManualServer(manual, { name: "mine", command: "true" });
    expect(mode(manual)).toBe(0o700);
    const served = join(dir.path, "by-serve");
    keepServeToken(served);
    expect(mode(served)).toBe(0o700);
  });
});
