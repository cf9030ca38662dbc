#!/usr/bin/env node
/**
 * How fast `mcpscope` starts, and what the UI's first load weighs:
 *
 *   - wall time of `mcpscope --help`, `mcpscope --version`, and of `stats --json`, `calls --json`,
 *     `logs --json` and `report --format json` over an empty data dir, beside a bare `node -e 0` (the floor
 *     no command goes below), with the CPU time each took (user + system, where /proc tells it: on a
 *     loaded machine the wall time waits for the cores, the CPU time much less); on an old system Node,
 *     also `--help` through the re-exec onto the project's Node 24
 *   - time to the server's first byte: from spawning to the first stdout byte of a server that writes one
 *     line as it starts, three ways: direct, through a bare relay (bench/proxy-overhead/relay.mjs), and
 *     through `mcpscope run` (target: within 10 ms of the relay); and through a `mcpscope run` nested in
 *     another (it relays without starting its observer thread), which shows what that thread's start costs;
 *     and, for each, the round trip of a request sent right after that first byte (the observer thread
 *     starts at the server's first bytes, so its start shows there if anywhere)
 *   - the renderer's first load from dist/renderer: the entry script with the modules it preloads, and the
 *     stylesheets, raw and gzipped (target: under 400 KB of scripts)
 *
 * With BEFORE=<commit>, that commit is unpacked and built in a temp folder and measured in the same
 * rounds, so that a loaded machine weighs on both alike. Rounds are interleaved (the order of the modes
 * rotates each round) and medians are printed.
 *
 *   node bench/startup/index.mjs               (needs `npm run build` first)
 *   ROUNDS=30 BEFORE=5c86950 node bench/startup/index.mjs
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildBefore, median, ROOT } from "../lib.mjs";

const RELAY = join(ROOT, "bench", "proxy-overhead", "relay.mjs");
const SERVER = join(ROOT, "bench", "startup", "first-line-server.mjs");
const NODE = process.execPath;
const ROUNDS = Number(process.env.ROUNDS ?? 20);
const BEFORE = process.env.BEFORE;
const HELP_TARGET_MS = 80;
const TTFB_TARGET_MS = 10;
const BUNDLE_TARGET_KB = 400;

if (!existsSync(join(ROOT, "dist", "cli.mjs"))) {
  console.error("dist/ is not built: run `npm run build` first");
  process.exit(2);
}

const work = await mkdtemp(join(tmpdir(), "mcpscope-startup-"));

const trees = [{ label: "", root: ROOT }];
if (BEFORE) trees.push({ label: ` (before, ${BEFORE})`, root: await buildBefore(BEFORE, work) });

/** Clock ticks a second in /proc's figures (USER_HZ, 100 on Linux). */
const TICK_MS = 10;

/** User + system CPU time of this process's reaped children so far, in ms (null without /proc). */
function childrenCpu() {
  try {
    // The fields after the command's name (which may hold spaces): cutime and cstime are the 14th and 15th.
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
  } catch {
    return null;
  }
}

/**
 * One command, spawn to exit: its wall time and CPU time in ms (cpu null without /proc, and in 10 ms
 * steps); its exit status must be 0. Commands run one at a time, so the children's CPU that grew meanwhile
 * is this one's.
 */
function timeCommand(node, args) {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpu();
    const started = performance.now();
    const child = spawn(node, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const wall = performance.now() - started;
      const cpuAfter = childrenCpu();
      if (code !== 0) reject(new Error(`${args.join(" ")} exited ${code}: ${stderr.trim()}`));
      else resolve({ wall, cpu: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore });
    });
  });
}

/**
 * Spawn to the first stdout byte, in ms; then the round trip of one request sent right after it (where a
 * cost moved past the first byte shows); then closes stdin and waits for the exit.
 */
function timeFirstByte(args, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(NODE, args, { stdio: ["pipe", "pipe", "ignore"], env });
    let first = null;
    let asked = 0;
    let next = null;
    let seen = "";
    child.stdout.on("data", (chunk) => {
      if (first === null) {
        first = performance.now() - started;
        asked = performance.now();
        child.stdin.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
      }
      seen += chunk;
      if (next === null && seen.includes('"id":1')) {
        next = performance.now() - asked;
        child.stdin.end();
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (first === null || next === null || code !== 0)
        reject(new Error(`${args.join(" ")}: exit ${code}, no first byte or no answer`));
      else resolve({ first, next });
    });
  });
}

/**
 * Runs each named task once per round, in an order that rotates each round; returns the median ms per
 * task (per field, where a task returns several).
 */
async function interleaved(tasks) {
  const names = Object.keys(tasks);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      times[name].push(await tasks[name]());
    }
  }
  const medianOf = (values) =>
    typeof values[0] === "number"
      ? median(values)
      : Object.fromEntries(
          Object.keys(values[0]).map((k) => [
            k,
            values[0][k] === null ? null : median(values.map((v) => v[k])),
          ]),
        );
  return Object.fromEntries(names.map((n) => [n, medianOf(times[n])]));
}

/** The system's Node when it is older than the project needs (the re-exec path), else null. */
function oldSystemNode() {
  try {
    const node = execFileSync("sh", ["-c", "command -v node"], { encoding: "utf8" }).trim();
    const version = execFileSync(node, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
    const [major, minor] = version.split(".").map(Number);
    return major < 22 || (major === 22 && minor < 13) ? { node, version } : null;
  } catch {
    return null;
  }
}

const ms = (v) => `${v.toFixed(1)} ms`.padStart(10);
const load = () => loadavg()[0].toFixed(1);
const met = (ok) => (ok ? "met" : "not met");
console.log(`${ROUNDS} rounds; Node ${process.versions.node}; load average ${load()} at start`);

/** Commands that ask the API over a data dir (an empty one here): each loads the handlers it asks. */
const ASKING = [
  ["stats", "--json"],
  ["calls", "--json"],
  ["logs", "--json"],
  ["report", "--format", "json", "--output", "-"],
];

const old = oldSystemNode();
const commandTasks = { "node -e 0": () => timeCommand(NODE, ["-e", "0"]) };
for (const { label, root } of trees) {
  const bin = join(root, "bin", "mcpscope.js");
  const empty = join(work, `empty${label ? "-before" : ""}`);
  // An empty data dir, not a missing one: `stats` refuses a path where nothing was ever recorded.
  await mkdir(empty, { recursive: true });
  // Warm the file cache and the compile cache once, so that the first round is not the only cold one.
  await timeCommand(NODE, [bin, "--help"]);
  for (const command of ASKING) await timeCommand(NODE, [bin, ...command, "--data-dir", empty]);
  commandTasks[`mcpscope --help${label}`] = () => timeCommand(NODE, [bin, "--help"]);
  commandTasks[`mcpscope --version${label}`] = () => timeCommand(NODE, [bin, "--version"]);
  for (const command of ASKING)
    commandTasks[`mcpscope ${command.slice(0, 2).join(" ")}${label}`] = () =>
      timeCommand(NODE, [bin, ...command, "--data-dir", empty]);
  if (old)
    commandTasks[`--help on Node ${old.version}${label}`] = () => timeCommand(old.node, [bin, "--help"]);
}
const commands = await interleaved(commandTasks);
const floor = commands["node -e 0"];
console.log(`\n${"command".padEnd(46)}    median  over node -e 0     CPU   over node -e 0`);
for (const [name, { wall, cpu }] of Object.entries(commands)) {
  const first = name === "node -e 0";
  const cpus = cpu === null ? "" : `${ms(cpu)} ${first ? "" : ms(cpu - floor.cpu)}`;
  console.log(`${name.padEnd(46)} ${ms(wall)} ${first ? "".padStart(10) : ms(wall - floor.wall)} ${cpus}`);
}
const help = commands["mcpscope --help"].wall;
console.log(
  `mcpscope --help: ${help.toFixed(1)} ms (target < ${HELP_TARGET_MS} ms: ${met(help < HELP_TARGET_MS)})`,
);

const firstByteTasks = {
  direct: () => timeFirstByte([SERVER]),
  relay: () => timeFirstByte([RELAY, NODE, SERVER]),
};
for (const { label, root } of trees) {
  const wrap = [
    join(root, "bin", "mcpscope.js"),
    "run",
    "--data-dir",
    join(work, `run${label ? "-before" : ""}`),
  ];
  firstByteTasks[`mcpscope run${label}`] = () => timeFirstByte([...wrap, "--", NODE, SERVER]);
  // A wrapper under another one relays without starting its observer: what the observer's start costs.
  firstByteTasks[`mcpscope run, no observer (nested)${label}`] = () =>
    timeFirstByte([...wrap, "--", NODE, SERVER], { ...process.env, MCPSCOPE_RUN_OUTER: "bench" });
}
const firstByteTimes = await interleaved(firstByteTasks);
const firstByte = Object.fromEntries(Object.entries(firstByteTimes).map(([n, v]) => [n, v.first]));
const { direct, relay } = firstByte;
console.log(
  `\n${"first byte from the server".padEnd(46)}    median    over direct   over relay   then a ping's answer`,
);
for (const [name, value] of Object.entries(firstByte)) {
  const overRelay = name.startsWith("mcpscope") ? ms(value - relay) : "".padStart(10);
  console.log(
    `${name.padEnd(46)} ${ms(value)} ${name === "direct" ? "".padStart(10) : ms(value - direct)}   ${overRelay}   ${ms(firstByteTimes[name].next)}`,
  );
}
const wrapped = firstByte["mcpscope run"];
console.log(
  `mcpscope run − relay: ${(wrapped - relay).toFixed(1)} ms (target ≤ ${TTFB_TARGET_MS} ms: ${met(wrapped - relay <= TTFB_TARGET_MS)}); (mcpscope − direct) / (relay − direct) = ${((wrapped - direct) / (relay - direct)).toFixed(2)}`,
);

/** The entry script, what it preloads, and the stylesheets index.html links: the first load. */
function firstLoad(root) {
  const dir = join(root, "dist", "renderer");
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const refs = (re) => [...html.matchAll(re)].map((m) => m[1]);
  const scripts = [
    ...refs(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...refs(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ];
  const styles = refs(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g);
  const size = (files) =>
    files.reduce(
      (sum, f) => {
        const bytes = readFileSync(join(dir, f));
        return { raw: sum.raw + bytes.length, gzip: sum.gzip + gzipSync(bytes).length };
      },
      { raw: 0, gzip: 0 },
    );
  return { scripts: size(scripts), styles: size(styles), files: scripts.length + styles.length };
}
const kb = (b) => `${(b / 1000).toFixed(1)} KB`.padStart(10);
console.log(`\n${"renderer's first load".padEnd(46)}       raw     gzipped`);
for (const { label, root } of trees) {
  if (!existsSync(join(root, "dist", "renderer", "index.html"))) {
    console.log(`renderer not built in ${root}: run \`npm run build\` for the bundle figures`);
    continue;
  }
  const { scripts, styles, files } = firstLoad(root);
  console.log(
    `${`scripts${label} (${files} files with styles)`.padEnd(46)} ${kb(scripts.raw)} ${kb(scripts.gzip)}`,
  );
  console.log(`${`stylesheets${label}`.padEnd(46)} ${kb(styles.raw)} ${kb(styles.gzip)}`);
  if (!label) {
    const ok = scripts.raw < BUNDLE_TARGET_KB * 1000;
    console.log(`first scripts: ${kb(scripts.raw).trim()} (target < ${BUNDLE_TARGET_KB} KB: ${met(ok)})`);
  }
}
console.log(`\nload average ${load()} at the end`);
await rm(work, { recursive: true, force: true });
