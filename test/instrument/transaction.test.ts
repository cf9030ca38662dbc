/** Atomic write, lock, change detection, mode, symlinks and backups around one config edit. */
import { chmod, chown, lstat, readdir, readFile, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKUPS_KEPT_PER_FILE, readManifest, sha256 } from "../../electron/monitor/instrument/backups.js";
import { instrument, uninstrument } from "../../electron/monitor/instrument/instrument.js";
import { lockPathFor } from "../../electron/monitor/instrument/lock-file.js";
import { readRecords } from "../../electron/monitor/instrument/records.js";
import { tempDir } from "../helpers/mcp.js";
import { canChattr, chattr, copyFixture, NODE_LAUNCHER, server } from "./helpers.js";

let dir: { path: string; cleanup: () => Promise<void> };
let file: string;
let original: Buffer;
beforeEach(async () => {
  dir = await tempDir("mcpscope-instrument-");
  file = await copyFixture(dir.path, "claude-desktop.json");
  original = await readFile(file);
});
afterEach(() => dir.cleanup());

const data = () => join(dir.path, "data");
const files = () => server("claude-desktop", "files", file, "jsonc", ["mcpServers", "files"]);

describe("config transaction", () => {
  it("a file changed between read and write is not overwritten, and no record is kept", async () => {
    const theirs = original.toString("utf8").replace("Ctrl+Space", "Ctrl+Alt+Space");
    const attempt = instrument(files(), {
      dataDir: data(),
      launcher: NODE_LAUNCHER,
      hooks: { beforeWrite: () => writeFile(file, theirs) },
    });
    await expect(attempt).rejects.toThrow(/changed while mcpscope was editing it.*nothing was written/);
    expect(await readFile(file, "utf8")).toBe(theirs);
    expect(await readRecords(data())).toEqual([]);
    expect((await readdir(dir.path)).filter((n) => n.endsWith(".tmp") || n.endsWith(".lock"))).toEqual([]);
  });

  it("uninstrument does not overwrite a file changed between read and write either", async () => {
    await instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER });
    const wrapped = await readFile(file, "utf8");
    const theirs = `${wrapped}\n`;
    await expect(
      uninstrument(files(), { dataDir: data(), hooks: { beforeWrite: () => writeFile(file, theirs) } }),
    ).rejects.toThrow(/changed while mcpscope was editing it/);
    expect(await readFile(file, "utf8")).toBe(theirs);
    expect(await readRecords(data())).toHaveLength(1);
  });

  it("refuses while another mcpscope holds the lock, and takes over a stale lock", async () => {
    await writeFile(lockPathFor(file), "12345 other\n");
    await expect(
      instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER, lock: { waitMs: 100 } }),
    ).rejects.toThrow(/being changed by another mcpscope/);
    expect((await readFile(file)).equals(original)).toBe(true);

    const old = new Date(Date.now() - 31_000);
    await utimes(lockPathFor(file), old, old);
    const result = await instrument(files(), {
      dataDir: data(),
      launcher: NODE_LAUNCHER,
      lock: { waitMs: 100 },
    });
    expect(result.status).toBe("instrumented");
    await expect(stat(lockPathFor(file))).rejects.toThrow(/ENOENT/);
  });

  it("keeps the file's mode, and edits the target of a symlink without replacing the link", async () => {
    await chmod(file, 0o640);
    const link = join(dir.path, "linked.json");
    await symlink(file, link);
    const viaLink = server("claude-desktop", "files", link, "jsonc", ["mcpServers", "files"]);
    await instrument(viaLink, { dataDir: data(), launcher: NODE_LAUNCHER });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readFile(file, "utf8")).toContain("mcpscope.js");
    await uninstrument(viaLink, { dataDir: data() });
    expect((await readFile(file)).equals(original)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
  });

  it("backs up before each change, with the checksum, listed in the manifest", async () => {
    const t1 = new Date("2026-11-25T10:00:00.000Z");
    await instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER, now: () => t1 });
    const wrapped = await readFile(file);
    await uninstrument(files(), { dataDir: data(), now: () => t1 });
    const manifest = await readManifest(data());
    expect(manifest.map((b) => [b.action, b.sha256])).toEqual([
      ["instrument", sha256(original)],
      ["uninstrument", sha256(wrapped)],
    ]);
    // Same timestamp: the second backup gets its own name instead of replacing the first.
    // Named after the config, and tagged with its path's digest: other configs may share its name.
    const tag = sha256(file).slice(0, 8);
    expect(manifest.map((b) => b.file)).toEqual([file, file]);
    expect(manifest.map((b) => b.backup.slice(data().length))).toEqual([
      `/backups/claude-desktop/claude-desktop.json.${tag}.2026-11-25T10-00-00.000Z.bak`,
      `/backups/claude-desktop/claude-desktop.json.${tag}.2026-11-25T10-00-00.000Z-1.bak`,
    ]);
    for (const b of manifest) {
      expect(sha256(await readFile(b.backup))).toBe(b.sha256);
      expect((await stat(b.backup)).mode & 0o777).toBe(0o600);
    }
    expect((await stat(join(data(), "instrumented.json"))).mode & 0o777).toBe(0o600);
  });

  it("a file that is not valid UTF-8 or does not parse is left alone", async () => {
    await writeFile(file, Buffer.concat([original, Buffer.from([0xff, 0xfe])]));
    await expect(instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER })).rejects.toThrow(
      /not valid UTF-8/,
    );
    await writeFile(file, '{ "mcpServers": { "files": { "command": "npx" } ');
    await expect(instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER })).rejects.toThrow(
      /does not parse \(line 1: unexpected end of file \(expected '}'\)\); fix it first/,
    );
  });

  /** What the edit left next to the config and in the data dir: nothing, when it was refused. */
  async function leftBehind(): Promise<string[]> {
    const backups = await readdir(join(data(), "backups", "claude-desktop")).catch(() => []);
    const temps = (await readdir(dir.path)).filter((n) => n.endsWith(".tmp") || n.endsWith(".lock"));
    return [...backups, ...temps];
  }

  it("refuses a read-only config in one line, whoever runs it, and leaves nothing behind", async () => {
    await chmod(file, 0o444);
    await expect(instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER })).rejects.toThrow(
      `${file} is read-only; nothing was changed — make it writable (chmod u+w) and run the command again`,
    );
    expect((await readFile(file)).equals(original)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o444);
    expect(await readRecords(data())).toEqual([]);
    expect(await leftBehind()).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)("keeps the config's owner and group", async () => {
    await chown(file, 65534, 65534);
    await instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER });
    expect(await stat(file)).toMatchObject({ uid: 65534, gid: 65534 });
    await uninstrument(files(), { dataDir: data() });
    expect(await stat(file)).toMatchObject({ uid: 65534, gid: 65534 });
    expect((await readFile(file)).equals(original)).toBe(true);
  });

  it.skipIf(!canChattr)(
    "a config made immutable is refused as read-only; one made so mid-edit fails in one plain line, leaving nothing behind",
    async () => {
      await chattr("+i", file);
      try {
        await expect(instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER })).rejects.toThrow(
          `${file} is read-only; nothing was changed`,
        );
      } finally {
        await chattr("-i", file);
      }
      const midEdit = instrument(files(), {
        dataDir: data(),
        launcher: NODE_LAUNCHER,
        hooks: {
          beforeWrite: async () => {
            await chattr("+i", file);
          },
        },
      });
      try {
        await expect(midEdit).rejects.toThrow(
          `cannot replace ${file} (EPERM: the file or its folder does not allow it); nothing was changed`,
        );
      } finally {
        await chattr("-i", file);
      }
      expect((await readFile(file)).equals(original)).toBe(true);
      expect(await readRecords(data())).toEqual([]);
      expect(await leftBehind()).toEqual([]);
    },
  );
});

describe("config backups", () => {
  it("keep the newest few copies of each config, so rotated secrets do not stay forever", async () => {
    const made: string[] = [];
    for (let i = 0; i < BACKUPS_KEPT_PER_FILE + 2; i++) {
      made.push(
        (await instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER })).backup as string,
        (await uninstrument(files(), { dataDir: data() })).backup as string,
      );
    }
    const listed = (await readManifest(data())).map((b) => b.backup);
    expect(listed).toEqual(made.slice(-BACKUPS_KEPT_PER_FILE));
    const onDisk = await readdir(join(data(), "backups", "claude-desktop"));
    expect(onDisk.sort()).toEqual(listed.map((b) => basename(b)).sort());
    // The config is restored byte for byte, and the newest copies still hold what undoes a change.
    expect((await readFile(file)).equals(original)).toBe(true);
    expect((await readFile(listed.at(-1) as string)).toString()).toContain("mcpscope");
  });
});

describe("the config as the user wrote it", () => {
  it("stays in the backups while mcpscope changes more entries of it than copies are kept", async () => {
    const names = Array.from({ length: BACKUPS_KEPT_PER_FILE + 2 }, (_, i) => `server${i}`);
    const servers = Object.fromEntries(names.map((n) => [n, { command: "node", args: [`${n}.js`] }]));
    await writeFile(file, `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`);
    const before = await readFile(file);
    const entry = (n: string) => server("claude-desktop", n, file, "jsonc", ["mcpServers", n]);
    const made: string[] = [];
    for (const n of names)
      made.push((await instrument(entry(n), { dataDir: data(), launcher: NODE_LAUNCHER })).backup as string);
    // Undoing them one by one is as many changes again.
    for (const n of names) made.push((await uninstrument(entry(n), { dataDir: data() })).backup as string);
    expect((await readFile(file)).equals(before)).toBe(true);

    const listed = (await readManifest(data())).map((b) => b.backup);
    expect(listed).toEqual([made[0], ...made.slice(-BACKUPS_KEPT_PER_FILE)]);
    expect((await readFile(made[0] as string)).equals(before)).toBe(true);
    const onDisk = await readdir(join(data(), "backups", "claude-desktop"));
    expect(onDisk.sort()).toEqual(listed.map((b) => basename(b)).sort());

    // Once every entry is undone, the next change's copy is the config as it now is: that one is kept,
    // and the older one goes like any other, so a secret rotated out of the config does leave the backups.
    const again: string[] = [];
    for (let i = 0; i < BACKUPS_KEPT_PER_FILE + 1; i++) {
      again.push(
        (await instrument(entry("server0"), { dataDir: data(), launcher: NODE_LAUNCHER })).backup as string,
      );
      await uninstrument(entry("server0"), { dataDir: data() });
    }
    expect((await readManifest(data())).map((b) => b.backup)).not.toContain(made[0]);
  });
});

describe("copies the manifest does not list", () => {
  it("go as the listed ones do, so a rotated secret does not stay in one", async () => {
    const folder = join(data(), "backups", "claude-desktop");
    await instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER });
    // Left unlisted: a listing that failed, a deletion that failed, a manifest moved from elsewhere.
    const tag = sha256(file).slice(0, 8);
    const orphan = join(folder, `${basename(file)}.${tag}.2020-01-01T00-00-00.000Z.bak`);
    const orphanSecond = join(folder, `${basename(file)}.${tag}.2020-01-01T00-00-00.000Z-1.bak`);
    // Not a copy of this config: another file of this client, and something of the user's.
    const other = join(folder, "other.json.2020-01-01T00-00-00.000Z.bak");
    const notes = join(folder, "notes.txt");
    // Named before copies carried their config's tag: whose it is cannot be told, so it stays.
    const untagged = join(folder, `${basename(file)}.2020-01-01T00-00-00.000Z.bak`);
    for (const path of [orphan, orphanSecond, other, notes, untagged])
      await writeFile(path, '{"token":"old"}\n');
    await uninstrument(files(), { dataDir: data() });
    for (let i = 0; i < BACKUPS_KEPT_PER_FILE; i++) {
      await instrument(files(), { dataDir: data(), launcher: NODE_LAUNCHER });
      await uninstrument(files(), { dataDir: data() });
    }
    const onDisk = await readdir(folder);
    expect(onDisk).not.toContain(basename(orphan));
    expect(onDisk).not.toContain(basename(orphanSecond));
    expect(onDisk).toContain(basename(other));
    expect(onDisk).toContain("notes.txt");
    expect(onDisk).toContain(basename(untagged));
    const listed = (await readManifest(data())).map((b) => basename(b.backup));
    expect(onDisk.filter((n) => n.startsWith(`${basename(file)}.${tag}.`)).sort()).toEqual(listed.sort());
  });
});
