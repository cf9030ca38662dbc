#!/usr/bin/env node
/**
 * The credential rules' share of masking one 64 KiB window (`tokenSpans`, token-rules.ts), for this tree and
 * the tree at `BEFORE` (a checkout or an unpacked `git archive` beside its own or a linked node_modules),
 * in one process, alternating: the rules each tree's text scan lists for a window, all together and one by
 * one (`—`: that tree's scan does not list it). The windows: the payload bench's blob (a `ghp_` token at
 * its start, then source code), bench/mask's code (alone, and after a comment naming Jira) and prose, and
 * the first 64 KiB of this tree's masking code (electron/monitor/pipeline/*.ts: TypeScript that names many
 * credential formats). Prints the median µs per window of each (each call timed alone: a round's total
 * would count the slices other processes take from the core).
 *
 *   BEFORE=/tmp/old node bench/mask/rules-ab.mjs          # ROUNDS=15 REPEAT=200
 */
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleEngine, median, ROOT } from "../lib.mjs";
import { code, prose } from "./payloads.mjs";

const BEFORE = process.env.BEFORE;
if (!BEFORE) {
  console.error("rules-ab: set BEFORE to the tree to compare this one with");
  process.exit(1);
}
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const REPEAT = Number(process.env.REPEAT ?? 200);
const WINDOW = 64 * 1024;

// As bench/proxy-overhead/blob-server.mjs makes it.
const LINE = "  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0); // x\n";
const head = 'const config = { apiKey: "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234" };\n';
const WINDOWS = {
  "1 MiB blob, 64 KiB kept": (head + LINE.repeat(Math.ceil(WINDOW / LINE.length))).slice(0, WINDOW),
  "64 KiB code": code(WINDOW),
  // Code that mentions an issue tracker once: Atlassian's rule is listed.
  "64 KiB code naming Jira": `// Fixes JIRA OPS-1234.\n${code(WINDOW)}`.slice(0, WINDOW),
  "64 KiB prose": prose(WINDOW),
  "64 KiB TypeScript": typescript(join(ROOT, "electron/monitor/pipeline")).slice(0, WINDOW),
};

function typescript(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  return files
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("");
}

const exportsOf = (root) =>
  [
    `export { tokenSpans, RULE_KEYWORDS } from ${JSON.stringify(join(root, "electron/monitor/pipeline/token-rules.ts"))};`,
    `export { TextScanner } from ${JSON.stringify(join(root, "electron/monitor/pipeline/text-scan.ts"))};`,
  ].join("\n");

const work = await mkdtemp(join(tmpdir(), "mcpscope-rules-ab-"));
try {
  const before = await bundleEngine(join(work, "before"), exportsOf(BEFORE));
  const after = await bundleEngine(join(work, "after"), exportsOf(ROOT));
  // Each call timed alone and the median taken: on a shared machine other processes take the core for a
  // few ms at a time, which a round's total would count.
  const time = (lib, text, rules) => {
    const calls = [];
    for (let i = 0; i < REPEAT; i++) {
      const start = process.hrtime.bigint();
      lib.tokenSpans(text, [], rules);
      calls.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    return median(calls);
  };
  console.log(
    `rules-ab: tokenSpans per 64 KiB window, median of ${ROUNDS} rounds' median of ${REPEAT} calls, µs`,
  );
  console.log(`${"window / rules".padEnd(52)}${"before".padStart(9)}${"this".padStart(9)}`);
  for (const [name, text] of Object.entries(WINDOWS)) {
    const listed = [new before.TextScanner([]).scan(text).rules, new after.TextScanner([]).scan(text).rules];
    const union = [...new Set(listed.flat())].sort((x, y) => x - y);
    const sets = [null, ...(union.length > 1 ? union : [])];
    for (const set of sets) {
      // Each tree runs what its own scan lists: all of it, or the one rule if listed.
      const [a, b] = [before, after].map((lib, t) => {
        const rules = set === null ? [...listed[t]] : listed[t].includes(set) ? [set] : null;
        return rules && { lib, rules, times: [] };
      });
      for (let round = 0; round < ROUNDS; round++) {
        // Each tree goes first in every other round.
        for (const side of round % 2 === 0 ? [a, b] : [b, a])
          if (side) side.times.push(time(side.lib, text, side.rules));
      }
      const label =
        set === null
          ? `${name}: all (${listed[0].length}, ${listed[1].length})`
          : `  ${before.RULE_KEYWORDS[set].join(",").slice(0, 48)}`;
      const cell = (side) => (side ? median(side.times).toFixed(1) : "—").padStart(9);
      console.log(`${label.padEnd(52)}${cell(a)}${cell(b)}`);
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
