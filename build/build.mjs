// Builds everything into dist/: the CLI and engine (esbuild, ESM), the Electron shell (CJS for main and
// the sandboxed preload) and the renderer (Vite). Run by `npm run build`; `npm test` runs it first.
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { pdfkitFonts } from "./pdfkit-fonts.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist");
const only = process.argv[2]; // "node" | "renderer" | undefined (all)

const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));

/** `engines.node` (`>=22.15`) as `22.15`: what the code says a too-old Node needs (monitor/node-requirement.ts). */
const minNode = /^>=\s*(\d+(?:\.\d+)*)$/.exec(String(pkg.engines?.node ?? "").trim())?.[1];
if (!minNode)
  throw new Error(`package.json: engines.node should read ">=MAJOR.MINOR", not ${pkg.engines?.node}`);

const common = {
  define: {
    __MCPSCOPE_VERSION__: JSON.stringify(pkg.version),
    __MCPSCOPE_MIN_NODE__: JSON.stringify(minNode),
  },
  bundle: true,
  platform: "node",
  // Prefer ES module builds: some packages' UMD builds (jsonc-parser) hide their requires from esbuild.
  mainFields: ["module", "main"],
  target: "node22",
  sourcemap: "linked",
  logLevel: "warning",
  absWorkingDir: root,
};

// ESM bundles need a require() for the few CommonJS dependencies that call it.
const esmBanner = {
  js: "import { createRequire as __mcpscopeCreateRequire } from 'node:module'; const require = __mcpscopeCreateRequire(import.meta.url);",
};

async function buildNode() {
  await esbuild.build({
    ...common,
    format: "esm",
    banner: esmBanner,
    // Shared chunks, so that each command loads only its own code (dynamic imports in cli/index.ts).
    splitting: true,
    chunkNames: "chunk-[hash]", // beside the entries: code in a chunk finds observer-worker.mjs next to it
    outdir: out,
    outExtension: { ".js": ".mjs" },
    entryNames: "[name]",
    entryPoints: {
      cli: "electron/cli/main.ts",
      "http-observer-worker": "electron/monitor/proxy-http/http-observer-worker.ts",
      "read-worker": "electron/monitor/api/read-worker.ts",
      "fold-worker": "electron/monitor/metrics/fold-worker.ts",
      "engine-host": "electron/main/engine-host.ts",
      // The library entry (`import { observe } from "mcpscope"`), beside the observer worker it starts.
      tap: "electron/monitor/tap/index.ts",
    },
    external: ["electron"],
    plugins: [pdfkitFonts],
  });
  // `mcpscope run` in one file, apart from the shared chunks: every module a start must fetch delays the
  // server's spawn (bin/mcpscope.js loads this for `run`). Its observer worker in one file too: the wrapper
  // waits for it when a client stops a session that has just begun, and loading it from the shared chunks
  // (about forty files) took a quarter more of a core (a median of 128 ms in its thread, against 103 ms).
  await esbuild.build({
    ...common,
    format: "esm",
    banner: esmBanner,
    outdir: out,
    outExtension: { ".js": ".mjs" },
    entryNames: "[name]",
    entryPoints: {
      run: "electron/cli/run-main.ts",
      "observer-worker": "electron/monitor/proxy/observer-worker.ts",
    },
  });
  await esbuild.build({
    ...common,
    format: "cjs",
    outdir: join(out, "electron"),
    outExtension: { ".js": ".cjs" },
    entryNames: "[name]",
    entryPoints: { main: "electron/main/index.ts", preload: "electron/preload/index.ts" },
    external: ["electron"],
  });
  await writeInstallMarker();
}

/**
 * dist/install.json: this build's version and the database schema it writes, for another install to read
 * without running this one (a newer mcpscope tells an entry still launching this install that it cannot
 * record into the database it has upgraded: electron/monitor/instrument/other-install.ts).
 */
async function writeInstallMarker() {
  const built = await esbuild.build({
    ...common,
    format: "esm",
    sourcemap: false,
    write: false,
    entryPoints: ["electron/monitor/store/migrations.ts"],
  });
  const code = Buffer.from(built.outputFiles[0].text).toString("base64");
  const { SCHEMA_VERSION } = await import(`data:text/javascript;base64,${code}`);
  const marker = { version: pkg.version, schemaVersion: SCHEMA_VERSION };
  await writeFile(join(out, "install.json"), `${JSON.stringify(marker)}\n`);
}

async function buildRenderer() {
  const { build } = await import("vite");
  await build({ configFile: join(root, "renderer/vite.config.ts"), logLevel: "warn" });
}

if (!only) await rm(out, { recursive: true, force: true });
if (!only || only === "node") await buildNode();
if (!only || only === "renderer") await buildRenderer();
