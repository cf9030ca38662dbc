/**
 * A whole line with a long string in it is parsed with that string read from its bytes (prefix-value.ts
 * `wholeValue`): parseLine must say of every line what it said when it decoded the line and gave it all to
 * JSON.parse — the same message and value, the same batch, the same `invalid_json` detail (its byte
 * position included), the same `lossy` mark for bad UTF-8 — and must take the new way for the lines it is
 * for (a tool result of source text).
 */
import { describe, expect, it } from "vitest";
import { UNQUOTE_MAX_BYTES } from "../../electron/monitor/protocol/json-unquote.js";
import { classifyParsed, type ParsedLine, parseLine } from "../../electron/monitor/protocol/jsonrpc.js";
import { NOT_READ, WHOLE_READ_BYTES, wholeValue } from "../../electron/monitor/protocol/prefix-value.js";
import { seededRandom } from "../helpers/seeded-random.js";

const { random, pick } = seededRandom(6553);

/** parseLine as it was: the line decoded (leniently where it is not UTF-8), then JSON.parse. */
function decodedThenParsed(bytes: Buffer): ParsedLine {
  const parse = (text: string): ParsedLine => {
    if (text.trim() === "") return { kind: "blank" };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      return {
        kind: "invalid",
        reason: "invalid_json",
        detail: `line is not valid JSON${position ? ` (at byte ${position})` : ""}`,
      };
    }
    return classifyParsed(value);
  };
  try {
    return parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    const parsed = parse(new TextDecoder("utf-8").decode(bytes));
    return parsed.kind === "message" || parsed.kind === "batch"
      ? { ...parsed, lossy: true }
      : { kind: "invalid", reason: "invalid_utf8", detail: "line is not valid UTF-8" };
  }
}

const BODY = [
  "const total = items.reduce((sum, item) => sum + item.price, 0);",
  "\\n",
  '\\"',
  "\\\\",
  "\\u00e9",
  "é",
  "…",
  "😀",
  "\\ud800",
  "\u2028",
  "x".repeat(60),
];
const BAD = ["\u0001", "\\x", "\t", "\\u12"];

function body(bytes: number, pieces: readonly string[]): string {
  let out = "";
  while (out.length < bytes) out += pick(pieces);
  return out;
}

describe("a long line's parse", () => {
  it("says of every line what decoding it and parsing it whole said", () => {
    const long = (bad = false) =>
      body(1024 + Math.floor(random() * 6000), bad && random() < 0.3 ? [...BODY, ...BAD] : BODY);
    const lines: Buffer[] = [];
    for (let round = 0; round < 30; round++) {
      const text = `{"jsonrpc":"2.0","id":${round},"result":{"content":[{"type":"text","text":"${long(true)}"}],"more":["${long()}",1e3,null,{"__proto__":"${long()}"}]}}`;
      lines.push(Buffer.from(text), Buffer.from(`  ${text}\r\n`), Buffer.from(`[${text},${text}]`));
      lines.push(Buffer.from(`${text}x`), Buffer.from(`${text}}`), Buffer.from(text.slice(0, -1)));
      lines.push(Buffer.from(`\ufeff${text}`), Buffer.from(`"${long()}"`), Buffer.from(`[1,2,"${long()}"]`));
      // Bad UTF-8 in and out of the long string.
      const bytes = Buffer.from(text);
      for (const at of [10, 80, Math.floor(bytes.length / 2)]) {
        const bad = Buffer.from(bytes);
        bad[at] = 0xff;
        lines.push(bad);
      }
      lines.push(
        Buffer.from(`{"jsonrpc":"2.0","id":1,"result":[${Array(400).fill('"a"').join(",")},"${long()}"]}`),
      );
    }
    let read = 0;
    for (const line of lines) {
      expect(parseLine(line)).toEqual(decodedThenParsed(line));
      expect(JSON.stringify(parseLine(line))).toBe(JSON.stringify(decodedThenParsed(line)));
      if (wholeValue(line) !== NOT_READ) read++;
    }
    expect(read).toBeGreaterThan(lines.length / 8);
  });

  it("reads a tool result of source text from its bytes", () => {
    const source = "  const total = items.reduce((sum, item) => sum + item.price, 0); // x\n".repeat(900);
    const line = Buffer.from(
      `${JSON.stringify({ result: { content: [{ type: "text", text: source }] }, jsonrpc: "2.0", id: 7 })}\n`,
    );
    expect(line.length).toBeGreaterThan(WHOLE_READ_BYTES);
    expect(wholeValue(line)).toEqual(JSON.parse(line.toString()));
    expect(parseLine(line)).toEqual(decodedThenParsed(line));
    // Past the loop's bound, a line is parsed as it is.
    const huge = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 8, result: { text: source.repeat(20) } }));
    expect(huge.length).toBeGreaterThan(UNQUOTE_MAX_BYTES);
    expect(wholeValue(huge)).toBe(NOT_READ);
    expect(parseLine(huge)).toEqual(decodedThenParsed(huge));
  });

  it("parses as it is a line mostly made of padding or of small values around its long string", () => {
    const text = "x".repeat(2 * WHOLE_READ_BYTES);
    const padded = Buffer.from(`{"jsonrpc":"2.0","id":1,"result":${" ".repeat(200_000)}{"text":"${text}"}}`);
    const crowded = Buffer.from(`{"jsonrpc":"2.0","id":2,"result":[${"[],".repeat(50_000)}"${text}"]}`);
    for (const line of [padded, crowded]) {
      expect(wholeValue(line)).toBe(NOT_READ);
      expect(parseLine(line)).toEqual(decodedThenParsed(line));
    }
    // The same long string with a little padding is still read from its bytes.
    const light = Buffer.from(`{"jsonrpc":"2.0","id":3,"result": [ [], [], {"text": "${text}"} ] }`);
    expect(wholeValue(light)).toEqual(JSON.parse(light.toString()));
  });
});
