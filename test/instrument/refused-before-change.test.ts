// biome-ignore-all lint/suspicious/noTemplateCurlyInString: VS Code's ${…} variables in entries
/**
 * A change mcpscope cannot complete is refused before the config is touched: an unreadable backup manifest
 * (local and remote entries), and a remote entry whose URL holds a variable the client fills in.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { manifestPath, readManifest } from "../../electron/monitor/instrument/backups.js";
import { instrument } from "../../electron/monitor/instrument/instrument.js";
import { instrumentRemote } from "../../electron/monitor/instrument/instrument-remote.js";
import { readRecords } from "../../electron/monitor/instrument/records.js";
import { readRemoteProxies } from "../../electron/monitor/proxy-http/remote-proxies.js";
import { tempDir } from "../helpers/mcp.js";
import { copyFixture, NODE_LAUNCHER, server } from "./helpers.js";

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir("mcpscope-refused-");
});
afterEach(() => dir.cleanup());
const data = () => join(dir.path, "data");

async function breakManifest(): Promise<void> {
  await mkdir(join(data(), "backups"), { recursive: true });
  await writeFile(manifestPath(data()), '{"oops":1}\n');
}

async function backupFiles(): Promise<string[]> {
  return readdir(join(data(), "backups"), { recursive: true }).then((names) =>
    names.filter((n) => n.endsWith(".bak")),
  );
}

describe("an unreadable backup manifest", () => {
  it("stops instrument before the config changes, and keeps no record or backup", async () => {
    const file = await copyFixture(dir.path, "claude-desktop.json");
    const original = await readFile(file);
    await breakManifest();
    const files = server("claude-desktop", "files", file, "jsonc", ["mcpServers", "files"]);

    await expect(instrument(files, { dataDir: data(), launcher: NODE_LAUNCHER })).rejects.toThrow(
      /is not a backup manifest; move it aside and retry/,
    );
    expect((await readFile(file)).equals(original)).toBe(true);
    expect(await readRecords(data())).toEqual([]);
    expect(await backupFiles()).toEqual([]);
    expect(await readFile(manifestPath(data()), "utf8")).toBe('{"oops":1}\n');
  });

  it("stops a remote entry's instrument before its URL points at a proxy", async () => {
    const file = join(dir.path, "mcp.json");
    const original =
      '{ "servers": { "remote": { "type": "http", "url": "https://mcp.example.com/mcp" } } }\n';
    await writeFile(file, original);
    await breakManifest();
    const remote = server("vscode", "remote", file, "jsonc", ["servers", "remote"], "http");

    await expect(instrumentRemote(remote, { dataDir: data() })).rejects.toThrow(/is not a backup manifest/);
    expect(await readFile(file, "utf8")).toBe(original);
    expect(await readRecords(data())).toEqual([]);
    expect(await readRemoteProxies(data())).toEqual([]);
  });

  it("a readable manifest lists the backup of each change", async () => {
    const file = await copyFixture(dir.path, "claude-desktop.json");
    const files = server("claude-desktop", "files", file, "jsonc", ["mcpServers", "files"]);
    const result = await instrument(files, { dataDir: data(), launcher: NODE_LAUNCHER });
    expect((await readManifest(data())).map((b) => b.backup)).toEqual([result.backup]);
  });
});

describe("a remote entry whose URL holds a variable the client fills in", () => {
  it.each(["https://api.example.com/mcp?key=${env:KEY}", "https://h.example/${workspaceFolderBasename}/mcp"])(
    "is refused in one line with nothing changed: %s",
    async (url) => {
      const file = join(dir.path, "mcp.json");
      const original = `{ "servers": { "remote": { "type": "http", "url": ${JSON.stringify(url)} } } }\n`;
      await writeFile(file, original);
      const remote = server("vscode", "remote", file, "jsonc", ["servers", "remote"], "http");

      const attempt = instrumentRemote(remote, { dataDir: data() });
      await expect(attempt).rejects.toThrow(
        /^remote \(vscode\) uses \$\{[^}]+\} in its URL; mcpscope cannot proxy it without storing the value .*nothing was changed$/,
      );
      expect(await readFile(file, "utf8")).toBe(original);
      expect(await readRecords(data())).toEqual([]);
      expect(await readRemoteProxies(data())).toEqual([]);
    },
  );
});
