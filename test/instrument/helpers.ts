/** Fixture configs in a temp folder, hand-built DiscoveredServers, and the round-trip checks every format shares. */
import { execFile } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "vitest";
import type { ConfigFormat, DiscoveredServer } from "../../electron/monitor/discovery/types.js";
import { readManifest, sha256 } from "../../electron/monitor/instrument/backups.js";
import { EDITORS } from "../../electron/monitor/instrument/entry-edit.js";
import {
  type EntryFields,
  getAt,
  readFields,
  shapeFor,
} from "../../electron/monitor/instrument/entry-shape.js";
import { instrument, uninstrument } from "../../electron/monitor/instrument/instrument.js";
import type { Launcher } from "../../electron/monitor/instrument/launcher.js";
import { unwrapEntry } from "../../electron/monitor/instrument/marker.js";
import { readRecords } from "../../electron/monitor/instrument/records.js";
import type { ClientId, TransportKind } from "../../shared/discovery.js";
import { tempDir } from "../helpers/mcp.js";

/** Sets or clears a file attribute (`+i`: immutable, which even root cannot write, rename over or remove). */
export const chattr = (flag: string, path: string) => promisify(execFile)("chattr", [flag, path]);
/** `chattr +i` needs root and a file system that supports it. */
export const canChattr = await (async () => {
  const probe = await tempDir("mcpscope-chattr-");
  const path = join(probe.path, "probe");
  await writeFile(path, "");
  const ok = await chattr("+i", path).then(
    () => true,
    () => false,
  );
  if (ok) await chattr("-i", path);
  await probe.cleanup();
  return ok;
})();

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

/** An npm install's launcher: Node plus the CLI script. */
export const NODE_LAUNCHER: Launcher = {
  command: "/opt/node/bin/node",
  args: ["/opt/mcpscope/bin/mcpscope.js"],
  env: {},
};

/** The packaged app's launcher: the app binary running the bundled CLI as Node. */
export const APP_LAUNCHER: Launcher = {
  command: "/opt/mcpscope/mcpscope",
  args: ["/opt/mcpscope/resources/app.asar.unpacked/bin/mcpscope.js"],
  env: { ELECTRON_RUN_AS_NODE: "1" },
};

/** Copies `fixtures/<name>.fixture` (named so that the linter leaves its formatting alone) to `dir/<as>`. */
export async function copyFixture(dir: string, name: string, as = name): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, as);
  await copyFile(join(FIXTURES, `${name}.fixture`), file);
  return file;
}

export function server(
  client: ClientId,
  name: string,
  file: string,
  format: ConfigFormat,
  path: Array<string | number>,
  transport: TransportKind = "stdio",
): DiscoveredServer {
  return {
    definition: {
      id: `${client}:${file}:${name}`,
      name,
      client,
      scope: "user",
      file,
      transport,
      command: null,
      args: [],
      env: {},
      cwd: null,
      url: null,
      headers: {},
      instrumented: false,
      disabled: false,
    },
    rawCommand: null,
    rawArgs: [],
    rawUrl: null,
    rawEnv: {},
    rawHeaders: {},
    location: { file, format, path },
    wrapped: null,
  };
}

/** The entry's command line as the client would read it. */
export function entryFields(text: string, s: DiscoveredServer): EntryFields {
  const { format, path } = s.location!;
  const entry = getAt(EDITORS[format].parse(text), path);
  const fields = readFields(entry, shapeFor(s.definition.client as ClientId, entry));
  if (!fields) throw new Error("entry has no command");
  return fields;
}

/**
 * Instrument, check the wrapped file, uninstrument, check the file is byte-identical. Returns the wrapped
 * text for further checks.
 */
export async function roundTrip(s: DiscoveredServer, dataDir: string, launcher: Launcher): Promise<string> {
  const { file, format, path } = s.location!;
  const original = await readFile(file);
  const originalText = original.toString("utf8");
  const before = entryFields(originalText, s);

  const result = await instrument(s, { dataDir, launcher });
  expect(result.status).toBe("instrumented");
  const wrappedText = await readFile(file, "utf8");
  expect(wrappedText).not.toBe(originalText);

  // The client now launches mcpscope, which runs the original command.
  const after = entryFields(wrappedText, s);
  expect(after.command).toBe(launcher.command);
  expect(unwrapEntry(after.command, after.args)).toEqual({
    command: before.command,
    args: before.args,
    client: s.definition.client,
    entry: s.definition.id,
    name: s.definition.name,
  });
  expect(after.env).toEqual({ ...before.env, ...launcher.env });

  // Only the entry's bytes changed.
  const range = EDITORS[format].locate(originalText, path)!;
  expect(wrappedText.startsWith(originalText.slice(0, range.start))).toBe(true);
  expect(wrappedText.endsWith(originalText.slice(range.end))).toBe(true);

  // A backup of the original bytes, with its checksum.
  const manifest = await readManifest(dataDir);
  const backup = manifest.find((b) => b.backup === result.backup)!;
  expect(backup).toMatchObject({ file, sha256: sha256(original), action: "instrument" });
  expect(sha256(await readFile(backup.backup))).toBe(backup.sha256);
  expect(await readRecords(dataDir)).toHaveLength(1);

  const undone = await uninstrument(s, { dataDir });
  expect(undone.status).toBe("restored");
  expect((await readFile(file)).equals(original)).toBe(true);
  expect(await readRecords(dataDir)).toHaveLength(0);
  return wrappedText;
}
