/**
 * Credential rules of gitleaks' named-value template (`[\w.-]{0,50}?(?:discord)…=…(value)`) are tried only
 * at the starts within reach before each place their name occurs: they must find exactly the matches the
 * scan of the whole text finds. Checked for every such rule on seeded texts of assignments in many
 * spellings (names in every case, inside longer identifiers, runs of prefix characters of every length
 * around the 50 and 100 the prefixes reach, escaped JSON quotes, non-ASCII neighbours) and near misses.
 */
import { describe, expect, it } from "vitest";
import { isPrefixChar, nameAnchor } from "../../electron/monitor/pipeline/rule-prefixes.js";
import {
  RULE_ANCHORS,
  RULE_KEYWORDS,
  RULE_SOURCES,
  RULE_STARTS,
  ruleMatches,
} from "../../electron/monitor/pipeline/token-rules.js";
import { seededRandom } from "../helpers/seeded-random.js";

const PREFIX_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
const VALUE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX = "0123456789abcdef";
const BETWEEN = ["", "", " ", "  ", "\t", "_key", ".token", " id ", "-secret", "Key"];
const QUOTES = ["", "", "", '"', "'", '\\"', '" ', "'\"", "`"];
const OPERATORS = ["=", "=", ":", ":", "::=", ":=", "=>", "?=", ",", "||", ">", " ", ""];
const SEPARATORS = ["", " ", "\n", "\\n", '"', '\\"', ",", ";", "é", "→", "-", ".", "_", "\u00a0", "}"];
const LENGTHS = [0, 1, 3, 8, 10, 12, 16, 18, 20, 24, 31, 32, 35, 36, 40, 42, 43, 45, 48, 50, 51, 60, 64, 70];

const swapCase = (text: string) =>
  [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");

/**
 * The literal texts in a finder's source (`(?:(?-i:[Mm]eraki|MERAKI))` → `eraki`, `MERAKI`, `Meraki`,
 * `meraki`), each name of an alternation and each literal start of another alternative (`ATATT3`) among them.
 */
function namesOf(source: string): string[] {
  const words: string[] = source.replace(/\(\?[ims-]*:/g, "").match(/[A-Za-z0-9_][A-Za-z0-9_-]+/g) ?? [];
  for (const classed of source.matchAll(/\[([A-Za-z])([A-Za-z])\]([A-Za-z]+)/g))
    words.push(`${classed[1]}${classed[3]}`, `${classed[2]}${classed[3]}`);
  return words;
}

/** A class's characters (`[a-f0-9_\\-]`, `\w`…), or VALUE_CHARS for one this reading does not take. */
function classChars(body: string): string {
  if (body.startsWith("^")) return VALUE_CHARS;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    let c = body[i] as string;
    if (c === "\\") {
      c = body[++i] as string;
      if (c === "w") out += `${VALUE_CHARS}_`;
      else if (c === "d") out += "0123456789";
      else if (c === "s") out += " ";
      else if (c !== "S") out += c;
    } else if (body[i + 1] === "-" && i + 2 < body.length) {
      for (let k = c.charCodeAt(0); k <= body.charCodeAt(i + 2); k++) out += String.fromCharCode(k);
      i += 2;
    } else out += c;
  }
  return out || VALUE_CHARS;
}

/** What closes a named-value rule's value group. */
const VALUE_END = "(?=[^\\w-]|$)";

/**
 * A random text matching the value group of a named-value rule (the group before its closing
 * `(?=[^\w-]|$)`, in one of its alternatives), read from its source: literals, classes, groups of
 * alternatives and quantifiers, enough for the vendored rules. Null where the source holds no such group.
 */
function valueShaped(source: string, random: () => number): string | null {
  // A rule of several alternatives has a value group in each: one of them, at random.
  const closes: number[] = [];
  for (let at = source.indexOf(VALUE_END); at !== -1; at = source.indexOf(VALUE_END, at + 1))
    if (source[at - 1] === ")") closes.push(at);
  if (closes.length === 0) return null;
  const close = (closes.length > 1 ? closes[Math.floor(random() * closes.length)] : closes[0]) as number;
  let open = close - 1;
  for (let depth = 0; open >= 0; open--) {
    if (source[open] === ")" && source[open - 1] !== "\\") depth++;
    if (source[open] === "(" && source[open - 1] !== "\\" && --depth === 0) break;
  }
  const body = source.slice(open, close);
  const count = (at: number): [number, number] => {
    const q = /^(?:\{(\d+)(?:(,)(\d*))?\}|([?*+]))/.exec(body.slice(at));
    if (!q) return [1, 0];
    if (q[4])
      return [
        q[4] === "?" ? Math.floor(random() * 2) : Math.floor(random() * 3) + (q[4] === "+" ? 1 : 0),
        q[0].length,
      ];
    const min = Number(q[1]);
    const max = q[2] ? (q[3] ? Number(q[3]) : min + 5) : min;
    return [min + Math.floor(random() * (max - min + 1)), q[0].length];
  };
  // Reads from `at` to the end of the current alternative; returns the text and where it stopped.
  const sequence = (from: number): [string, number] => {
    let out = "";
    let at = from;
    while (at < body.length && body[at] !== "|" && body[at] !== ")") {
      let chars: string | null = null;
      let piece = "";
      if (body[at] === "(") {
        at += /^\((?:\?[ims-]*:)?/.exec(body.slice(at))?.[0].length ?? 1;
        const options: string[] = [];
        for (;;) {
          const [text, end] = sequence(at);
          options.push(text);
          at = end + 1;
          if (body[end] !== "|") break;
        }
        piece = options[Math.floor(random() * options.length)] as string;
      } else if (body[at] === "[") {
        let end = at + 1;
        while (body[end] !== "]") end += body[end] === "\\" ? 2 : 1;
        chars = classChars(body.slice(at + 1, end));
        at = end + 1;
      } else if (body[at] === "\\") {
        chars = /[wdsS]/.test(body[at + 1] as string)
          ? classChars(body.slice(at, at + 2))
          : (body[at + 1] as string);
        at += 2;
      } else chars = body[at++] as string;
      const [times, width] = count(at);
      at += width;
      for (let i = 0; i < times; i++) out += chars ? chars[Math.floor(random() * chars.length)] : piece;
    }
    return [out, at];
  };
  return sequence(0)[0];
}

/** Texts of assignments to `names` (and near misses) of values shaped like `source`'s, made from a seed. */
function texts(names: readonly string[], source: string, seed: number, count: number): string[] {
  const { random, pick } = seededRandom(seed);
  const run = (chars: string, length: number) => {
    let out = "";
    for (let i = 0; i < length; i++) out += chars[Math.floor(random() * chars.length)];
    return out;
  };
  const name = () => {
    const n = pick(names);
    const r = random();
    if (r < 0.55) return n;
    if (r < 0.65) return swapCase(n);
    // Each letter's case at random (`jIRA`, `JiRa`): what a case-sensitive group of the name refuses.
    if (r < 0.75) return [...n].map((c) => (random() < 0.5 ? c.toLowerCase() : c.toUpperCase())).join("");
    return r < 0.87 ? n.toLowerCase() : n.toUpperCase();
  };
  const value = () => {
    const r = random();
    if (r < 0.5) return valueShaped(source, random) ?? "";
    const length = pick(LENGTHS);
    if (r < 0.3) return run(HEX, length);
    if (r < 0.45) return run("0123456789", length);
    if (r < 0.55) return `00${run(VALUE_CHARS, length)}`;
    if (r < 0.65) return `${run("0123456789", 10)}:A${run(VALUE_CHARS, 34)}`;
    if (r < 0.75) return `${pick(["live", "test", "sk", "pub"])}_${run(HEX, length)}`;
    return run(VALUE_CHARS, length);
  };
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    let text = "";
    const pieces = Math.floor(random() * 5) + 1;
    for (let i = 0; i < pieces; i++) {
      // A run of prefix characters before the name: of any length around what the prefixes reach.
      const before = random() < 0.5 ? pick([0, 1, 2, 5, 20, 48, 49, 50, 51, 52, 99, 100, 101, 120]) : 0;
      text += pick(SEPARATORS) + run(PREFIX_CHARS, before) + name() + pick(BETWEEN);
      if (random() < 0.15) text += name();
      // A second name in the same run, beyond what the first one's assignment can take in between.
      if (random() < 0.2) text += run(PREFIX_CHARS, pick([5, 20, 21, 25, 30, 42, 49, 50, 60])) + name();
      text += pick(QUOTES) + pick(OPERATORS) + pick(QUOTES) + value() + pick(QUOTES);
      if (random() < 0.2) text += pick(SEPARATORS) + value();
    }
    out.push(text);
  }
  return out;
}

const spans = (matches: RegExpExecArray[]) =>
  matches.map((m) => [m.index, m[0], ...(m.indices ?? []).flat()]);

describe("credential rules tried before their names", () => {
  const anchored = RULE_ANCHORS.flatMap((anchor, r) => (anchor ? [r] : []));

  it("covers the rules of the named-value template, and no rule tried at its literal starts", () => {
    expect(anchored.length).toBeGreaterThan(90);
    for (const r of anchored) expect(RULE_STARTS[r]).toBeNull();
    const anchorOf = (keyword: string) => RULE_ANCHORS[RULE_KEYWORDS.findIndex((k) => k.includes(keyword))];
    expect(anchorOf("discord")).toMatchObject({ reach: 50 });
    expect(anchorOf("discord")?.finder.source).toBe("(?:discord)");
    // Two prefixes nested: the name is up to 100 characters after the start.
    expect(anchorOf("okta")).toMatchObject({ reach: 100 });
    // Three names, each case-sensitive in part, or a token of the form `ATATT3…`.
    expect(anchorOf("jira")).toMatchObject({ reach: 50 });
    expect(anchorOf("jira")?.finder.source).toBe(
      "(?:(?-i:ATLASSIAN|[Aa]tlassian)|(?-i:CONFLUENCE|[Cc]onfluence)|(?-i:JIRA|[Jj]ira))|ATATT3",
    );
    for (const keyword of ["ghp_", "ey", "s.", "-----begin"]) expect(anchorOf(keyword)).toBeNull();
  });

  it("finds Atlassian tokens after each name's spellings, and of the form ATATT3, as the whole-text scan", () => {
    const r = RULE_KEYWORDS.findIndex((k) => k.includes("jira"));
    const value = "abcdefghij0123456789abcd";
    const token = `ATATT3${"xY0_-=".repeat(31)}`;
    const found = (text: string) => {
      const whole = ruleMatches(r, text, false);
      expect(spans(ruleMatches(r, text, true)), JSON.stringify(text)).toEqual(spans(whole));
      return whole.map((m) => m[1] ?? m[2]);
    };
    for (const name of ["jira", "Jira", "JIRA", "confluence", "Confluence", "CONFLUENCE", "Atlassian"]) {
      expect(found(`${name}_api_token = ${value}`)).toEqual([value]);
      expect(found(`x.${"a".repeat(40)}${name}: "${value}"`)).toEqual([value]);
    }
    for (const name of ["jIRA", "jiRA", "JIra", "cONFLUENCE", "ConFluence", "aTLASSIAN"])
      expect(found(`${name}_api_token = ${value}`)).toEqual([]);
    // The second alternative: at its start, in any case (the rule's flag), not after a word character.
    expect(found(`auth ${token}`)).toEqual([token]);
    expect(found(`{"t":"${token.toLowerCase()}"}`)).toEqual([token.toLowerCase()]);
    expect(found(`jIRA=${token} JIRA_TOKEN=${value}`)).toEqual([token, value]);
    expect(found(`x${token}`)).toEqual([]);
    expect(found(`${token}x`)).toEqual([]);

    // Seeded texts, more than for one rule of one alternative: values of both shapes after every spelling.
    const names = [...namesOf(RULE_ANCHORS[r]?.finder.source ?? ""), ...(RULE_KEYWORDS[r] as string[])];
    let named = 0;
    let tokens = 0;
    let refused = 0;
    for (const text of texts(names, RULE_SOURCES[r] as string, 7919, 600)) {
      for (const m of ruleMatches(r, text, false))
        if (m[1]) named++;
        else tokens++;
      if (/(?:jIRA|JIra|jIra|jiRa|JiRa|cONF|aTLA)/.test(text)) refused++;
      found(text);
    }
    expect(named).toBeGreaterThan(100);
    expect(tokens).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(20);
  });

  it("finds exactly the matches of the whole-text scan", () => {
    let found = 0;
    const matched = new Set<number>();
    for (const r of anchored) {
      const names = [...namesOf(RULE_ANCHORS[r]?.finder.source ?? ""), ...(RULE_KEYWORDS[r] as string[])];
      for (const text of texts(names, RULE_SOURCES[r] as string, 104729 * (r + 1), 60)) {
        const whole = ruleMatches(r, text, false);
        expect(spans(ruleMatches(r, text, true)), `rule ${r} on ${JSON.stringify(text)}`).toEqual(
          spans(whole),
        );
        found += whole.length;
        if (whole.length) matched.add(r);
      }
    }

    // The texts hold real matches of every rule, not only near misses.
    expect(found).toBeGreaterThan(4000);
    expect(matched.size).toBe(anchored.length);
  });

  it("reads the prefix's characters as the patterns do, in every case mode", () => {
    const classes = [/^[\w.-]$/, /^[\w.-]$/i, /^(?i:[\w.-])$/];
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const re of classes) if (re.test(c) !== isPrefixChar(code)) throw new Error(`${re} on ${code}`);
    }
  });

  it("takes no name a match could do without", () => {
    const anchor = (source: string, flags = "") => nameAnchor(new RegExp(source, `${flags}gd`));
    expect(anchor(String.raw`[\w.-]{0,50}?(?:lob)=(\d+)`, "i")?.finder.source).toBe("(?:lob)");
    expect(anchor(String.raw`[\w.-]{0,50}?(?:lob)?=(\d+)`)).toBeNull();
    expect(anchor(String.raw`[\w.-]{0,50}?(?:lob)=(\d+)|x`)).toBeNull();
    expect(anchor(String.raw`[\w.-]{0,50}?(?:lob)=(\d+)|[a-z]{3}`)).toBeNull();
    expect(anchor(String.raw`[\w.-]{0,50}?(?:lob)=(\d+)|(?:cat)?dog`)).toBeNull();
    // Another alternative that starts with literals: found too, escaped, with the rule's flags.
    const literal = anchor(String.raw`[\w.-]{0,50}?(?:lob)=(\d+)|\b(?:tok|k\.e\+y)_\d+`, "i");
    expect(literal?.finder.source).toBe(String.raw`(?:lob)|tok_|k\.e\+y_`);
    expect(literal?.finder.flags).toBe("gi");
    expect(anchor(String.raw`[\w.-]{0,50}?(?:lob)=(\d+)|[\w.-]{0,50}?(?:cat)=(\d+)`)?.finder.source).toBe(
      "(?:lob)|(?:cat)",
    );
    expect(anchor(String.raw`xyz\d+|\bghp_\w+`)).toBeNull();
    expect(anchor(String.raw`(?i:[\w.-]{0,50}?(?:lob)|y)=(\d+)`)).toBeNull();
    expect(anchor(String.raw`[\w.-]{0,50}?(?:lob)=(\d+)`, "u")).toBeNull();
    expect(anchor(String.raw`[\w.-]{0,20}?(?:lob)=(\d+)`)).toBeNull();
    expect(anchor(String.raw`(?:lob)=(\d+)`)).toBeNull();
  });
});
