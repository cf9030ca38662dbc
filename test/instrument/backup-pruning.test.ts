/**
 * Which config copies a change deletes: never the unlisted copy of another config that shares the file
 * name (Cursor's global and every project's `mcp.json` back up into one folder), an unlisted copy of this
 * config only once five newer ones are kept, and never the copy of the config as the user wrote it — also
 * when a previous release listed it, before copies were flagged so.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { expect, it } from "vitest";
import {
  BACKUPS_KEPT_PER_FILE,
  manifestPath,
  openManifest,
  readManifest,
  writeBackupCopy,
} from "../../electron/monitor/instrument/backups.js";
import { testDir } from "../helpers/mcp.js";

const GLOBAL = "/home/me/.cursor/mcp.json";
const PROJECT = "/home/me/proj/.cursor/mcp.json";
const T0 = Date.parse("2026-12-01T10:00:00.000Z");
const at = (i: number) => new Date(T0 + i * 1000);

/** One change of `file` as instrument makes it: the copy, then its manifest line. */
async function change(dataDir: string, file: string, i: number, untouched?: boolean): Promise<string> {
  const manifest = await openManifest(dataDir);
  try {
    const copy = await writeBackupCopy(
      dataDir,
      "cursor",
      file,
      Buffer.from(`{"v":${i}}`),
      "instrument",
      at(i),
    );
    if (untouched !== undefined) copy.untouched = untouched;
    await manifest.append(copy);
    return copy.backup;
  } finally {
    await manifest.release();
  }
}

it("keeps another config's unlisted copy of the same name, and this config's until five newer are kept", async () => {
  const dataDir = await testDir();
  // Both written, never listed: the manifest could not be written, and the user was told to undo with them.
  const globalCopy = (
    await writeBackupCopy(dataDir, "cursor", GLOBAL, Buffer.from("{}"), "instrument", at(0))
  ).backup;
  const projectCopy = (
    await writeBackupCopy(dataDir, "cursor", PROJECT, Buffer.from("{}"), "instrument", at(1))
  ).backup;

  const made: string[] = [];
  for (let i = 0; i < BACKUPS_KEPT_PER_FILE; i++) {
    expect(existsSync(projectCopy), `after ${i} changes`).toBe(true);
    made.push(await change(dataDir, PROJECT, 10 + i, i === 0));
  }
  // Five newer copies of the project's config are kept now: its unlisted one has gone, the global one not.
  expect(existsSync(projectCopy)).toBe(false);
  expect(existsSync(globalCopy)).toBe(true);
  expect((await readManifest(dataDir)).map((b) => b.backup)).toEqual(made);
});

it("keeps the first copy listed by a release that did not flag the untouched one", async () => {
  const dataDir = await testDir();
  const copies: string[] = [];
  for (let i = 0; i < 2; i++) copies.push(await change(dataDir, PROJECT, i));
  // As that release wrote the manifest: no `untouched` on any line.
  const text = await readFile(manifestPath(dataDir), "utf8");
  await writeFile(manifestPath(dataDir), text.replace(/,\n\s*"untouched": (true|false)/g, ""));
  expect(await readFile(manifestPath(dataDir), "utf8")).not.toContain("untouched");
  // Now the other entries of the file, one by one: each sees some instrumented, so none is untouched.
  for (let i = 2; i < 2 + 2 * BACKUPS_KEPT_PER_FILE; i++)
    copies.push(await change(dataDir, PROJECT, i, false));

  const listed = (await readManifest(dataDir)).map((b) => b.backup);
  expect(listed).toEqual([copies[0], ...copies.slice(-BACKUPS_KEPT_PER_FILE)]);
  expect(await readFile(copies[0] as string, "utf8")).toBe('{"v":0}');
  for (const gone of copies.slice(1, -BACKUPS_KEPT_PER_FILE)) expect(existsSync(gone)).toBe(false);
});
