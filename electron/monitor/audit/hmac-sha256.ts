/**
 * HMAC-SHA-256 (RFC 2104) as two one-shot SHA-256s over the key's padded blocks, made once per key:
 * H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)). `createHmac` builds a native Hmac and a stream object for every
 * digest, and every audited call takes one; `crypto.hash` over buffers kept with the key builds neither.
 * The digests are `createHmac`'s, byte for byte (test/audit/hmac-sha256.test.ts compares them).
 *
 * The padded blocks are the key itself to whoever holds them, so they are kept as the key was: in buffers
 * of their own (never pooled, never a string), reachable only through this object.
 */
import { createHash, hash } from "node:crypto";

/** SHA-256's block, in bytes: keys are padded (or, when longer, hashed) to it. */
const BLOCK = 64;
/** SHA-256's digest, in bytes. */
const DIGEST = 32;
/**
 * Messages of up to this many UTF-16 code units (three UTF-8 bytes each at most) are encoded in place
 * after the inner pad: a call's arguments mostly are. Longer ones are streamed through a hash object, not
 * given room that every key would then keep for as long as it lives.
 */
export const INLINE_UNITS = 4096;

export class HmacSha256 {
  /** K ⊕ ipad, then room for a message. */
  readonly #inner = Buffer.alloc(BLOCK + INLINE_UNITS * 3);
  /** K ⊕ opad, then the inner digest. */
  readonly #outer = Buffer.alloc(BLOCK + DIGEST);

  /** `key` is read here and not kept: the caller may clear it. */
  constructor(key: Uint8Array) {
    const block = key.length > BLOCK ? hash("sha256", key, "buffer") : key;
    for (let i = 0; i < BLOCK; i++) {
      const k = i < block.length ? (block[i] as number) : 0;
      this.#inner[i] = k ^ 0x36;
      this.#outer[i] = k ^ 0x5c;
    }
    if (block !== key) block.fill(0);
  }

  /** The HMAC of `text` (UTF-8, as `Hmac.update(text)` encodes it), hex. */
  hex(text: string): string {
    const inner = this.#inner;
    let innerDigest: string;
    if (text.length <= INLINE_UNITS) {
      const end = BLOCK + inner.write(text, BLOCK, "utf8");
      // A view, not `subarray`: no Buffer to make. Read as latin1 ("binary"), one character a byte, so the
      // digest goes back into the outer block as the bytes it was, with no Buffer made for it either.
      innerDigest = hash("sha256", new Uint8Array(inner.buffer, inner.byteOffset, end), "binary");
      // The message is what the digest stands for (a call's arguments): not left behind in a kept buffer.
      inner.fill(0, BLOCK, end);
    } else {
      innerDigest = createHash("sha256").update(inner.subarray(0, BLOCK)).update(text).digest("binary");
    }
    this.#outer.write(innerDigest, BLOCK, "latin1");
    return hash("sha256", this.#outer, "hex");
  }
}
