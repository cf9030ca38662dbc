/**
 * Parses config text the way the clients do (JSON with comments and trailing commas, TOML, YAML) and
 * turns a syntax error into one line with its line number: `line 7: unexpected ','`.
 */
import { type ParseError, parse as parseJsoncText, printParseErrorCode } from "jsonc-parser";
import { parse as parseTomlText, TomlError } from "smol-toml";
import { parseDocument } from "yaml";

/** What a well-formed token was expected to be, by jsonc-parser error name. */
const EXPECTED: Record<string, string> = {
  PropertyNameExpected: "expected a property name",
  ValueExpected: "expected a value",
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: "expected the end of the file",
};

const MALFORMED: Record<string, string> = {
  UnexpectedEndOfComment: "unterminated comment",
  UnexpectedEndOfString: "unterminated string",
  UnexpectedEndOfNumber: "malformed number",
  InvalidUnicode: "invalid unicode escape",
  InvalidEscapeCharacter: "invalid escape character",
  InvalidCharacter: "invalid character in a string",
  InvalidNumberFormat: "invalid number",
};

export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function describeJsoncError(text: string, error: ParseError): string {
  const where = `line ${lineAt(text, error.offset)}`;
  const code = printParseErrorCode(error.error);
  const malformed = MALFORMED[code];
  if (malformed) return `${where}: ${malformed}`;
  const token = text.slice(error.offset, error.offset + Math.max(error.length, 1)).trim();
  const found =
    error.offset >= text.length || token === "" ? "unexpected end of file" : `unexpected '${token}'`;
  const expected = EXPECTED[code];
  return `${where}: ${found}${expected ? ` (${expected})` : ""}`;
}

/** JSON with comments and trailing commas. An empty file reads as `undefined`. */
export function parseJsonc(text: string): unknown {
  if (text.trim() === "") return undefined;
  const errors: ParseError[] = [];
  const value = parseJsoncText(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) throw new Error(describeJsoncError(text, first));
  return value;
}

export function parseToml(text: string): unknown {
  try {
    return parseTomlText(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const what = (error.message.split("\n")[0] ?? "").replace(/^Invalid TOML document:\s*/, "");
      throw new Error(`line ${error.line}: ${what}`);
    }
    throw error;
  }
}

/** YAML; an empty file reads as `undefined`. */
export function parseYaml(text: string): unknown {
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    const what = (first.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    throw new Error(line ? `line ${line}: ${what}` : what);
  }
  return doc.toJS() ?? undefined;
}
