/**
 * One zstd compression context kept for every payload a thread compresses. `zstdCompressSync` builds a
 * stream and a native context per call, which costs more than compressing a 64 KiB capture of source-like
 * text (its tables are allocated and cleared anew each time); the observer compresses a payload or two
 * per call. Node has no public synchronous call over a kept context: this one drives the stream's handle
 * as `zstdCompressSync` itself does (its `writeSync` and write state). Each payload is one frame, ended
 * with ZSTD_e_end; zstd starts the next frame afresh with the same parameters (the handle's `reset` would
 * drop them), and a frame given its whole input at once is sized to it as a pledged size would, so the
 * bytes are those `zstdCompressSync` writes. Where the handle is not what it expects (another Node), fails,
 * or writes a first frame that does not read back as its input, the caller compresses with a context of its
 * own, as before, from then on.
 */
import type { Transform } from "node:stream";
import * as zlib from "node:zlib";

export interface KeptZstd {
  /** The zstd frame of `input`, or null when the kept context cannot be used (from then on). */
  compress(input: Buffer): Buffer | null;
}

interface Handle {
  writeSync(
    flush: number,
    input: Buffer,
    inOff: number,
    inLen: number,
    out: Buffer,
    outOff: number,
    outLen: number,
  ): void;
}

type Stream = Transform & { _handle?: Handle; _writeState?: Uint32Array };

const create = (zlib as unknown as { createZstdCompress?: (options: object) => Stream }).createZstdCompress;
const END = (zlib.constants as { ZSTD_e_end?: number }).ZSTD_e_end;

/** zstd's bound on a frame's size for `bytes` of input (ZSTD_COMPRESSBOUND), with room to spare. */
const bound = (bytes: number) => bytes + (bytes >> 7) + 1024;

/** A kept context with zstd's `params`, or null where this Node's stream does not have the parts used. */
export function keptZstd(params: Record<number, number>): KeptZstd | null {
  if (!create || END === undefined) return null;
  let stream: Stream;
  try {
    stream = create({ params });
  } catch {
    return null;
  }
  const handle = stream._handle;
  const state = stream._writeState;
  if (typeof handle?.writeSync !== "function" || !(state instanceof Uint32Array) || state.length < 2)
    return null;
  let failed = false;
  // zstd's errors destroy the stream; listened to so that nothing is thrown later, out of turn.
  stream.on("error", () => {
    failed = true;
  });
  let out = Buffer.allocUnsafe(bound(64 * 1024));
  /** The first frame is read back before it is trusted: a handle that changed its ways fails here. */
  let checked = false;
  const kept: KeptZstd = {
    compress(input) {
      if (failed) return null;
      if (!checked) {
        checked = true;
        const frame = kept.compress(input);
        if (frame === null) return null;
        try {
          if (zlib.zstdDecompressSync(frame).equals(input)) return frame;
        } catch {
          // Not a frame zstd reads: as wrong as a frame of other bytes.
        }
        failed = true;
        return null;
      }
      try {
        if (out.length < bound(input.length)) out = Buffer.allocUnsafe(bound(input.length));
        const parts: Buffer[] = [];
        let inOff = 0;
        for (;;) {
          handle.writeSync(END, input, inOff, input.length - inOff, out, 0, out.length);
          if (failed || stream.destroyed) {
            failed = true;
            return null;
          }
          const [outLeft = 0, inLeft = 0] = state;
          // Room left in the output: the frame is complete (zstd stops early only when the output is full).
          if (outLeft > 0) {
            const last = Buffer.from(out.subarray(0, out.length - outLeft));
            return parts.length === 0 ? last : Buffer.concat([...parts, last]);
          }
          parts.push(Buffer.from(out));
          inOff = input.length - inLeft;
        }
      } catch {
        // A frame left half written: this context is not used again.
        failed = true;
        return null;
      }
    },
  };
  return kept;
}
