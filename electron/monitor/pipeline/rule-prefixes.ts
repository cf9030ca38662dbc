/**
 * Half of the vendored credential rules follow gitleaks' template for a value named by a word:
 * `[\w.-]{0,50}?(?:discord)(?:[ \t\w.-]{0,20})…=…(value)`. Run over a whole text, such a rule tries up to 51
 * lengths of its lazy prefix at every position of every run of word characters, each followed by its name:
 * 3–4 ms for 64 KiB of source code (16 ms for `okta`, whose template nests two prefixes), on any text
 * that holds its keyword once. Every match holds its name (`discord`) where the prefix ends, at most 50
 * word characters, dots or dashes after the match's start; so the name is searched for (a native search
 * for a literal), and the rule tried, sticky, only at the starts within reach before each place it occurs.
 */
import { skipAtom } from "./rule-starts.js";

/** The template's prefix, as the pattern's source spells it, and how many characters it takes at most. */
const PREFIX = String.raw`[\w.-]{0,50}?`;
const PREFIX_CHARS = 50;
/** A modifier group that opens right before a nested prefix (`(?i:[\w.-]{0,50}?…`). */
const MODIFIER = /^\(\?[ims]*(?:-[ims]+)?:/;

export interface NameAnchor {
  /** Finds the name that follows the prefixes (global, the rule's own flags and modifiers). */
  finder: RegExp;
  /** How far before the name a match may start: the prefixes' characters together. */
  reach: number;
}

/**
 * The name every match of `pattern` holds after its leading prefixes, or null when the pattern is not of
 * that template (or a flag makes `\w` more than ASCII).
 */
export function nameAnchor(pattern: RegExp): NameAnchor | null {
  if (/[uv]/.test(pattern.flags)) return null;
  const source = pattern.source;
  let at = 0;
  let reach = 0;
  let opened = "";
  let depth = 0;
  for (;;) {
    if (source.startsWith(PREFIX, at)) {
      at += PREFIX.length;
      reach += PREFIX_CHARS;
      continue;
    }
    const modifier = MODIFIER.exec(source.slice(at))?.[0];
    if (modifier === undefined || !source.startsWith(PREFIX, at + modifier.length)) break;
    opened += modifier;
    depth++;
    at += modifier.length;
  }
  if (reach === 0 || source[at] !== "(") return null;
  const end = skipAtom(source, at);
  if (/^[?*+{]/.test(source.slice(end))) return null;
  // The name is required only where no alternative beside it (in the modifier groups it sits in, or at the
  // top) can match without it.
  for (let i = end, level = depth; i < source.length; ) {
    if (source[i] === "|") return null;
    if (source[i] === ")") {
      level--;
      if (level < 0) return null;
      i++;
    } else i = skipAtom(source, i);
  }
  const finder = new RegExp(
    opened + source.slice(at, end) + ")".repeat(depth),
    `${pattern.flags.replace(/[dgy]/g, "")}g`,
  );
  return { finder, reach };
}

/**
 * Whether the prefix `[\w.-]` takes the character with this code: ASCII only, with or without `i` and
 * without `u` (test/monitor/token-rule-prefixes.test.ts checks every code unit).
 */
export function isPrefixChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 46 ||
    code === 45
  );
}
