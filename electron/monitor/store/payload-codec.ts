/**
 * How the request and response text of a call is stored: text up to COMPRESS_ABOVE bytes without its
 * JSON-RPC boilerplate (payload-fragments.ts), or as TEXT where that saves nothing; longer text
 * compressed. Both are BLOBs whose first byte names the codec (fragments; zstd where Node has it, else
 * raw deflate). SQLite keeps the type of each value, so a BLOB is the marker: rows written before either
 * existed are TEXT and read as they are. Every reader of those columns goes through decodePayload.
 */
import * as zlib from "node:zlib";
import { NEEDED_NODE } from "../node-requirement.js";
import { utf8View } from "../pipeline/utf8.js";
import type { SqlValue } from "./db.js";
import { type KeptZstd, keptZstd } from "./kept-zstd.js";
import { packFragments, unpackFragments } from "./payload-fragments.js";

/** Text longer than this (UTF-8 bytes) is stored compressed. */
export const COMPRESS_ABOVE = 1024;

const ZSTD = 1;
const DEFLATE_RAW = 2;
const FRAGMENTS = 3;
/** The fragments codec's first byte, as the one-byte UTF-8 character it is. */
const FRAGMENTS_MARK = String.fromCharCode(FRAGMENTS);

type Codec = { compress: (b: Buffer) => Buffer; decompress: (b: Buffer) => Buffer };
const zstd = zlib as unknown as {
  zstdCompressSync?: (b: Buffer, options?: object) => Buffer;
  zstdDecompressSync?: (b: Buffer) => Buffer;
  constants: { ZSTD_c_compressionLevel?: number };
};
/**
 * zstd's level 1 rather than its default 3: on 64 KiB of source code or JSON it compresses 18–25% faster
 * and stores within 6% of the bytes (smaller for JSON); each capture is compressed once, on the observer.
 */
const ZSTD_LEVEL = 1;

function zstdCodec(): Codec | undefined {
  const { zstdCompressSync: compress, zstdDecompressSync: decompress, constants } = zstd;
  if (!compress || !decompress) return undefined;
  // Without the parameter's constant, zstd's own level: rows already stored must stay readable.
  const level = constants.ZSTD_c_compressionLevel;
  if (level === undefined) return { compress: (b) => compress(b), decompress };
  const params = { [level]: ZSTD_LEVEL };
  // Told the input's size up front, zstd sizes its window and tables to it: about a tenth faster on 64 KiB.
  const fresh = (b: Buffer) => compress(b, { params, pledgedSrcSize: b.length });
  /** Made on first use; null once it is known not to work here (then each payload gets its own). */
  let kept: KeptZstd | null | undefined;
  return {
    compress: (b) => {
      if (kept === undefined) kept = keptZstd(params);
      const packed = kept?.compress(b) ?? null;
      if (packed) return packed;
      kept = null;
      return fresh(b);
    },
    decompress,
  };
}

const CODECS: Record<number, Codec | undefined> = {
  [ZSTD]: zstdCodec(),
  [DEFLATE_RAW]: { compress: (b) => zlib.deflateRawSync(b), decompress: (b) => zlib.inflateRawSync(b) },
};
const WRITE_CODEC = CODECS[ZSTD] ? ZSTD : DEFLATE_RAW;

/** The value to store for a payload's text: the text itself, or a compressed BLOB when that is smaller. */
export function encodePayload(text: string | null): string | Uint8Array | null {
  if (text === null) return null;
  if (text.length <= COMPRESS_ABOVE / 4) return withoutBoilerplate(text);
  const view = utf8View(text);
  const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  if (bytes.length <= COMPRESS_ABOVE) return withoutBoilerplate(text);
  const packed = (CODECS[WRITE_CODEC] as Codec).compress(bytes);
  if (packed.length + 1 >= bytes.length) return text;
  const out = new Uint8Array(packed.length + 1);
  out[0] = WRITE_CODEC;
  out.set(packed, 1);
  return out;
}

/** Small text without its boilerplate, as a BLOB marked by the codec's byte; the text where that saves nothing. */
function withoutBoilerplate(text: string): string | Uint8Array {
  const fragments = packFragments(text);
  return fragments === null ? text : Buffer.from(FRAGMENTS_MARK + fragments, "utf8");
}

/** The text of a stored payload (TEXT as it is, a BLOB by its codec), or null. */
export function decodePayload(value: SqlValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (!(value instanceof Uint8Array)) return String(value);
  if (value[0] === FRAGMENTS)
    return unpackFragments(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8", 1));
  const codec = CODECS[value[0] ?? 0];
  if (!codec)
    return value[0] === ZSTD
      ? `[not readable: payload compressed with zstd, which this Node (${process.version}) lacks; run mcpscope on ${NEEDED_NODE}]`
      : `[not readable: payload stored with codec ${value[0]}, unknown to this mcpscope]`;
  try {
    return codec
      .decompress(Buffer.from(value.buffer, value.byteOffset + 1, value.length - 1))
      .toString("utf8");
  } catch (error) {
    return `[not readable: the stored payload is damaged (${(error as Error).message})]`;
  }
}
