// What the bench scripts share: bundling the engine's TypeScript modules they call, building an earlier
// commit to measure beside this tree, a seeded random generator (the same workload every run), and order
// statistics, and the CPU time of a process's threads.
import "./require-node.mjs";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { pdfkitFonts } from "../build/pdfkit-fonts.mjs";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * `commit`'s tree, unpacked into `work`/before beside this one's node_modules and built (`targets`: what
 * build/build.mjs builds, all by default), so that a bench measures it in the same rounds as this tree.
 */
export async function buildBefore(commit, work, targets = []) {
  const root = join(work, "before");
  await mkdir(root);
  execFileSync("sh", ["-c", `git archive ${commit} | tar -x -C ${root}`], { cwd: ROOT });
  await symlink(join(ROOT, "node_modules"), join(root, "node_modules"));
  execFileSync(process.execPath, [join(root, "build", "build.mjs"), ...targets], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return root;
}

/** Bundles `exports` (lines of `export { … } from "./electron/…ts"`) into `work` and imports it. */
export async function bundleEngine(work, exports) {
  const outfile = join(work, "lib.mjs");
  await esbuild.build({
    stdin: { contents: exports, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    platform: "node",
    // As build/build.mjs: ES module builds first (jsonc-parser's UMD build hides its requires).
    mainFields: ["module", "main"],
    define: { __MCPSCOPE_VERSION__: JSON.stringify("bench") },
    format: "esm",
    target: "node22",
    outfile,
    plugins: [pdfkitFonts],
    logLevel: "warning",
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return import(pathToFileURL(outfile).href);
}

/**
 * The environment for a server the SDK's StdioClientTransport spawns: its default (HOME, PATH…) plus
 * this shell's `MCPSCOPE_*` variables, which the transport would otherwise drop, so that a bench run
 * with `MCPSCOPE_OBSERVER_NICE=0` or `MCPSCOPE_RUN_OUTER=1` measures the wrapper it names.
 */
export function wrapperEnvironment(defaults) {
  const ours = Object.entries(process.env).filter(([name]) => name.startsWith("MCPSCOPE_"));
  return { ...defaults, ...Object.fromEntries(ours) };
}

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export function p90(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)] ?? 0;
}

/**
 * The CPU time of each live thread of a process, in seconds, with its name (Linux: /proc), or null once
 * the process is gone. Read from each thread's schedstat, in nanoseconds, where the kernel keeps it:
 * /proc/<pid>/stat counts 10 ms ticks, and over a round of a few hundred calls a tick more or less moves a
 * per-call figure by tens of µs. A thread that has exited is no longer counted: benches read differences
 * over rounds in which the threads they measure stay up.
 */
export function threadCpu(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const threads = [];
  for (const tid of tids) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      threads.push({ tid, comm, seconds: threadSeconds(`/proc/${pid}/task/${tid}`) });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

function threadSeconds(dir) {
  try {
    return Number(readFileSync(`${dir}/schedstat`, "utf8").split(" ")[0]) / 1e9;
  } catch {
    const stat = readFileSync(`${dir}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in ticks of 10 ms
  }
}

/**
 * A wrapper's CPU seconds by thread kind: the forwarding (main) thread, the observer, V8's helpers (GC,
 * compilation), the rest; all 0 once the process is gone.
 */
export function threadKindSeconds(pid) {
  const out = { main: 0, observer: 0, v8: 0, other: 0 };
  for (const { comm, seconds } of threadCpu(pid) ?? []) {
    const kind =
      comm === "MainThread"
        ? "main"
        : comm === "WorkerThread"
          ? "observer"
          : comm.startsWith("V8") || comm.startsWith("DelayedTask")
            ? "v8"
            : "other";
    out[kind] += seconds;
  }
  return out;
}

/** The CPU seconds of a live process, all its threads (see threadCpu), or null once it is gone. */
export function cpuSeconds(pid) {
  const threads = threadCpu(pid);
  return threads ? threads.reduce((sum, t) => sum + t.seconds, 0) : null;
}
