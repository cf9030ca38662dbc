/**
 * `npm test`'s steps before vitest (build/checks.mjs) in a copy of the project whose scripts are small
 * stand-ins: the commands of the named scripts run at once, each one's output is printed whole, and the
 * status is 1 when one fails, after the others have ended.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../helpers/mcp.js";

let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir("mcpscope-checks-");
});
afterAll(() => tmp.cleanup());

/** A node one-liner as a script command (double quotes, as JSON and the shell both take them). */
const node = (code: string) => `node -e "${code}"`;

/**
 * Writes `name.flag`, then prints `name met other` once `other.flag` exists: two of these, each waiting for
 * the other's, end only when they run at the same time (one after the other, the first gives up after
 * 20 s, exit 9).
 */
const meet = (name: string, other: string) =>
  node(
    `const fs = require('fs'); fs.writeFileSync('${name}.flag', ''); ` +
      `const end = Date.now() + 20000; const wait = () => fs.existsSync('${other}.flag') ? console.log('${name} met ${other}') : ` +
      `Date.now() < end ? setTimeout(wait, 10) : process.exit(9); wait();`,
  );

async function project(name: string, scripts: Record<string, string>): Promise<string> {
  const dir = join(tmp.path, name);
  await mkdir(join(dir, "build"), { recursive: true });
  await copyFile(join(ROOT, "build", "checks.mjs"), join(dir, "build", "checks.mjs"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "app", type: "module", scripts }));
  return dir;
}

function checks(dir: string, ...names: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, "build", "checks.mjs"), ...names], { cwd: dir });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout }));
  });
}

describe("npm test's checks", () => {
  it("runs the scripts' commands at once, those a script joins with && too", async () => {
    const dir = await project("together", {
      build: meet("build", "lint"),
      lint: meet("lint", "typecheck"),
      typecheck: `${meet("typecheck", "second")} && ${meet("second", "build")}`,
    });
    const run = await checks(dir, "build", "lint", "typecheck");
    expect(run.status).toBe(0);
    for (const line of ["build met lint", "lint met typecheck", "typecheck met second", "second met build"])
      expect(run.stdout).toContain(line);
    expect(run.stdout.match(/^> .*: ok, \d+\.\d s$/gm)).toHaveLength(4);
  });

  it("prints a failed command's output whole and exits 1, once the others have ended", async () => {
    const dir = await project("failing", {
      lint: node("console.error('lint: line 1'); console.error('lint: line 2'); process.exit(3)"),
      typecheck: `${meet("slow", "slow-marker")} && ${node("require('fs').writeFileSync('slow-marker.flag', '')")}`,
    });
    const run = await checks(dir, "lint", "typecheck");
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^> node -e .*: FAILED \(exit 3\), \d+\.\d s\nlint: line 1\nlint: line 2\n/m);
    expect(run.stdout).toContain("slow met slow-marker");
  });

  it("names a script package.json does not have, and runs nothing", async () => {
    const dir = await project("unknown", { build: node("require('fs').writeFileSync('built', '')") });
    const run = spawn(process.execPath, [join(dir, "build", "checks.mjs"), "build", "tpyecheck"], {
      cwd: dir,
    });
    let stderr = "";
    run.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const status = await new Promise((resolve) => run.once("close", resolve));
    expect(status).toBe(2);
    expect(stderr).toBe('checks: no script "tpyecheck" in package.json\n');
    expect(existsSync(join(dir, "built"))).toBe(false);
  });
});
