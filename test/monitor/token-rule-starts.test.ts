/**
 * Credential rules whose matches all start with literal texts (`ghp_`, `xoxb-`, `sk_live_`…) are tried
 * only where those texts occur: they must find exactly the matches the scan of the whole text finds.
 * Checked for every such rule on seeded texts made of its starts (at the start and end of the text,
 * repeated, overlapping, run into one another, in other cases), its keywords and credential-shaped runs.
 */
import { describe, expect, it } from "vitest";
import { literalStarts } from "../../electron/monitor/pipeline/rule-starts.js";
import { RULE_KEYWORDS, RULE_STARTS, ruleMatches } from "../../electron/monitor/pipeline/token-rules.js";
import { seededRandom } from "../helpers/seeded-random.js";

const RUN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789abcdef0123456789";
const HEX_CHARS = "0123456789abcdefABCDEF";
const SEPARATORS = ["", "", "", " ", "\n", ".", "-", "_", "=", '"', '\\"', ":", "/", "+", "~", "|"];

const swapCase = (text: string) =>
  [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");

/** `word` written twice, overlapping where its end is its start (`xox` → `xoxox`), or null. */
function overlapped(word: string): string | null {
  for (let k = word.length - 1; k > 0; k--) if (word.endsWith(word.slice(0, k))) return word + word.slice(k);
  return null;
}

/** Texts built from `words` (a rule's starts and keywords) and runs of credential characters. */
function texts(words: readonly string[], seed: number, count: number): string[] {
  const { random, pick } = seededRandom(seed);
  const run = () => {
    const length = pick([0, 1, 3, 8, 16, 20, 24, 32, 36, 40, 43, 48, 58, 64, 70, 93, 110, 150, 260]);
    // Some runs all hex digits, as formats of a hex value (`SK` and 32 of them) need.
    const chars = [...(random() < 0.25 ? HEX_CHARS : RUN_CHARS)];
    let out = "";
    for (let i = 0; i < length; i++) out += random() < 0.97 ? pick(chars) : pick(["-", "_", ".", "="]);
    return out;
  };
  const word = () => {
    const w = pick(words);
    const r = random();
    if (r < 0.1) return overlapped(w) ?? w;
    return r < 0.7 ? w : r < 0.8 ? swapCase(w) : r < 0.9 ? w.toLowerCase() : w.toUpperCase();
  };
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const pieces = Math.floor(random() * 8) + 1;
    let text = random() < 0.5 ? word() : "";
    for (let i = 0; i < pieces; i++)
      text += pick(SEPARATORS) + word() + run() + (random() < 0.3 ? word() : "");
    if (random() < 0.5) text += pick(SEPARATORS) + word();
    out.push(text);
  }
  return out;
}

const spans = (matches: RegExpExecArray[]) =>
  matches.map((m) => [m.index, m[0], ...(m.indices ?? []).flat()]);

describe("credential rules tried at their literal starts", () => {
  const anchored = RULE_STARTS.flatMap((starts, r) => (starts ? [r] : []));

  it("covers the rules with fixed prefixes and leaves the others to the whole-text scan", () => {
    expect(anchored.length).toBeGreaterThan(60);
    const startsOf = (keyword: string) => RULE_STARTS[RULE_KEYWORDS.findIndex((k) => k.includes(keyword))];
    expect(startsOf("ghp_")).toEqual(["ghp_"]);
    expect(startsOf("xoxb")).toEqual(["xoxb-"]);
    // Too short to find faster than the rule scans (`ey`, `s.`), or case-insensitive, or keyed by a name.
    for (const keyword of ["ey", "s.", "npm_", "adafruit"]) expect(startsOf(keyword)).toBeNull();
    // Short, but opening with a capital, which the search stops at rarely.
    expect(startsOf("sk")).toEqual(["SK"]);
  });

  it("finds exactly the matches of the whole-text scan", () => {
    let found = 0;
    let overlaps = 0;
    const matched = new Set<number>();
    for (const r of anchored) {
      const words = [...(RULE_STARTS[r] as string[]), ...(RULE_KEYWORDS[r] as string[])];
      for (const text of texts(words, 7919 * (r + 1), 80)) {
        const whole = ruleMatches(r, text, false);
        expect(spans(ruleMatches(r, text, true)), `rule ${r} on ${JSON.stringify(text)}`).toEqual(
          spans(whole),
        );
        found += whole.length;
        if (whole.length) matched.add(r);
        // A match whose start overlaps an earlier occurrence of it that matches nothing (`xo` + `xoxs-1-…`).
        for (const m of whole)
          for (const start of RULE_STARTS[r] as string[]) {
            const twice = m[0].startsWith(start) ? overlapped(start) : null;
            if (!twice) continue;
            const overlapping = twice.slice(0, twice.length - start.length) + m[0];
            expect(spans(ruleMatches(r, overlapping, true))).toEqual(
              spans(ruleMatches(r, overlapping, false)),
            );
            expect(ruleMatches(r, overlapping, false).length).toBeGreaterThan(0);
            overlaps++;
          }
      }
    }
    // The texts hold real matches, not only near misses.
    expect(found).toBeGreaterThan(2000);
    expect(matched).toContain(RULE_KEYWORDS.findIndex((k) => k.length === 1 && k[0] === "sk"));
    expect(overlaps).toBeGreaterThan(3);
  });

  it("reads no start from what a pattern does not fix", () => {
    const starts = (source: string, flags = "") => literalStarts(new RegExp(source, `${flags}gd`));
    expect(starts(String.raw`\b((?:sk|rk)_(?:test|live)_[a-z]{10})`)).toEqual([
      "rk_live_",
      "rk_test_",
      "sk_live_",
      "sk_test_",
    ]);
    expect(starts(String.raw`xox[pe]-\d+`)).toEqual(["xox"]);
    expect(starts("abcd?e")).toEqual(["abc"]);
    expect(starts(String.raw`abc\\?"x`)).toEqual(["abc"]);
    expect(starts("(?:abc)?def")).toBeNull();
    expect(starts("abcdef|[a-z]{3}")).toBeNull();
    expect(starts("(?<=x)abcdef")).toBeNull();
    expect(starts("(?i:abc)def")).toBeNull();
    expect(starts("abcdef", "i")).toBeNull();
    expect(starts("ab[c]def")).toBeNull();
  });
});
