#!/usr/bin/env node
/**
 * The credential rules' share of masking one 64 KiB window (`tokenSpans`, token-rules.ts), for this tree and
 * the tree at `BEFORE` (a checkout or an unpacked `git archive` beside its own or a linked node_modules),
 * in one process, alternating: the rules each window's keywords wake, all together and one by one. The
 * windows: the payload bench's blob (a `ghp_` token at its start, then source code), and bench/mask's
 * code and prose. Prints the median µs per window of each.
 *
 *   BEFORE=/tmp/old node bench/mask/rules-ab.mjs          # ROUNDS=15 REPEAT=200
 */
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
  "64 KiB prose": prose(WINDOW),
};

const exportsOf = (root) =>
  [
    `export { tokenSpans, RULE_KEYWORDS } from ${JSON.stringify(join(root, "electron/monitor/pipeline/token-rules.ts"))};`,
    `export { TextScanner } from ${JSON.stringify(join(root, "electron/monitor/pipeline/text-scan.ts"))};`,
  ].join("\n");

const work = await mkdtemp(join(tmpdir(), "mcpscope-rules-ab-"));
try {
  const before = await bundleEngine(join(work, "before"), exportsOf(BEFORE));
  const after = await bundleEngine(join(work, "after"), exportsOf(ROOT));
  const time = (lib, text, rules) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < REPEAT; i++) lib.tokenSpans(text, [], rules);
    return Number(process.hrtime.bigint() - start) / REPEAT / 1000;
  };
  console.log(`rules-ab: tokenSpans per 64 KiB window, median of ${ROUNDS} rounds of ${REPEAT}, µs`);
  console.log(`${"window / rules".padEnd(52)}${"before".padStart(9)}${"this".padStart(9)}`);
  for (const [name, text] of Object.entries(WINDOWS)) {
    const rules = [...new before.TextScanner([]).scan(text).rules];
    const sets = [rules, ...(rules.length > 1 ? rules.map((r) => [r]) : [])];
    for (const set of sets) {
      const a = [];
      const b = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Each tree goes first in every other round.
        if (round % 2 === 0) {
          a.push(time(before, text, set));
          b.push(time(after, text, set));
        } else {
          b.push(time(after, text, set));
          a.push(time(before, text, set));
        }
      }
      const label =
        set === rules ? `${name}: all (${rules.length})` : `  ${before.RULE_KEYWORDS[set[0]].join(",")}`;
      console.log(
        `${label.padEnd(52)}${median(a).toFixed(1).padStart(9)}${median(b).toFixed(1).padStart(9)}`,
      );
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
