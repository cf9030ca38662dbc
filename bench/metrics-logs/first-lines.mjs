// bench/metrics-logs/first-lines: how soon a new session's stderr lines are in the database. A server that
// nobody talks to yet (no stdout) writes a timestamped stderr line every 400 ms through `mcpscope run`;
// the database is polled every 20 ms. Prints, per tree, the median delay of the session's first line and
// of its later lines (lines 3–6), and their ratio: the first line should be about as prompt as the later.
//
//   node build/build.mjs node && node bench/metrics-logs/first-lines.mjs
//   RUNS=9 BEFORE=8ea41ab node bench/metrics-logs/first-lines.mjs    # that commit too, rounds interleaved
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { buildBefore, median, ROOT } from "../lib.mjs";

const RUNS = Number(process.env.RUNS ?? 7);
const BEFORE = process.env.BEFORE;
const LINES = 6;
const EVERY_MS = 400;

const work = await mkdtemp(join(tmpdir(), "mcpscope-first-lines-"));
const trees = [{ label: "this tree", root: ROOT }];
if (BEFORE) trees.push({ label: `before (${BEFORE})`, root: await buildBefore(BEFORE, work, ["node"]) });

const server = `for (let i = 0; i < ${LINES}; i++)
  setTimeout(() => process.stderr.write("LINE-" + i + " " + Date.now() + "\\n"), i * ${EVERY_MS});
setTimeout(() => {}, ${LINES * EVERY_MS + 3500});`;

/** One session: the delay of each line from its write to the first poll that sees it, ms. */
async function session(root, dataDir) {
  const wrapper = spawn(
    process.execPath,
    [
      join(root, "bin", "mcpscope.js"),
      "run",
      "--name",
      "lines",
      "--data-dir",
      dataDir,
      "--",
      process.execPath,
      "-e",
      server,
    ],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  const written = new Map();
  const seen = new Map();
  wrapper.stderr.on("data", (chunk) => {
    for (const m of chunk.toString().matchAll(/LINE-(\d+) (\d+)/g)) written.set(Number(m[1]), Number(m[2]));
  });
  const path = join(dataDir, "mcpscope.db");
  const poll = setInterval(() => {
    if (!existsSync(path)) return;
    try {
      const db = new DatabaseSync(path, { readOnly: true });
      for (const row of db.prepare("SELECT message FROM logs WHERE server = 'lines'").all()) {
        const m = /LINE-(\d+)/.exec(String(row.message));
        if (m && !seen.has(Number(m[1]))) seen.set(Number(m[1]), Date.now());
      }
      db.close();
    } catch {
      // Not created or locked this instant: the next poll sees it.
    }
  }, 20);
  // Long enough for a wrapper that stores nothing until 2 s after the spawn to store every line.
  await new Promise((resolve) => setTimeout(resolve, LINES * EVERY_MS + 3000));
  clearInterval(poll);
  wrapper.stdin.end();
  await new Promise((resolve) => wrapper.once("exit", resolve));
  return [...written].map(([i, at]) => (seen.has(i) ? seen.get(i) - at : Number.NaN));
}

const results = new Map(trees.map((t) => [t.label, { first: [], later: [] }]));
for (let run = 0; run < RUNS; run++) {
  const order = run % 2 === 0 ? trees : [...trees].reverse();
  for (const tree of order) {
    const dataDir = join(work, `${run}-${tree.label.replace(/\W+/g, "-")}`);
    const delays = await session(tree.root, dataDir);
    const r = results.get(tree.label);
    r.first.push(delays[0]);
    r.later.push(median(delays.slice(2)));
  }
}
console.log(
  `first-lines: a stderr-only server, a line every ${EVERY_MS} ms; ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}; median of ${RUNS} runs`,
);
for (const [label, r] of results) {
  const first = median(r.first);
  const later = median(r.later);
  console.log(
    `  ${label.padEnd(22)} first line ${first.toFixed(0).padStart(5)} ms   later lines ${later.toFixed(0).padStart(4)} ms   first/later ${(first / later).toFixed(1)}×`,
  );
}
await rm(work, { recursive: true, force: true });
