// bench/mask: what masking costs the observer, per payload it captures. The observer masks every call's
// request and response (capped at 64 KiB) and every log line, so this is the work added to each message.
//
// Measures `capturePayload` (mask, serialize, cap) on payloads shaped like MCP traffic — a tool result of
// prose and code, a file listing, a result holding a few credentials, one log line (and one holding an
// AWS key pair in prose), a tools/list whose parameters are named like secrets (their schemas masked as
// schemas), and a 1 MiB result (of which only the first 64 KiB are kept) — with this tree's masker and with the masker as it was at
// BEFORE (a commit, default the one before the gitleaks rule set), and prints medians in µs per payload
// and per KiB, the after/before ratio of the medians, and the median of each run's own ratio (steadier on a
// loaded machine: both halves of a run see the same load).
//
//   node bench/mask/index.mjs
//   RUNS=31 BEFORE=<commit> node bench/mask/index.mjs
//   RUNS=1001 ONLY="64 KiB code" BEFORE=<commit> node bench/mask/index.mjs
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleEngine, median, ROOT } from "../lib.mjs";
import { PAYLOADS } from "./payloads.mjs";

const RUNS = Number(process.env.RUNS ?? 21);
const BEFORE = process.env.BEFORE ?? "2f87336";
/** Only the payloads whose name holds this text (`ONLY="64 KiB code"`), to afford more runs of one. */
const ONLY = process.env.ONLY ?? "";

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-mask-"));
try {
  const after = await bundleEngine(
    join(work, "after"),
    'export { capturePayload } from "./electron/monitor/pipeline/capture.ts";',
  );
  await mkdir(join(work, "before-src"), { recursive: true });
  // The engine's sources as they were at BEFORE (whatever files the masker imported then).
  const archive = execFileSync("git", ["archive", BEFORE, "electron/monitor", "shared"], {
    cwd: ROOT,
    maxBuffer: 256 * 2 ** 20,
  });
  execFileSync("tar", ["-x", "-C", join(work, "before-src")], { input: archive });
  const before = await bundleEngine(
    join(work, "before"),
    `export { capturePayload } from ${JSON.stringify(join(work, "before-src", "electron/monitor/pipeline/capture.ts"))};`,
  );

  // Before and after alternate within each run, so both see the same load on a shared machine.
  const time = (payload) => {
    const bytes = Buffer.byteLength(JSON.stringify(payload));
    const reps = Math.max(1, Math.round(200_000 / Math.min(bytes, 65536)));
    const sample = (fn) => {
      const t0 = process.hrtime.bigint();
      // With the message's size as it came, as the observer passes it. A tree from before takes no fourth
      // argument (b2c8c1c and earlier); 7ff435d to d69dabd took the stand-in choice there, which an object
      // turns off: measure those against a tree of their own time.
      for (let i = 0; i < reps; i++) fn(payload, undefined, undefined, { bytes });
      return Number(process.hrtime.bigint() - t0) / 1000 / reps;
    };
    const samples = { before: [], after: [], ratios: [] };
    sample(before.capturePayload);
    sample(after.capturePayload); // warm up
    for (let r = 0; r < RUNS; r++) {
      // Each goes first in every other run: neither always meets the machine as the other left it.
      const first = r % 2 ? after : before;
      const second = first === after ? before : after;
      const us = new Map([
        [first, sample(first.capturePayload)],
        [second, sample(second.capturePayload)],
      ]);
      samples.before.push(us.get(before));
      samples.after.push(us.get(after));
      samples.ratios.push(us.get(after) / us.get(before));
    }
    const kib = Math.min(bytes, 65536) / 1024;
    return {
      b: { us: median(samples.before), kib },
      a: { us: median(samples.after), kib },
      ratio: median(samples.ratios),
    };
  };

  console.log(`capturePayload, median of ${RUNS} runs (µs per payload; µs per KiB captured)`);
  console.log(`before = the masker at ${BEFORE}; after = this tree`);
  console.log(
    "payload".padEnd(36),
    "before µs".padStart(10),
    "after µs".padStart(10),
    "before/KiB".padStart(11),
    "after/KiB".padStart(10),
    "ratio".padStart(7),
    "per run".padStart(8),
  );
  for (const [name, payload] of Object.entries(PAYLOADS).filter(([name]) => name.includes(ONLY))) {
    const { b, a, ratio } = time(payload);
    console.log(
      name.padEnd(36),
      b.us.toFixed(1).padStart(10),
      a.us.toFixed(1).padStart(10),
      (b.us / b.kib).toFixed(2).padStart(11),
      (a.us / a.kib).toFixed(2).padStart(10),
      `${(a.us / b.us).toFixed(2)}×`.padStart(7),
      `${ratio.toFixed(2)}×`.padStart(8),
    );
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
