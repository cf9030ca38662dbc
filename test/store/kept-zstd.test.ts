/**
 * Payloads are compressed through one kept zstd context: each one is a frame of its own that reads back
 * alone, byte for byte the frame `zstdCompressSync` writes at the same level, whatever came before it
 * (large, incompressible, empty, or a payload stored compressed right after one stored as text).
 */
import { randomBytes } from "node:crypto";
import { constants, zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { keptZstd } from "../../electron/monitor/store/kept-zstd.js";
import { decodePayload, encodePayload } from "../../electron/monitor/store/payload-codec.js";

const LEVEL = { [constants.ZSTD_c_compressionLevel]: 1 };
const LINE = "  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0); // x\n";

const inputs = [
  Buffer.from(LINE.repeat(800)),
  randomBytes(300 * 1024), // incompressible, past the first output buffer
  Buffer.from("a"),
  Buffer.alloc(0),
  Buffer.from(JSON.stringify({ content: [{ type: "text", text: "héllo wörld ✓ ".repeat(5000) }] })),
  Buffer.from(LINE.repeat(3)),
];

describe("a kept zstd context", () => {
  it("writes the frames zstdCompressSync writes, each readable alone", () => {
    const kept = keptZstd(LEVEL);
    expect(kept).not.toBeNull();
    const frames = [...inputs, ...inputs].map((input) => kept?.compress(input) ?? null);
    frames.forEach((frame, i) => {
      const input = inputs[i % inputs.length] as Buffer;
      expect(frame, `input ${i}`).toEqual(
        zstdCompressSync(input, { params: LEVEL, pledgedSrcSize: input.length }),
      );
      expect(zstdDecompressSync(frame as Buffer).equals(input), `input ${i}`).toBe(true);
    });
  });

  it("is not made where its stream cannot be (the caller then compresses each payload alone)", () => {
    expect(keptZstd({ 9999: 1 })).toBeNull();
  });

  it("stores payloads in a row that each read back as they were", () => {
    const texts = [
      LINE.repeat(700),
      "small",
      randomBytes(100 * 1024).toString("base64"),
      JSON.stringify({ result: { content: [{ type: "text", text: "ünïcödé ".repeat(3000) }] } }),
      LINE.repeat(20),
    ];
    const stored = [...texts, ...texts].map((text) => encodePayload(text));
    expect(stored.filter((value) => value instanceof Uint8Array && value[0] === 1).length).toBeGreaterThan(4);
    stored.forEach((value, i) => {
      expect(decodePayload(value)).toBe(texts[i % texts.length]);
    });
  });
});
