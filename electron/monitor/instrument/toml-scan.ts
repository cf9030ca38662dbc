/**
 * A TOML statement scanner: where each table header and key/value pair is written, so that one table's
 * values can be replaced in place. It skips over values (strings of all four kinds, arrays, inline tables,
 * dates) without interpreting them; smol-toml does the parsing, and the edit is checked against it.
 */

export interface TomlStatement {
  kind: "table" | "array-table" | "keyval";
  /** The header's key, or the pair's (dotted) key relative to its table. */
  key: string[];
  /** Where the header's `[` or the pair's key starts. */
  start: number;
  /** The pair's value (keyval only). */
  valueStart: number;
  valueEnd: number;
  /** After the value or header and any trailing comment, before the line ending. */
  end: number;
  /** The whitespace before `start` on its line. */
  indent: string;
}

export function scanToml(text: string): TomlStatement[] {
  const scanner = new Scanner(text);
  const statements: TomlStatement[] = [];
  for (;;) {
    scanner.skipSpaceAndComments();
    if (scanner.pos >= text.length) return statements;
    const start = scanner.pos;
    const lineStart = text.lastIndexOf("\n", start - 1) + 1;
    const indent = text.slice(lineStart, start);
    let kind: TomlStatement["kind"] = "keyval";
    let key: string[];
    let valueStart = -1;
    let valueEnd = -1;
    if (text.startsWith("[[", start)) {
      kind = "array-table";
      scanner.pos += 2;
      key = scanner.key();
      scanner.expect("]]");
    } else if (text[start] === "[") {
      kind = "table";
      scanner.pos += 1;
      key = scanner.key();
      scanner.expect("]");
    } else {
      key = scanner.key();
      scanner.expect("=");
      scanner.skipBlank();
      valueStart = scanner.pos;
      scanner.value();
      valueEnd = scanner.pos;
    }
    scanner.skipBlank();
    scanner.skipComment();
    const end = scanner.pos;
    if (scanner.pos < text.length && !scanner.atLineEnd()) scanner.fail("expected the end of the line");
    statements.push({ kind, key, start, valueStart, valueEnd, end, indent });
  }
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    const line = this.text.slice(0, this.pos).split("\n").length;
    throw new Error(`TOML: ${message} on line ${line}`);
  }

  skipBlank(): void {
    while (this.text[this.pos] === " " || this.text[this.pos] === "\t") this.pos++;
  }

  skipComment(): void {
    if (this.text[this.pos] !== "#") return;
    while (this.pos < this.text.length && !this.atLineEnd()) this.pos++;
  }

  atLineEnd(): boolean {
    return this.text[this.pos] === "\n" || this.text.startsWith("\r\n", this.pos);
  }

  /** Blanks, line endings and comments. */
  skipSpaceAndComments(): void {
    for (;;) {
      this.skipBlank();
      this.skipComment();
      if (this.text[this.pos] === "\n") this.pos += 1;
      else if (this.text.startsWith("\r\n", this.pos)) this.pos += 2;
      else return;
    }
  }

  expect(token: string): void {
    this.skipBlank();
    if (!this.text.startsWith(token, this.pos)) this.fail(`expected "${token}"`);
    this.pos += token.length;
  }

  key(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skipBlank();
      parts.push(this.simpleKey());
      this.skipBlank();
      if (this.text[this.pos] !== ".") return parts;
      this.pos++;
    }
  }

  private simpleKey(): string {
    const c = this.text[this.pos];
    if (c === '"') return this.basicString();
    if (c === "'") return this.literalString();
    const match = /[A-Za-z0-9_-]+/y;
    match.lastIndex = this.pos;
    const m = match.exec(this.text);
    if (!m) this.fail("expected a key");
    this.pos += m[0].length;
    return m[0];
  }

  private basicString(): string {
    let out = "";
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const c = this.text[i];
      if (c === '"') {
        this.pos = i + 1;
        return out;
      }
      if (c === "\n") break;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[++i];
      const simple: Record<string, string> = { b: "\b", t: "\t", n: "\n", f: "\f", r: "\r", e: "\x1b" };
      if (e === "u" || e === "U") {
        const len = e === "u" ? 4 : 8;
        out += String.fromCodePoint(Number.parseInt(this.text.slice(i + 1, i + 1 + len), 16));
        i += len;
      } else if (e === "x") {
        out += String.fromCodePoint(Number.parseInt(this.text.slice(i + 1, i + 3), 16));
        i += 2;
      } else out += simple[e ?? ""] ?? e;
    }
    return this.fail("unterminated string");
  }

  private literalString(): string {
    const close = this.text.indexOf("'", this.pos + 1);
    const nl = this.text.indexOf("\n", this.pos + 1);
    if (close === -1 || (nl !== -1 && nl < close)) this.fail("unterminated string");
    const value = this.text.slice(this.pos + 1, close);
    this.pos = close + 1;
    return value;
  }

  /** Moves past one value of any kind. */
  value(): void {
    const t = this.text;
    const c = t[this.pos];
    if (t.startsWith('"""', this.pos) || t.startsWith("'''", this.pos)) this.multilineString();
    else if (c === '"') this.basicString();
    else if (c === "'") this.literalString();
    else if (c === "[") this.collection("]", () => this.value());
    else if (c === "{") {
      this.collection("}", () => {
        this.key();
        this.expect("=");
        this.skipBlank();
        this.value();
      });
    } else this.bareValue();
  }

  /** Numbers, booleans, dates and times. */
  private bareValue(): void {
    const t = this.text;
    const bare = /[^\s,\]}#]+/y;
    bare.lastIndex = this.pos;
    const m = bare.exec(t);
    if (!m) this.fail("expected a value");
    this.pos += m[0].length;
    // A date and a time may be separated by a space: 1979-05-27 07:32:00.
    if (/^\d{4}-\d{2}-\d{2}$/.test(m[0]) && t[this.pos] === " " && /\d/.test(t[this.pos + 1] ?? "")) {
      this.pos++;
      this.bareValue();
    }
  }

  private multilineString(): void {
    const quote = this.text.slice(this.pos, this.pos + 3);
    let i = this.pos + 3;
    for (;;) {
      if (i >= this.text.length) this.fail("unterminated string");
      if (quote === '"""' && this.text[i] === "\\") i += 2;
      else if (this.text.startsWith(quote, i)) break;
      else i++;
    }
    i += 3;
    // Up to two quotes may sit just inside the closing delimiter.
    for (let extra = 0; extra < 2 && this.text[i] === quote[0]; extra++) i++;
    this.pos = i;
  }

  private collection(close: string, item: () => void): void {
    this.pos++;
    for (;;) {
      this.skipSpaceAndComments();
      if (this.text[this.pos] === close) {
        this.pos++;
        return;
      }
      if (this.pos >= this.text.length) this.fail(`expected "${close}"`);
      item();
      this.skipSpaceAndComments();
      if (this.text[this.pos] === ",") this.pos++;
      else if (this.text[this.pos] !== close) this.fail(`expected "," or "${close}"`);
    }
  }
}
