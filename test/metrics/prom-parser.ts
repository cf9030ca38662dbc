/**
 * A strict parser of the Prometheus text exposition format 0.0.4, written from the format's
 * specification: line feeds only and a final one; HELP and TYPE at most once per family and TYPE before
 * its samples; a family's lines together; valid metric and label names, no reserved `__` labels, no
 * duplicate labels or samples; only the `\\`, `\"` and `\n` escapes; Go float values; counters not
 * negative; histograms with cumulative buckets, a `+Inf` bucket equal to `_count`, and a `_sum`.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Inf|NaN)$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export class PromParseError extends Error {}

export function parsePrometheusText(text: string): Map<string, Family> {
  if (text.includes("\r")) throw new PromParseError("carriage return in the text");
  if (text.length > 0 && !text.endsWith("\n"))
    throw new PromParseError("the last line must end with a line feed");
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: string | null = null;

  const enter = (name: string) => {
    if (current === name) return;
    if (closed.has(name)) throw new PromParseError(`lines of ${name} are not together`);
    if (current !== null) closed.add(current);
    current = name;
  };

  text.split("\n").forEach((raw, index) => {
    const at = `line ${index + 1}`;
    const line = raw.trim();
    if (line === "") return;
    if (line.startsWith("#")) {
      const tokens = line
        .slice(1)
        .trim()
        .split(/[ \t]+/);
      if (tokens[0] !== "HELP" && tokens[0] !== "TYPE") return;
      const name = tokens[1] ?? "";
      if (!METRIC_NAME.test(name)) throw new PromParseError(`${at}: bad metric name "${name}"`);
      enter(name);
      const family = families.get(name) ?? { name, type: "untyped" as const, samples: [] };
      families.set(name, family);
      if (tokens[0] === "TYPE") {
        if (tokens.length !== 3 || !TYPES.has(tokens[2] ?? ""))
          throw new PromParseError(`${at}: TYPE needs a name and one of ${[...TYPES].join(", ")}`);
        if (seen.has(`TYPE ${name}`)) throw new PromParseError(`${at}: second TYPE for ${name}`);
        if (family.samples.length) throw new PromParseError(`${at}: TYPE of ${name} after its samples`);
        seen.add(`TYPE ${name}`);
        family.type = tokens[2] as Family["type"];
      } else {
        if (seen.has(`HELP ${name}`)) throw new PromParseError(`${at}: second HELP for ${name}`);
        seen.add(`HELP ${name}`);
        const rest = /^#[ \t]+HELP[ \t]+\S+(?:[ \t]+(.*))?$/.exec(line)?.[1] ?? "";
        family.help = unescapeHelp(rest, at);
      }
      return;
    }
    const sample = parseSample(line, at);
    const familyName = familyOf(sample.name, families);
    enter(familyName);
    const family = families.get(familyName) ?? { name: familyName, type: "untyped" as const, samples: [] };
    families.set(familyName, family);
    const id = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(id)) throw new PromParseError(`${at}: duplicate sample ${id}`);
    seen.add(id);
    if (family.type === "counter" && !(sample.value >= 0)) throw new PromParseError(`${at}: counter below 0`);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

function familyOf(name: string, families: Map<string, Family>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && ["histogram", "summary"].includes(families.get(base)?.type ?? ""))
      return base;
  }
  return name;
}

function parseSample(line: string, at: string): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new PromParseError(`${at}: no metric name`);
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === "{") {
    i++;
    for (;;) {
      while (line[i] === " " || line[i] === "\t") i++;
      if (line[i] === "}") break;
      const labelMatch = /^[^=\s]+/.exec(line.slice(i));
      const label = labelMatch?.[0] ?? "";
      if (!LABEL_NAME.test(label) || label.startsWith("__"))
        throw new PromParseError(`${at}: bad label name "${label}"`);
      if (Object.hasOwn(labels, label)) throw new PromParseError(`${at}: label ${label} twice`);
      i += label.length;
      if (line[i] !== "=" || line[i + 1] !== '"') throw new PromParseError(`${at}: expected ="`);
      i += 2;
      let value = "";
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new PromParseError(`${at}: unterminated label value`);
        if (c === '"') break;
        if (c === "\\") {
          const next = line[i + 1];
          if (next === "\\" || next === '"') value += next;
          else if (next === "n") value += "\n";
          else throw new PromParseError(`${at}: bad escape \\${next}`);
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      labels[label] = value;
      i++;
      if (line[i] === ",") i++;
      else if (line[i] !== "}") throw new PromParseError(`${at}: expected , or } after a label`);
    }
    i++;
  }
  if (line[i] !== " " && line[i] !== "\t") throw new PromParseError(`${at}: no space before the value`);
  const tokens = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (tokens.length > 2) throw new PromParseError(`${at}: too many tokens`);
  const valueText = tokens[0] ?? "";
  if (!FLOAT.test(valueText)) throw new PromParseError(`${at}: bad value "${valueText}"`);
  if (tokens[1] !== undefined && !/^-?\d+$/.test(tokens[1])) throw new PromParseError(`${at}: bad timestamp`);
  const value = /Inf$/.test(valueText)
    ? valueText.startsWith("-")
      ? -Infinity
      : Infinity
    : Number(valueText);
  return { name, labels, value };
}

/** HELP text: only `\\` and `\n` are escapes. */
function unescapeHelp(text: string, at: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    throw new PromParseError(`${at}: bad escape \\${c}`);
  });
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${family.name}_bucket`) {
      if (le === undefined || !FLOAT.test(le.replace(/^\+/, "")))
        throw new PromParseError(`${key}: bucket without a valid le`);
      g.buckets.push([le === "+Inf" ? Infinity : Number(le), s.value]);
    } else if (s.name === `${family.name}_count`) g.count = s.value;
    else if (s.name === `${family.name}_sum`) g.sum = s.value;
    else throw new PromParseError(`${s.name} does not belong to histogram ${family.name}`);
  }
  for (const [key, g] of groups) {
    const sorted = [...g.buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Infinity) throw new PromParseError(`${family.name}${key}: no +Inf bucket`);
    for (let i = 1; i < sorted.length; i++) {
      if ((sorted[i]?.[1] ?? 0) < (sorted[i - 1]?.[1] ?? 0))
        throw new PromParseError(`${family.name}${key}: buckets are not cumulative`);
    }
    if (g.count === undefined || g.sum === undefined)
      throw new PromParseError(`${family.name}${key}: no _count or _sum`);
    if (sorted.at(-1)?.[1] !== g.count)
      throw new PromParseError(`${family.name}${key}: +Inf bucket differs from _count`);
  }
}
