/**
 * JSON with comments and trailing commas (Claude Desktop, Claude Code, Cursor, VS Code, Windsurf, Cline,
 * Zed, Gemini CLI, LM Studio). Values are changed with jsonc-parser's `modify` in the file's own
 * indentation and line endings; a value written on one line is replaced by a one-line value.
 */
import {
  applyEdits,
  type FormattingOptions,
  findNodeAtLocation,
  modify,
  type Node,
  type ParseOptions,
  parseTree,
} from "jsonc-parser";
import { parseJsonc } from "../discovery/config-text.js";
import type { EntryEditor } from "./entry-edit.js";
import type { KeyPath } from "./entry-shape.js";

const OPTIONS: ParseOptions = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };

export const editJsonc: EntryEditor = {
  // The syntax error in the words discovery uses for the same file.
  parse: (text) => parseJsonc(withoutBom(text)),

  locate(text, path) {
    const node = findNodeAtLocation(parseTree(withoutBom(text), [], OPTIONS) ?? emptyRoot(), path);
    return node ? { start: node.offset, end: node.offset + node.length } : null;
  },

  setFields(text, path, shape, changes) {
    const formattingOptions = detectFormatting(text);
    let body = withoutBom(text);
    const set = (at: KeyPath, value: unknown) => {
      const root = parseTree(body, [], OPTIONS) ?? emptyRoot();
      const onOneLine = (node: Node) => !/[\r\n]/.test(body.slice(node.offset, node.offset + node.length));
      const node = findNodeAtLocation(root, at);
      if (node && onOneLine(node)) {
        body = body.slice(0, node.offset) + oneLine(value) + body.slice(node.offset + node.length);
        return;
      }
      // A new key in an object written on one line is added on that line.
      let depth = at.length - 1;
      while (depth > 0 && !findNodeAtLocation(root, at.slice(0, depth))) depth--;
      const parent = findNodeAtLocation(root, at.slice(0, depth));
      if (!node && parent?.type === "object" && onOneLine(parent)) {
        const nested = at.slice(depth + 1).reduceRight<unknown>((v, key) => ({ [key]: v }), value);
        const property = `${JSON.stringify(at[depth])}: ${oneLine(nested)}`;
        const last = parent.children?.at(-1);
        const insertAt = last ? last.offset + last.length : parent.offset + 1;
        body = `${body.slice(0, insertAt)}${last ? ", " : " "}${property}${last ? "" : " "}${body.slice(insertAt)}`;
        return;
      }
      body = applyEdits(body, modify(body, at, value, { formattingOptions }));
    };
    set([...path, ...shape.command], changes.command);
    set([...path, ...shape.args], changes.args);
    for (const [key, value] of Object.entries(changes.envAdd)) set([...path, ...shape.env, key], value);
    return text.startsWith("\uFEFF") ? `\uFEFF${body.slice(1)}` : body;
  },
};

/** A byte-order mark becomes a space, so that offsets stay the same and the parser accepts the text. */
function withoutBom(text: string): string {
  return text.startsWith("\uFEFF") ? ` ${text.slice(1)}` : text;
}

function emptyRoot() {
  return { type: "null" as const, offset: 0, length: 0 };
}

function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const pairs = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`);
    return pairs.length ? `{ ${pairs.join(", ")} }` : "{}";
  }
  return JSON.stringify(value);
}

/** The file's own indentation and line ending, for the lines `modify` writes. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const indents = text
    .split(/\r?\n/)
    .map((line) => /^[ \t]+(?=\S)/.exec(line)?.[0])
    .filter((i): i is string => i !== undefined);
  if (indents[0]?.startsWith("\t")) return { insertSpaces: false, tabSize: 1, eol };
  const spaces = indents.filter((i) => !i.includes("\t")).map((i) => i.length);
  return { insertSpaces: true, tabSize: spaces.length ? Math.min(...spaces) : 2, eol };
}
