#!/usr/bin/env node
/**
 * What an engine's start costs, in CPU time (a loaded machine stretches wall time, not this):
 *
 *   - `mcpscope serve --listen 127.0.0.1:0` on an empty data dir, from spawn to its printed URL: the CPU
 *     of its main thread and of all its threads then (each thread's schedstat, in ns), read the moment
 *     the URL line arrives; then it is stopped
 *   - importing shared/api.ts (the API's schemas, and zod): a bundle of it imported in a fresh `node`,
 *     the process's CPU around the import
 *
 * With BEFORE=<commit>, that commit is unpacked and built in a temp folder and measured in the same
 * rounds, the order alternating each round, so that a loaded machine weighs on both alike. Medians.
 *
 *   node bench/serve-start/index.mjs          (needs `node build/build.mjs node` first)
 *   ROUNDS=15 BEFORE=a885682 node bench/serve-start/index.mjs
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { buildBefore, median, ROOT, threadCpu } from "../lib.mjs";

const ROUNDS = Number(process.env.ROUNDS ?? 11);
const BEFORE = process.env.BEFORE;

if (!existsSync(join(ROOT, "dist", "cli.mjs"))) {
  console.error("dist/ is not built: run `node build/build.mjs node` first");
  process.exit(2);
}

const work = await mkdtemp(join(tmpdir(), "mcpscope-serve-start-"));
const trees = [{ label: "this tree", root: ROOT }];
if (BEFORE) trees.push({ label: `before (${BEFORE})`, root: await buildBefore(BEFORE, work, ["node"]) });

/** ms of CPU of `serve`'s main thread and of all its threads when its URL line arrives. */
function serveToUrl(root, round) {
  return new Promise((resolve, reject) => {
    const dataDir = join(work, `data-${trees.findIndex((t) => t.root === root)}-${round}`);
    const args = [
      join(root, "bin", "mcpscope.js"),
      "serve",
      "--listen",
      "127.0.0.1:0",
      "--data-dir",
      dataDir,
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let figures = null;
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (figures || !out.includes("#token=")) return;
      const threads = threadCpu(child.pid) ?? [];
      const main = threads.find((t) => t.tid === String(child.pid));
      figures = {
        main: (main?.seconds ?? Number.NaN) * 1000,
        all: threads.reduce((sum, t) => sum + t.seconds, 0) * 1000,
      };
      // Each round has a data dir of its own: nothing needs the clean close a later signal would get.
      child.kill("SIGKILL");
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (figures) resolve(figures);
      else reject(new Error(`serve exited ${code} before its URL: ${err.trim()}`));
    });
  });
}

/** The tree's shared/api.ts bundled (zod with it), as `import` would load it. */
async function apiBundle(root, index) {
  const outfile = join(work, `api-${index}.mjs`);
  await esbuild.build({
    entryPoints: [join(root, "shared", "api.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    mainFields: ["module", "main"],
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

/** ms of CPU a fresh `node` spends importing `bundle`. */
function importCpu(bundle) {
  const code = `const a = process.cpuUsage(); await import(${JSON.stringify(bundle)}); const b = process.cpuUsage(a); process.stdout.write(String((b.user + b.system) / 1000));`;
  return Number(execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" }));
}

console.log(
  `${ROUNDS} rounds; Node ${process.versions.node}; load average ${loadavg()[0].toFixed(1)} at start`,
);
const bundles = await Promise.all(trees.map((t, i) => apiBundle(t.root, i)));
// Warm the file cache and Node's compile cache once, so that the first round is not the only cold one.
for (const [i, tree] of trees.entries()) {
  await serveToUrl(tree.root, `warm-${i}`);
  importCpu(bundles[i]);
}
const results = trees.map(() => ({ main: [], all: [], api: [] }));
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? trees.keys() : [...trees.keys()].reverse();
  for (const i of order) {
    const serve = await serveToUrl(trees[i].root, round);
    results[i].main.push(serve.main);
    results[i].all.push(serve.all);
    results[i].api.push(importCpu(bundles[i]));
  }
}
const ms = (values) => `${median(values).toFixed(1)} ms`.padStart(10);
console.log(`\n${"".padEnd(28)} serve to URL: main thread   all threads   import shared/api`);
for (const [i, tree] of trees.entries()) {
  const r = results[i];
  console.log(
    `${tree.label.padEnd(28)} ${ms(r.main).padStart(26)} ${ms(r.all).padStart(13)} ${ms(r.api).padStart(19)}`,
  );
}
console.log(`\nload average ${loadavg()[0].toFixed(1)} at the end`);
await rm(work, { recursive: true, force: true });
