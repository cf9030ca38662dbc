/**
 * Half of the vendored credential rules follow gitleaks' template for a value named by a word:
 * `[\w.-]{0,50}?(?:discord)(?:[ \t\w.-]{0,20})…=…(value)`. Run over a whole text, such a rule tries up to 51
 * lengths of its lazy prefix at every position of every run of word characters, each followed by its name:
 * 3–4 ms for 64 KiB of source code (16 ms for `okta`, whose template nests two prefixes), on any text
 * that holds its keyword once. Every match holds its name (`discord`) where the prefix ends, at most 50
 * word characters, dots or dashes after the match's start; so the name is searched for (a native search
 * for a literal), and the rule tried, sticky, only at the starts within reach before each place it occurs.
 */
import { alternativeStarts, MIN_START_CHARS, skipAtom } from "./rule-starts.js";

/** The template's prefix, as the pattern's source spells it, and how many characters it takes at most. */
const PREFIX = String.raw`[\w.-]{0,50}?`;
const PREFIX_CHARS = 50;
/** A modifier group that opens right before a nested prefix (`(?i:[\w.-]{0,50}?…`). */
const MODIFIER = /^\(\?[ims]*(?:-[ims]+)?:/;

export interface NameAnchor {
  /**
   * Finds the name that follows the prefixes (global, the rule's own flags and modifiers), and the literal
   * start of each other alternative of the rule.
   */
  finder: RegExp;
  /** How far before the name a match may start: the prefixes' characters together. */
  reach: number;
}

/** One alternative of a rule's pattern: what the finder looks for, and where the alternative ends. */
interface Alternative {
  finder: string;
  /** The prefixes' characters before the name; 0 for an alternative tried at its literal start. */
  reach: number;
  end: number;
}

/**
 * The name every match of `pattern` holds after its leading prefixes, or null when the pattern is not of
 * that template (or a flag makes `\w` more than ASCII). A pattern of several alternatives
 * (`[\w.-]{0,50}?(?:jira)…|\b(ATATT3…)`) qualifies when one is of the template and each other one is too,
 * or starts with literal texts (`ATATT3`): the finder then looks for those as well, with the rule's flags.
 */
export function nameAnchor(pattern: RegExp): NameAnchor | null {
  if (/[uv]/.test(pattern.flags)) return null;
  const source = pattern.source;
  const finders: string[] = [];
  let reach = 0;
  for (let at = 0; ; at++) {
    const part = namedAlternative(source, at) ?? literalAlternative(source, at);
    if (part === null) return null;
    finders.push(part.finder);
    reach = Math.max(reach, part.reach);
    at = part.end;
    if (at === source.length) break;
  }
  if (reach === 0) return null;
  return { finder: new RegExp(finders.join("|"), `${pattern.flags.replace(/[dgy]/g, "")}g`), reach };
}

/** The alternative at `from` if it is of the named-value template: its name, ending at its `|` or the end. */
function namedAlternative(source: string, from: number): Alternative | null {
  let at = from;
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
  const finder = opened + source.slice(at, end) + ")".repeat(depth);
  // The name is required only where no alternative beside it in the modifier groups it sits in can match
  // without it; one beside it at the top is an alternative of the rule, read on its own.
  for (let i = end, level = depth; i < source.length; ) {
    if (source[i] === "|") return level === 0 ? { finder, reach, end: i } : null;
    if (source[i] === ")") {
      level--;
      if (level < 0) return null;
      i++;
    } else i = skipAtom(source, i);
  }
  return { finder, reach, end: source.length };
}

/**
 * The alternative at `from` if every match of it starts with literal texts long enough to search for
 * (rule-starts.ts): those texts, escaped, ending at its `|` or the end. A match of it starts where the
 * finder finds one, which nextNamed tries among the starts before it.
 */
function literalAlternative(source: string, from: number): Alternative | null {
  const { starts, end } = alternativeStarts(source, from);
  if (starts === null || starts.some((s) => s.length < MIN_START_CHARS)) return null;
  if (end !== source.length && source[end] !== "|") return null;
  return { finder: starts.map((s) => s.replace(/[^\w ]/g, "\\$&")).join("|"), reach: 0, end };
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
