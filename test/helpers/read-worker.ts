/** The engine's real read worker, bundled for tests that run the engine from its sources. */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

export async function readWorkerBundle(dir: string): Promise<URL> {
  const outfile = join(dir, "read-worker.mjs");
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL("../../electron/monitor/api/read-worker.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "silent",
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return pathToFileURL(outfile);
}
