// The bundles' import rules, checked on what esbuild actually emits (with build/build.mjs's options):
// the sandboxed preload may require only `electron`; the engine host must not import `electron` at all;
// the CJS main bundle must not rely on import.meta.
import { join } from "node:path";
import * as esbuild from "esbuild";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

async function bundle(entry: string, format: "cjs" | "esm") {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node22",
    format,
    external: ["electron"],
    write: false,
    logLevel: "silent",
  });
  return { code: result.outputFiles[0]!.text, warnings: result.warnings.map((w) => w.text) };
}

function requiredModules(code: string): string[] {
  const names = new Set<string>();
  for (const match of code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) names.add(match[1]!);
  for (const match of code.matchAll(/\bfrom\s*["']([^"']+)["']/g)) names.add(match[1]!);
  for (const match of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) names.add(match[1]!);
  return [...names].sort();
}

describe("bundles", () => {
  it("the sandboxed preload requires nothing but electron", async () => {
    const { code, warnings } = await bundle("electron/preload/index.ts", "cjs");
    expect(requiredModules(code)).toEqual(["electron"]);
    expect(warnings).toEqual([]);
  });

  it("the engine host never imports electron", async () => {
    const { code } = await bundle("electron/main/engine-host.ts", "esm");
    expect(requiredModules(code)).not.toContain("electron");
  });

  it("only the main process's entry imports electron: the shell's wiring does not", async () => {
    const { code } = await bundle("electron/main/shell.ts", "cjs");
    expect(requiredModules(code)).not.toContain("electron");
  });

  it("the main process bundle is valid CommonJS (no import.meta)", async () => {
    const { code, warnings } = await bundle("electron/main/index.ts", "cjs");
    expect(warnings.filter((w) => w.includes("import.meta"))).toEqual([]);
    expect(requiredModules(code)).toContain("electron");
  });
});
