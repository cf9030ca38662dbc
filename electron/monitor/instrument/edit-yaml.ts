/**
 * YAML (Continue's `mcpServers` list, Goose's `extensions`). First the entry's nodes are changed in the
 * parsed document (comments kept) and the document is printed; the yaml library re-prints the whole file,
 * though, so when that changed anything outside the entry, a text edit of the entry's values is used
 * instead: each value is replaced in its own style (block list stays block, flow stays flow), and
 * everything else is left byte for byte.
 */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parse,
  parseDocument,
  type YAMLMap,
} from "yaml";
import { MonitoringError } from "../errors.js";
import { isConfinedEdit } from "./edit-check.js";
import type { EntryEditor, FieldChanges } from "./entry-edit.js";
import type { EntryShape, KeyPath } from "./entry-shape.js";
import { lineEnding, TextEdits } from "./text-edits.js";

export const editYaml: EntryEditor = {
  parse(text) {
    return load(text).toJS();
  },

  locate(text, path) {
    const node = load(text).getIn(path, true) as Node | undefined;
    if (!node?.range) return null;
    return { start: node.range[0], end: trimEnd(text, node.range[1]) };
  },

  setFields(text, path, shape, changes) {
    const range = this.locate(text, path);
    const viaDocument = editDocument(text, path, shape, changes);
    if (
      range &&
      viaDocument !== null &&
      isConfinedEdit(text, viaDocument, range, this.parse, path, shape, changes)
    ) {
      return viaDocument;
    }
    return editText(text, path, shape, changes);
  },
};

function load(text: string): Document {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) throw new Error(error.message.split("\n")[0]);
  return doc;
}

function editDocument(text: string, path: KeyPath, shape: EntryShape, changes: FieldChanges): string | null {
  try {
    const doc = load(text);
    const oldArgs = doc.getIn([...path, ...shape.args], true);
    const args = doc.createNode(changes.args);
    if (isSeq(oldArgs) && oldArgs.flow) args.flow = true;
    doc.setIn([...path, ...shape.command], changes.command);
    doc.setIn([...path, ...shape.args], args);
    for (const [key, value] of Object.entries(changes.envAdd)) doc.setIn([...path, ...shape.env, key], value);
    return String(doc);
  } catch {
    return null;
  }
}

function editText(text: string, path: KeyPath, shape: EntryShape, changes: FieldChanges): string {
  const doc = load(text);
  const entry = doc.getIn(path, true);
  const refuse = (why: string) => MonitoringError.input(`${why}; edit this entry by hand`);
  if (!isMap(entry) || entry.flow || !entry.range) throw refuse("the entry is not a block mapping");
  if ([shape.command, shape.args, shape.env].some((p) => p.length !== 1))
    throw refuse("unsupported entry shape");
  const eol = lineEnding(text);
  const indent = " ".repeat(column(text, entry.range[0]));
  const edits = new TextEdits();

  const command = pairOf(entry, shape.command[0] as string);
  if (!command || !isScalar(command.value) || !command.value.range)
    throw refuse(`no ${shape.command[0]} value`);
  edits.replace(command.value.range[0], command.value.range[1], scalar(changes.command));

  const args = pairOf(entry, shape.args[0] as string);
  if (args && isSeq(args.value) && args.value.range) {
    const seq = args.value.range;
    if (args.value.flow) edits.replace(seq[0], seq[1], flowSeq(changes.args));
    else if (changes.args.length === 0) edits.replace(seq[0], trimEnd(text, seq[1]), "[]");
    else {
      const itemIndent = `${eol}${" ".repeat(column(text, seq[0]))}`;
      edits.replace(
        seq[0],
        trimEnd(text, seq[1]),
        changes.args.map((a) => `- ${scalar(a)}`).join(itemIndent),
      );
    }
  } else if (args) throw refuse(`${shape.args[0]} is not a list`);
  else edits.insert(lineEndAfter(text, command), `${eol}${indent}${shape.args[0]}: ${flowSeq(changes.args)}`);

  const add = Object.entries(changes.envAdd);
  if (add.length) {
    const env = pairOf(entry, shape.env[0] as string);
    const items = add.map(([k, v]) => `${scalar(k)}: ${scalar(v)}`);
    if (!env) {
      edits.insert(
        lineEndAfter(text, args ?? command),
        `${eol}${indent}${shape.env[0]}: { ${items.join(", ")} }`,
      );
    } else if (isMap(env.value) && env.value.flow && env.value.range) {
      const last = env.value.items.at(-1);
      const at = last ? valueEnd(last) : env.value.range[0] + 1;
      if (at === null) throw refuse(`cannot add to ${shape.env[0]}`);
      edits.insert(at, last ? `, ${items.join(", ")}` : ` ${items.join(", ")} `);
    } else if (isMap(env.value) && env.value.range) {
      const envIndent = `${eol}${" ".repeat(column(text, env.value.range[0]))}`;
      edits.insert(trimEnd(text, env.value.range[1]), items.map((i) => `${envIndent}${i}`).join(""));
    } else if (env.value === null || (isScalar(env.value) && env.value.value === null)) {
      const keyEnd = (env.key as Node).range?.[1] ?? -1;
      const colon = text.indexOf(":", keyEnd);
      if (keyEnd < 0 || colon < 0) throw refuse(`cannot add to ${shape.env[0]}`);
      edits.insert(colon + 1, ` { ${items.join(", ")} }`);
    } else throw refuse(`${shape.env[0]} is not a mapping`);
  }
  return edits.apply(text);
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function valueEnd(pair: Pair): number | null {
  const node = (pair.value ?? pair.key) as Node | null;
  return node?.range?.[1] ?? null;
}

/** Where the line holding the end of a pair's value ends (after any comment on it). */
function lineEndAfter(text: string, pair: Pair): number {
  const end = valueEnd(pair);
  if (end === null) throw MonitoringError.input("cannot find where the entry's values end; edit it by hand");
  const from = trimEnd(text, end);
  const nl = text.indexOf("\n", from);
  if (nl === -1) return text.length;
  return text[nl - 1] === "\r" ? nl - 1 : nl;
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

function trimEnd(text: string, end: number): number {
  let i = end;
  while (i > 0 && /[ \t\r\n]/.test(text[i - 1] ?? "")) i--;
  return i;
}

/** A plain scalar when it reads back as the same string in any context, else double-quoted. */
function scalar(value: string): string {
  if (/^[\w/.@+=-][\w/.@:+=~-]*$/.test(value) && readsBackAs(value)) return value;
  return JSON.stringify(value);
}

function readsBackAs(value: string): boolean {
  try {
    return parse(value) === value;
  } catch {
    return false;
  }
}

function flowSeq(values: string[]): string {
  return `[${values.map(scalar).join(", ")}]`;
}
