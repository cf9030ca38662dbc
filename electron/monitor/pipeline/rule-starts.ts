/**
 * The literal texts every match of a credential rule starts with, read from its pattern when the rule is
 * loaded: a rule whose matches all start with `ghp_` need only be tried where `ghp_` occurs (a native
 * string search), not at each of the 65,536 positions of a 64 KiB window. The reading is conservative:
 * any construct it does not know at a match's start (a class, a quantified atom, a look-behind, a modifier
 * group, a case-insensitive flag) makes it answer null, and the rule scans the whole text as before.
 */

/** More texts than this (a cross product of alternatives) and the string searches cost more than they save. */
const MAX_STARTS = 8;
/**
 * Shorter texts (`ey`, `s.`) are found by a string search character by character, at about the cost of the
 * rule's own scan: such rules scan the whole text. Unless the text opens with a capital letter (`SK`): the
 * search stops at each occurrence of its first character, and capitals are rare in code and prose.
 */
export const MIN_START_CHARS = 3;
const shortStart = (start: string) => start.length < MIN_START_CHARS && !/^[A-Z]/.test(start);

/** Characters that stand for themselves outside a class, unescaped. */
const PLAIN = /^[A-Za-z0-9_~=:,<>'"@%&!;#/ -]$/;
/** Escaped characters that stand for themselves (`\.`, `\-`, `\/`…): any escaped punctuation. */
const ESCAPED_PUNCTUATION = /^[^A-Za-z0-9]$/;
const QUANTIFIER = /^[?*+{]$/;

interface Parsed {
  /** The texts the part's matches start with, or null when it could not tell. */
  starts: string[] | null;
  /** Whether each text is all the part matches (so a following literal extends it). */
  whole: boolean;
  /** Where the part ends in the source: at its `|` or `)`, or the end. */
  end: number;
}

/**
 * The literal texts (case as written) every match of `pattern` starts with at the match's first character,
 * none a prefix of another, or null when the pattern does not show them (see the file's header).
 */
export function literalStarts(pattern: RegExp): string[] | null {
  if (pattern.flags.includes("i")) return null;
  const source = pattern.source;
  const parsed = alternatives(source, 0);
  if (parsed.starts === null || parsed.end !== source.length) return null;
  const starts = [...new Set(parsed.starts)].sort();
  if (starts.length > MAX_STARTS || starts.some(shortStart)) return null;
  // `ab` and `abc`: every `abc` is found by looking for `ab`.
  return starts.filter((s) => !starts.some((t) => t !== s && s.startsWith(t)));
}

/**
 * The literal starts, short ones included, of a pattern that opens with `\b` before all of them (each
 * starting with a word character), or null: a match then starts only where the character before is not a
 * word character, which the text scan can look for with the start (text-scan.ts).
 */
export function boundaryStarts(pattern: RegExp): string[] | null {
  const source = pattern.source;
  if (/[iuv]/.test(pattern.flags) || !source.startsWith("\\b")) return null;
  for (let i = 0; i < source.length; i = skipAtom(source, i)) if (source[i] === "|") return null;
  const parsed = alternatives(source, 0);
  if (parsed.starts === null || parsed.end !== source.length) return null;
  const starts = [...new Set(parsed.starts)].sort();
  if (starts.length > MAX_STARTS || starts.some((s) => !/^\w/.test(s))) return null;
  return starts.filter((s) => !starts.some((t) => t !== s && s.startsWith(t)));
}

/**
 * The literal texts (case as written) every match of the one alternative at `at` starts with, or null, and
 * where it ends (its `|`, a `)`, or the end of the source): for a pattern read alternative by alternative
 * (rule-prefixes.ts), whose flags the caller reads.
 */
export function alternativeStarts(source: string, at: number): { starts: string[] | null; end: number } {
  const { starts, end } = sequence(source, at);
  return { starts, end };
}

/** `a|b|…` from `at` to its closing `)` or the end of the source. */
function alternatives(source: string, at: number): Parsed {
  const all: string[] = [];
  let known = true;
  let whole = true;
  for (let i = at; ; i++) {
    const part = sequence(source, i);
    if (part.starts === null) known = false;
    else all.push(...part.starts);
    whole &&= part.whole;
    if (source[part.end] !== "|") return { starts: known ? all : null, whole, end: part.end };
    i = part.end;
  }
}

/** One alternative, from `at` to its `|`, its group's `)`, or the end of the source. */
function sequence(source: string, at: number): Parsed {
  let texts = [""];
  let extending = true;
  let i = at;
  while (i < source.length && source[i] !== "|" && source[i] !== ")") {
    if (!extending) {
      i = skipAtom(source, i);
      continue;
    }
    const c = source[i] as string;
    const next = source[i + 1] ?? "";
    // A word boundary before the first character is zero-width, and a sticky match reads the character
    // before its start for it, as the whole-text scan does.
    if (c === "\\" && next === "b" && texts.length === 1 && texts[0] === "") {
      i += 2;
      continue;
    }
    if (c === "(" && (next !== "?" || source.startsWith("(?:", i))) {
      const group = alternatives(source, i + (next === "?" ? 3 : 1));
      if (source[group.end] !== ")") return { starts: null, whole: false, end: source.length };
      i = group.end + 1;
      const product = group.starts ? texts.flatMap((t) => group.starts?.map((s) => t + s) ?? []) : [];
      if (group.starts === null || QUANTIFIER.test(source[i] ?? "") || product.length > MAX_STARTS) {
        extending = false;
        continue;
      }
      texts = product;
      extending = group.whole;
      continue;
    }
    let literal: string | null = null;
    let width = 1;
    if (c === "\\" && ESCAPED_PUNCTUATION.test(next)) {
      literal = next;
      width = 2;
    } else if (PLAIN.test(c)) literal = c;
    // A quantified character may be absent or repeated: the texts end before it.
    if (literal === null || QUANTIFIER.test(source[i + width] ?? "")) {
      extending = false;
      continue;
    }
    texts = texts.map((t) => t + literal);
    i += width;
  }
  const known = texts.every((t) => t !== "");
  return { starts: known ? texts : null, whole: extending, end: i };
}

/** Where the atom at `i` ends (an escape, a class, a group with its contents, or one character). */
export function skipAtom(source: string, i: number): number {
  const c = source[i];
  if (c === "\\") return i + 2;
  if (c === "[") {
    for (let j = i + 1; j < source.length; j++) {
      if (source[j] === "\\") j++;
      else if (source[j] === "]") return j + 1;
    }
    return source.length;
  }
  if (c === "(") {
    let j = i + 1;
    while (j < source.length && source[j] !== ")") j = source[j] === "|" ? j + 1 : skipAtom(source, j);
    return j + 1;
  }
  return i + 1;
}

/** How few characters a text every match holds must have to be worth looking for (see MIN_START_CHARS). */
const MIN_REQUIRED_CHARS = 3;

/**
 * The longest literal text (case as written) every match of `pattern` holds, or null when it shows none of
 * three characters or more. Read as conservatively as the starts: only literals in sequence at the top,
 * or in a group of one alternative that is not optional, count.
 */
export function requiredText(pattern: RegExp): string | null {
  if (/[uv]/.test(pattern.flags)) return null;
  const source = pattern.source;
  const { best, end } = longestLiteral(source, 0);
  return end === source.length && best.length >= MIN_REQUIRED_CHARS ? best : null;
}

/** The longest literal run in the alternative from `at`, and where the alternative ends. */
function longestLiteral(source: string, at: number): { best: string; end: number } {
  let best = "";
  let run = "";
  let i = at;
  while (i < source.length && source[i] !== "|" && source[i] !== ")") {
    const c = source[i] as string;
    const next = source[i + 1] ?? "";
    let literal: string | null = null;
    let width = 1;
    let inner = "";
    if (c === "(") {
      width = skipAtom(source, i) - i;
      const plain = next !== "?" || /^\(\?(?:[ims]*(?:-[ims]+)?:)/.test(source.slice(i));
      if (plain) {
        const group = longestLiteral(source, i + (next === "?" ? source.indexOf(":", i) + 1 - i : 1));
        if (source[group.end] === ")") inner = group.best;
      }
    } else if (c === "\\" && ESCAPED_PUNCTUATION.test(next)) {
      literal = next;
      width = 2;
    } else if (PLAIN.test(c)) literal = c;
    else width = skipAtom(source, i) - i;
    const quantifier = /^(?:[?*+]|\{(\d+)(?:,\d*)?\})\??/.exec(source.slice(i + width));
    const optional = quantifier !== null && !(quantifier[0][0] === "+" || Number(quantifier[1] ?? 0) > 0);
    if (!optional && inner.length > best.length) best = inner;
    if (literal !== null && quantifier === null) {
      run += literal;
      if (run.length > best.length) best = run;
    } else run = "";
    i += width + (quantifier?.[0].length ?? 0);
  }
  return { best, end: i };
}
