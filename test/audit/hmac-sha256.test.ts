/**
 * The audit digests' HMAC is computed from the key's padded blocks with one-shot hashes, not `createHmac`:
 * every digest must be `createHmac`'s, byte for byte, whatever the key (empty, short, a block, longer than
 * a block) and whatever the text (empty, non-ASCII, lone surrogates, either side of the length where the
 * text stops being encoded in place), and a text must not change the digests of the texts after it.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HmacSha256, INLINE_UNITS } from "../../electron/monitor/audit/hmac-sha256.js";
import { seededRandom } from "../helpers/seeded-random.js";

const { random, pick } = seededRandom(1616);

function bytes(n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** Code units of every UTF-8 length, and the ones UTF-8 cannot hold (encoded as U+FFFD by both). */
const UNITS = [
  "a",
  "{",
  '"',
  "\u0000",
  "\n",
  "é",
  "\u00ff",
  "\u07ff",
  "\u0800",
  "€",
  "中",
  "\uffff",
  "😀",
  "\ud800",
  "\udfff",
];

function text(units: number): string {
  let out = "";
  while (out.length < units) out += pick(UNITS);
  return out;
}

const KEY_LENGTHS = [0, 1, 16, 31, 32, 33, 63, 64, 65, 100, 128, 129, 300];
const TEXT_LENGTHS = [
  0,
  1,
  2,
  7,
  64,
  200,
  INLINE_UNITS - 1,
  INLINE_UNITS,
  INLINE_UNITS + 1,
  3 * INLINE_UNITS,
  100_000,
];

const reference = (key: Buffer, message: string) => createHmac("sha256", key).update(message).digest("hex");

describe("HmacSha256", () => {
  it("makes createHmac's digest for every key length and text", () => {
    for (const keyLength of KEY_LENGTHS) {
      const key = bytes(keyLength);
      const mac = new HmacSha256(key);
      for (const length of TEXT_LENGTHS) {
        for (const message of [text(length), "x".repeat(length), "中".repeat(length)]) {
          expect(mac.hex(message), `key ${keyLength} bytes, text ${length} units`).toBe(
            reference(key, message),
          );
        }
      }
    }
  });

  it("makes createHmac's digest on many random keys and texts, one after another on each key", () => {
    for (let k = 0; k < 40; k++) {
      const key = bytes(Math.floor(random() * 160));
      const mac = new HmacSha256(key);
      for (let m = 0; m < 50; m++) {
        const length =
          random() < 0.1 ? INLINE_UNITS - 8 + Math.floor(random() * 16) : Math.floor(random() * 300);
        const message = text(length);
        expect(mac.hex(message)).toBe(reference(key, message));
      }
    }
  });

  it("gives the digest of a short text the same after a longer one", () => {
    const key = bytes(32);
    const mac = new HmacSha256(key);
    const first = mac.hex("{}");
    mac.hex(`{"pin":"${"4".repeat(INLINE_UNITS - 10)}"}`);
    mac.hex(text(2 * INLINE_UNITS));
    expect(mac.hex("{}")).toBe(first);
    expect(first).toBe(reference(key, "{}"));
  });

  it("keeps no reference to the key it was made from", () => {
    const key = bytes(32);
    const copy = Buffer.from(key);
    const mac = new HmacSha256(key);
    key.fill(0);
    expect(mac.hex("mcpscope audit key id")).toBe(reference(copy, "mcpscope audit key id"));
  });
});
