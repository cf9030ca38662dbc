/**
 * A long string's bytes are checked a word at a time between the bytes that need a look (quotes,
 * backslashes, control characters): the end found, and the strings refused, are those of the check one
 * byte at a time, wherever the string lies in memory and whatever it holds.
 */
import { describe, expect, it } from "vitest";
import { CHECKED_STRING_BYTES, skipString } from "../../electron/monitor/protocol/json-scan.js";

/** The check one byte at a time: the index after the string's closing quote, or -1. */
function byteByByte(b: Buffer, i: number): number {
  let j = i + 1;
  const checkedTo = Math.min(b.length, j + CHECKED_STRING_BYTES);
  while (j < checkedTo) {
    const c = b[j] as number;
    if (c === 0x22) return j + 1;
    if (c === 0x5c) {
      const d = b[j + 1];
      if (d !== undefined && '"\\/bfnrt'.includes(String.fromCharCode(d))) j += 2;
      else if (d === 0x75 && /^[0-9a-fA-F]{4}$/.test(b.toString("latin1", j + 2, j + 6))) j += 6;
      else return -1;
    } else if (c < 0x20) return -1;
    else j++;
  }
  for (;;) {
    const q = b.indexOf(0x22, j);
    if (q < 0) return -1;
    let k = q - 1;
    while (b[k] === 0x5c) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** A seeded generator, so that a failure names a case that can be run again. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

const PIECES = [
  "a",
  " ",
  "\u001f",
  "\u007f",
  "code ",
  "é",
  "✓",
  "\\n",
  '\\"',
  "\\\\",
  "\\u00e9",
  "\\u12",
  "\\x",
  "\t",
  "\u0001",
  '"',
  "\\",
];

function content(next: () => number, length: number, rare: number): string {
  let out = "";
  while (out.length < length) {
    const pick = next();
    out += pick < rare ? (PIECES[Math.floor(next() * PIECES.length)] as string) : "ordinary text ";
  }
  return out;
}

describe("skipString", () => {
  it("finds the end a check one byte at a time finds, at every alignment", () => {
    const next = random(7);
    for (let n = 0; n < 3000; n++) {
      const length = Math.floor(next() * (n % 3 === 0 ? 9000 : 300));
      const rare = [0, 0.002, 0.02, 0.2][n % 4] as number;
      const text = `"${content(next, length, rare)}"${next() < 0.5 ? ', "more": 1}' : ""}`;
      const pad = n % 8;
      // Inside a larger allocation, at each byte offset from a word boundary.
      const memory = Buffer.alloc(pad + Buffer.byteLength(text) + 8);
      const b = memory.subarray(pad, pad + Buffer.byteLength(text));
      b.write(text);
      expect(skipString(b, 0), `case ${n}: ${text.slice(0, 200)}`).toBe(byteByByte(b, 0));
    }
  });

  it("reads a string that runs to the end of the bytes held (a cut head) as not ended", () => {
    const head = Buffer.from(`{"text":"${"x".repeat(70_000)}`);
    expect(skipString(head, 8)).toBe(-1);
    const ended = Buffer.from(`{"text":"${"x".repeat(70_000)}\\\\"}`);
    expect(skipString(ended, 8)).toBe(ended.length - 1);
  });
});
