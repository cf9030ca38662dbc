/**
 * TOML (Codex CLI's `[mcp_servers.NAME]` tables). smol-toml only parses, so the edit is textual: the
 * `command` and `args` values of the entry's table are replaced in place (a missing `args` line is added
 * after `command`), and everything else — comments, other tables, blank lines, line endings — is left as
 * it was. Entries written as inline tables are refused rather than rewritten.
 */
import { parseToml } from "../discovery/config-text.js";
import { MonitoringError } from "../errors.js";
import type { EntryEditor, EntryRange } from "./entry-edit.js";
import { getAt, isRecord, type KeyPath } from "./entry-shape.js";
import { lineEnding, TextEdits } from "./text-edits.js";
import { scanToml, type TomlStatement } from "./toml-scan.js";

export const editToml: EntryEditor = {
  // The syntax error in the words discovery uses for the same file.
  parse: (text) => parseToml(text),

  locate(text, path) {
    const table = entryTable(text, path);
    if (!table) return null;
    return { start: table.header.start, end: table.range.end };
  },

  setFields(text, path, shape, changes) {
    const table = entryTable(text, path);
    if (!table) throw MonitoringError.input(`no [${path.join(".")}] table in the file`);
    const eol = lineEnding(text);
    const own = table.statements.filter((s) => table.owner.get(s) === table.header);
    const find = (key: string[]) => own.find((s) => sameKey(s.key, key));
    const edits = new TextEdits();

    const command = find(single(shape.command));
    if (!command) throw MonitoringError.input(`[${path.join(".")}] has no ${shape.command[0]} line`);
    edits.replace(command.valueStart, command.valueEnd, tomlString(changes.command));
    const args = find(single(shape.args));
    if (args) edits.replace(args.valueStart, args.valueEnd, tomlArray(changes.args));
    else
      edits.insert(
        command.end,
        `${eol}${command.indent}${tomlKey(shape.args[0])} = ${tomlArray(changes.args)}`,
      );
    const after = args ?? command;

    const add = Object.entries(changes.envAdd);
    if (add.length === 0) return edits.apply(text);
    const envKey = single(shape.env);
    const inline = find(envKey);
    const dotted = own.filter((s) => s.key.length === 2 && s.key[0] === envKey[0]);
    const subtable = table.statements.find(
      (s) => s.kind === "table" && sameKey(s.key, [...path.map(String), ...envKey]),
    );
    if (inline) {
      const current = getAt(this.parse(text), [...path, ...envKey]);
      const merged = { ...(isRecord(current) ? current : {}), ...changes.envAdd };
      edits.replace(inline.valueStart, inline.valueEnd, tomlInlineTable(merged));
    } else if (dotted.length) {
      const last = dotted.at(-1) as TomlStatement;
      for (const [k, v] of add)
        edits.insert(last.end, `${eol}${last.indent}${tomlKey(envKey[0])}.${tomlKey(k)} = ${tomlString(v)}`);
    } else if (subtable) {
      const last = table.statements.filter((s) => table.owner.get(s) === subtable).at(-1) ?? subtable;
      const indent = last === subtable ? subtable.indent : last.indent;
      for (const [k, v] of add) edits.insert(last.end, `${eol}${indent}${tomlKey(k)} = ${tomlString(v)}`);
    } else {
      edits.insert(
        after.end,
        `${eol}${command.indent}${tomlKey(envKey[0])} = ${tomlInlineTable(changes.envAdd)}`,
      );
    }
    return edits.apply(text);
  },
};

/** The entry's header, and each statement that belongs to it (its pairs, sub-table headers and their pairs). */
interface EntryTable {
  header: TomlStatement;
  statements: TomlStatement[];
  /** The table header each pair sits under. */
  owner: Map<TomlStatement, TomlStatement>;
  range: EntryRange;
}

function entryTable(text: string, path: KeyPath): EntryTable | null {
  if (getAt(editToml.parse(text), path) === undefined) return null;
  const keys = path.map(String);
  const all = scanToml(text);
  const at = all.findIndex((s) => s.kind === "table" && sameKey(s.key, keys));
  if (at === -1 || path.some((k) => typeof k !== "string")) {
    throw MonitoringError.input(
      `it is written as an inline table or dotted keys, not as its own [${keys.join(".")}] table (the only form mcpscope edits); wrap it by hand`,
    );
  }
  const header = all[at] as TomlStatement;
  const statements = [header];
  const owner = new Map<TomlStatement, TomlStatement>();
  let table = header;
  for (const s of all.slice(at + 1)) {
    if (s.kind !== "keyval") {
      if (!sameKey(s.key.slice(0, keys.length), keys)) break;
      table = s;
    } else owner.set(s, table);
    statements.push(s);
  }
  const last = statements.at(-1) as TomlStatement;
  return { header, statements, owner, range: { start: header.start, end: last.end } };
}

function single(path: string[]): string[] {
  if (path.length !== 1) throw MonitoringError.input("this entry's shape cannot be edited in TOML");
  return path;
}

function sameKey(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

export function tomlString(value: string): string {
  const named: Record<string, string> = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
  };
  let out = "";
  for (const c of value) {
    const code = c.codePointAt(0) ?? 0;
    out += named[c] ?? (code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, "0")}` : c);
  }
  return `"${out}"`;
}

function tomlKey(key: string | undefined): string {
  return /^[A-Za-z0-9_-]+$/.test(key ?? "") ? (key as string) : tomlString(key ?? "");
}

function tomlArray(values: string[]): string {
  return `[${values.map(tomlString).join(", ")}]`;
}

function tomlInlineTable(values: Record<string, unknown>): string {
  const pairs = Object.entries(values).map(([k, v]) => {
    if (typeof v === "string") return `${tomlKey(k)} = ${tomlString(v)}`;
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint")
      return `${tomlKey(k)} = ${v}`;
    throw MonitoringError.input(`env ${k} is not a plain value; add ELECTRON_RUN_AS_NODE=1 by hand`);
  });
  return `{ ${pairs.join(", ")} }`;
}
