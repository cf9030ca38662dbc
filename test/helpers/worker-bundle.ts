/** Worker entry points bundled for tests that run the engine from its sources (the build makes them for the app). */
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

/** Bundles `entry` (a TypeScript worker's URL) into `dir`; the bundle's URL, for `new Worker`. */
export async function bundleWorker(entry: URL, dir: string): Promise<URL> {
  const outfile = join(dir, basename(fileURLToPath(entry)).replace(/\.ts$/, ".mjs"));
  await esbuild.build({
    entryPoints: [fileURLToPath(entry)],
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

/** The engine's real read worker. */
export function readWorkerBundle(dir: string): Promise<URL> {
  return bundleWorker(new URL("../../electron/monitor/api/read-worker.ts", import.meta.url), dir);
}
