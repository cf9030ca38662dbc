/**
 * `npm start` (build/start-electron.mjs) in a copy of the project whose `electron` package is a fake: its
 * install.js fails as it does offline, or leaves a stand-in binary. Without the binary, one line says what
 * is missing and that `npm run serve` works; with it, the app is built, then started, and its exit code is
 * the command's.
 */
import { spawnSync } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../helpers/mcp.js";

let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir("mcpscope-start-");
});
afterAll(() => tmp.cleanup());

/** A project with the real start script, a build step that leaves a mark, and a fake `electron` package. */
async function project(name: string, install: string): Promise<string> {
  const dir = join(tmp.path, name);
  await mkdir(join(dir, "build"), { recursive: true });
  await mkdir(join(dir, "node_modules", "electron"), { recursive: true });
  await copyFile(join(ROOT, "build", "start-electron.mjs"), join(dir, "build", "start-electron.mjs"));
  await writeFile(join(dir, "package.json"), '{ "name": "app", "type": "module" }\n');
  await writeFile(
    join(dir, "build", "build.mjs"),
    'import { writeFileSync } from "node:fs"; writeFileSync(new URL("../built", import.meta.url), "yes");\n',
  );
  const electron = join(dir, "node_modules", "electron");
  // CommonJS, as the real package is (the project around it is ESM).
  await writeFile(join(electron, "package.json"), '{ "name": "electron", "type": "commonjs" }\n');
  await writeFile(join(electron, "install.js"), install);
  return dir;
}

function start(dir: string) {
  const env = { ...process.env };
  delete env.ELECTRON_OVERRIDE_DIST_PATH;
  return spawnSync(process.execPath, [join(dir, "build", "start-electron.mjs"), "--flag"], {
    cwd: dir,
    encoding: "utf8",
    env,
  });
}

describe("npm start", () => {
  it("without the Electron binary: one line naming what is missing and `npm run serve`, exit 1", async () => {
    const dir = await project(
      "offline",
      'console.error("TypeError: fetch failed\\n    at node:internal/deps/undici:1:1"); process.exit(1);\n',
    );
    const run = start(dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "mcpscope: the desktop app needs the Electron binary, which could not be downloaded (TypeError: fetch failed); run `npm start` once on a networked machine (or copy its node_modules/electron here) — `npm run serve` gives the same UI in a browser\n",
    );
    await expect(readFile(join(dir, "built"), "utf8")).rejects.toThrow(); // failed before the slow build
  });

  it("with the binary (here fetched by install.js): builds, starts it on the project, passes its exit code", async () => {
    const fetch = `const { writeFileSync, mkdirSync, chmodSync } = require("node:fs");
const { join } = require("node:path");
mkdirSync(join(__dirname, "dist"), { recursive: true });
writeFileSync(join(__dirname, "dist", "electron"), '#!/bin/sh\\necho "electron $@"\\nexit 3\\n');
chmodSync(join(__dirname, "dist", "electron"), 0o755);
writeFileSync(join(__dirname, "path.txt"), "electron");
`;
    const dir = await project("online", fetch);
    const run = start(dir);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(`electron ${dir} --flag\n`);
    expect(run.status).toBe(3);
    expect(await readFile(join(dir, "built"), "utf8")).toBe("yes");
  });
});
