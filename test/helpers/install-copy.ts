/** A copy of this install's CLI somewhere else: what an npm install, the npx cache or a runtime copy holds. */
import { cp, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "./mcp.js";

/** Copies bin/, package.json and the built bundles to `root`; returns the copy's bin/mcpscope.js. */
export async function copyInstall(root: string): Promise<string> {
  await mkdir(join(root, "dist"), { recursive: true });
  await cp(join(ROOT, "bin"), join(root, "bin"), { recursive: true });
  await cp(join(ROOT, "package.json"), join(root, "package.json"));
  for (const name of await readdir(join(ROOT, "dist")))
    if (name.endsWith(".mjs") || name === "install.json")
      await cp(join(ROOT, "dist", name), join(root, "dist", name));
  return join(root, "bin", "mcpscope.js");
}
