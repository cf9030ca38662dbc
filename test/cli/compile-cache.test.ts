/**
 * Where the launcher keeps Node's compiled code of mcpscope's bundles: in this user's own cache folder
 * (`~/.cache/mcpscope/node-compile-cache`, or under an absolute `XDG_CACHE_HOME`), never in a shared temp
 * folder; in the folder `NODE_COMPILE_CACHE` names when the user set one; nowhere when HOME does not
 * exist. Each run is a real process with only the environment given: the suite sets
 * `NODE_COMPILE_CACHE` for its own processes (test/helpers/compile-cache.ts), which is left out here.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MCPSCOPE, testDir } from "../helpers/mcp.js";

/** `mcpscope --help` with only PATH and `env`; resolves once it has exited 0. */
function help(env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MCPSCOPE, "--help"],
      { env: { PATH: process.env.PATH ?? "", ...env } },
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

/** The files of the per-version folders Node made in a compile cache folder (none if it is absent). */
function cached(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((version) => readdirSync(join(folder, version)));
}

describe("the launcher's compile cache", () => {
  it("is in the user's cache folder, or under an absolute XDG_CACHE_HOME", async () => {
    const dir = await testDir("mcpscope-compile-cache-");
    const plain = join(dir, "plain");
    const xdg = join(dir, "xdg");
    const relative = join(dir, "relative");
    for (const home of [plain, xdg, relative]) await mkdir(home);
    await Promise.all([
      help({ HOME: plain }),
      help({ HOME: xdg, XDG_CACHE_HOME: join(xdg, "elsewhere") }),
      help({ HOME: relative, XDG_CACHE_HOME: "cache" }),
    ]);
    expect(cached(join(plain, ".cache", "mcpscope", "node-compile-cache")).length).toBeGreaterThan(0);
    expect(cached(join(xdg, "elsewhere", "mcpscope", "node-compile-cache")).length).toBeGreaterThan(0);
    expect(existsSync(join(xdg, ".cache"))).toBe(false);
    // A relative XDG_CACHE_HOME is not a place: the default one.
    expect(cached(join(relative, ".cache", "mcpscope", "node-compile-cache")).length).toBeGreaterThan(0);
  });

  it("is where NODE_COMPILE_CACHE says, and nowhere for a home that does not exist", async () => {
    const dir = await testDir("mcpscope-compile-cache-");
    const home = join(dir, "home");
    const chosen = join(dir, "chosen");
    const missing = join(dir, "missing");
    await mkdir(home);
    await Promise.all([help({ HOME: home, NODE_COMPILE_CACHE: chosen }), help({ HOME: missing })]);
    expect(cached(chosen).length).toBeGreaterThan(0);
    expect(readdirSync(home)).toEqual([]);
    expect(existsSync(missing)).toBe(false);
  });
});
