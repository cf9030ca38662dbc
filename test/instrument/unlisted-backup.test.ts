/**
 * A backup manifest that cannot be written once the config has changed: the change stays (the record that
 * undoes it is kept), and the user is told in one line what was done and where the backup is, with exit 1
 * on the command line and a failed action in the app. The manifest is an immutable file (`chattr +i`):
 * it reads, so the change goes ahead, but even root cannot replace it.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { manifestPath } from "../../electron/monitor/instrument/backups.js";
import { readRecords } from "../../electron/monitor/instrument/records.js";
import type { Inventory } from "../../shared/servers.js";
import { cliOkInProcess } from "../helpers/cli-in-process.js";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";
import { canChattr, chattr } from "./helpers.js";

const ORIGINAL = `{\n  "mcpServers": {\n    "files": { "command": "node", "args": ["server.js"] }\n  }\n}\n`;

let dir: { path: string; cleanup: () => Promise<void> };
let home: string;
let data: string;
let file: string;
async function theBackup(): Promise<string> {
  const names = await readdir(join(data, "backups", "cursor"));
  expect(names).toHaveLength(1);
  return join(data, "backups", "cursor", names[0] as string);
}

function unlisted(backup: string): string {
  return `its backup could not be listed in ${manifestPath(data)} (EPERM: operation not permitted); the backup is kept at ${backup} — to undo the change by hand, copy it over ${file}`;
}

describe.skipIf(!canChattr)("a backup the manifest cannot list after the config changed", () => {
  beforeEach(async () => {
    dir = await tempDir("mcpscope-unlisted-");
    home = join(dir.path, "home");
    data = join(dir.path, "data");
    file = join(home, ".cursor", "mcp.json");
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, ORIGINAL);
    await mkdir(join(data, "backups"), { recursive: true });
    await writeFile(manifestPath(data), '{ "backups": [] }\n');
    await chattr("+i", manifestPath(data));
  });
  afterEach(async () => {
    await chattr("-i", manifestPath(data));
    await dir.cleanup();
  });

  it("mcpscope instrument says what it did and where the backup is, in one line, and exits 1", async () => {
    const args = [
      "instrument",
      "--client",
      "cursor",
      "--server",
      "files",
      "--home",
      home,
      "--data-dir",
      data,
    ];
    const failed = await promisify(execFile)(process.execPath, [MCPSCOPE, ...args], { cwd: ROOT }).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed, "a change whose backup is not listed is not a clean success").not.toBeNull();
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toMatch(/^instrumented files \(cursor\) in /);
    const backup = await theBackup();
    expect(failed?.stderr).toBe(
      `mcpscope instrument: files (cursor) in ${file} was instrumented, but ${unlisted(backup)}\n`,
    );
    // What it says is true: the entry is wrapped, the backup holds the original, and the record that
    // undoes the change is kept.
    expect(await readFile(file, "utf8")).toContain("mcpscope");
    expect(await readFile(backup, "utf8")).toBe(ORIGINAL);
    expect(await readRecords(data)).toHaveLength(1);

    await chattr("-i", manifestPath(data));
    await cliOkInProcess([
      "uninstrument",
      "--client",
      "cursor",
      "--server",
      "files",
      "--home",
      home,
      "--data-dir",
      data,
    ]);
    expect(await readFile(file, "utf8")).toBe(ORIGINAL);
  });

  it("the app's Instrument action fails with the same line, the change made", async () => {
    const engine = await createEngine({
      dataDir: data,
      inventory: { home, probeIntervalMs: 60_000, sampleIntervalMs: 60_000 },
      remoteProxies: false,
    });
    try {
      const inventory = (await engine.invoke("servers.inventory", {})) as Inventory;
      const id = inventory.servers.find((s) => s.name === "files")?.id ?? "";
      const result = (await engine.invoke("servers.instrument", { id })) as { ok: boolean; message: string };
      expect(result).toEqual({
        ok: false,
        message: `files in ${file} now runs through mcpscope, but ${unlisted(await theBackup())}; restart Cursor to pick up the change`,
      });
      expect(await readFile(file, "utf8")).toContain("mcpscope");
    } finally {
      await engine.close();
    }
  });

  it("mcpscope uninstrument and the app's Uninstrument say the same when they restore", async () => {
    await chattr("-i", manifestPath(data));
    const cursor = ["--client", "cursor", "--server", "files", "--home", home, "--data-dir", data];
    await cliOkInProcess(["instrument", ...cursor]);
    const before = new Set(await readdir(join(data, "backups", "cursor")));
    await chattr("+i", manifestPath(data));
    const failed = await promisify(execFile)(process.execPath, [MCPSCOPE, "uninstrument", ...cursor], {
      cwd: ROOT,
    }).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed, "a restore whose backup is not listed is not a clean success").not.toBeNull();
    expect(failed?.code).toBe(1);
    expect(await readFile(file, "utf8")).toBe(ORIGINAL);
    const made = (await readdir(join(data, "backups", "cursor"))).filter((n) => !before.has(n));
    expect(made).toHaveLength(1);
    const backup = join(data, "backups", "cursor", made[0] as string);
    expect(failed?.stderr).toBe(
      `mcpscope uninstrument: files (cursor) in ${file} was restored, but ${unlisted(backup)}\n`,
    );

    // The app's action, on an entry instrumented again, fails with the same words, the restore made.
    await chattr("-i", manifestPath(data));
    await cliOkInProcess(["instrument", ...cursor]);
    await chattr("+i", manifestPath(data));
    const engine = await createEngine({
      dataDir: data,
      inventory: { home, probeIntervalMs: 60_000, sampleIntervalMs: 60_000 },
      remoteProxies: false,
    });
    try {
      const inventory = (await engine.invoke("servers.inventory", {})) as Inventory;
      const id = inventory.servers.find((s) => s.name === "files")?.id ?? "";
      const result = (await engine.invoke("servers.uninstrument", { id })) as {
        ok: boolean;
        message: string;
      };
      expect(result.ok).toBe(false);
      expect(result.message).toMatch(
        new RegExp(
          `^files restored in ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, but its backup could not be listed`,
        ),
      );
      expect(await readFile(file, "utf8")).toBe(ORIGINAL);
    } finally {
      await engine.close();
    }
  });
});
