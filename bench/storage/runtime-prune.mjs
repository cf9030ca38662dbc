// bench/storage/runtime-prune: what removing old copies of the CLI from the data dir's runtime folder
// costs (instrument/runtime-prune.ts), in the engine's storage pass or after `instrument`. COPIES copies
// of this tree's built CLI (bin/ and dist/*.mjs, as stable-cli.ts copies them) last used three days ago,
// no config entry running them: the pass that removes them all (its time, and the longest the calling
// thread was held: the engine's, which answers the app), then a pass with nothing to remove. Beside it,
// the same copies deleted with rmSync, what a synchronous delete would hold the thread for.
//
//   npm run build && node bench/storage/runtime-prune.mjs
//   COPIES=30 node bench/storage/runtime-prune.mjs
import { cpSync, mkdirSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { bundleEngine, ROOT } from "../lib.mjs";

const COPIES = Number(process.env.COPIES ?? 10);
const DAY = 86_400_000;
const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-runtime-"));

/** `n` copies of the built CLI in `dataDir`/runtime, last used three days ago. */
function copies(dataDir, n) {
  const old = new Date(Date.now() - 3 * DAY);
  for (let i = 0; i < n; i++) {
    const root = join(dataDir, "runtime", `0.0.${i}-${String(i % 10).repeat(16)}`);
    mkdirSync(join(root, "dist"), { recursive: true });
    cpSync(join(ROOT, "bin"), join(root, "bin"), { recursive: true });
    for (const name of readdirSync(join(ROOT, "dist")))
      if (name.endsWith(".mjs") || name === "install.json")
        cpSync(join(ROOT, "dist", name), join(root, "dist", name));
    utimesSync(root, old, old);
  }
}

/** Runs `task`, returning its time and the longest the event loop went without a turn meanwhile. */
async function timed(task) {
  let last = performance.now();
  let held = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    held = Math.max(held, now - last);
    last = now;
  }, 1);
  const start = performance.now();
  const value = await task();
  const ms = performance.now() - start;
  clearInterval(tick);
  held = Math.max(held, performance.now() - last);
  return { value, ms, held };
}

try {
  const lib = await bundleEngine(
    work,
    `export { pruneRuntimeCopies } from "./electron/monitor/instrument/runtime-prune.ts";
     export { runtimeCopies } from "./electron/monitor/instrument/runtime-copies.ts";
     export { openDb } from "./electron/monitor/store/db.ts";`,
  );
  const dataDir = join(work, "data");
  const home = join(work, "home");
  mkdirSync(home, { recursive: true });
  const db = lib.openDb(join(dataDir, "mcpscope.db"));
  copies(dataDir, COPIES);
  const { bytes } = lib.runtimeCopies(dataDir);
  const prune = () => lib.pruneRuntimeCopies({ dataDir, db, home, ownCopy: "this-install" });
  const removal = await timed(prune);
  const idle = await timed(prune);
  db.close();

  copies(join(work, "sync"), COPIES);
  const sync = await timed(async () =>
    rmSync(join(work, "sync", "runtime"), { recursive: true, force: true }),
  );

  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  console.log(`${COPIES} copies, ${mb(bytes)}; load ${loadavg()[0].toFixed(1)}`);
  console.log(
    `  pruning them:      ${removal.ms.toFixed(0)} ms, thread held at most ${removal.held.toFixed(0)} ms (removed ${removal.value?.removed.length})`,
  );
  console.log(`  nothing to remove: ${idle.ms.toFixed(1)} ms`);
  console.log(`  rmSync of the same copies: ${sync.ms.toFixed(0)} ms, all of it on the thread`);
} finally {
  await rm(work, { recursive: true, force: true });
}
