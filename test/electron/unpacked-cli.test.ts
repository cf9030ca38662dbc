/**
 * The packaged app's CLI as entries run it lives outside app.asar (electron-builder.yml `asarUnpack`):
 * the app's entries run `app.asar.unpacked/bin/mcpscope.js`, and the AppImage copies the CLI from there
 * into the data dir. So every file that copy is made of must be unpacked — the build's schema marker
 * (dist/install.json) among them, which a later mcpscope reads beside an entry's script to tell whether
 * that install can still record into a database it has upgraded.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, matchesGlob, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ensureStableCli } from "../../electron/monitor/instrument/stable-cli.js";
import { SCHEMA_VERSION } from "../../electron/monitor/store/migrations.js";
import { ROOT, tempDir } from "../helpers/mcp.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir("mcpscope-unpacked-cli-");
});
afterAll(() => tmp.cleanup());

describe("the packaged app's unpacked files", () => {
  it("hold every file of the CLI's copy in the data dir, the schema marker among them", async () => {
    const config = parse(await readFile(join(ROOT, "electron-builder.yml"), "utf8")) as {
      asarUnpack: string[];
    };
    const unpacked = (file: string) => config.asarUnpack.some((glob) => matchesGlob(file, glob));
    // The copy is made from the install's root, as the AppImage makes it from app.asar.unpacked.
    const copy = join(ensureStableCli(ROOT, join(tmp.path, "data"), "0.0.0-test"), "..", "..");
    const files = (await readdir(copy, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => relative(copy, join(entry.parentPath, entry.name)));
    expect(files).toContain(join("dist", "install.json"));
    expect(files.filter((file) => !unpacked(file))).toEqual([]);
    const marker = JSON.parse(await readFile(join(copy, "dist", "install.json"), "utf8"));
    expect(marker.schemaVersion).toBe(SCHEMA_VERSION);
  });
});
