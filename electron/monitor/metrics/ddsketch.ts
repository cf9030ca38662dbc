/**
 * DDSketch (Masson, Rim and Lee, VLDB 2019): a quantile sketch with relative accuracy α = 1%. Positive
 * values fall in logarithmic buckets (bucket i holds (γ^(i-1), γ^i], γ = (1+α)/(1-α)); a quantile is
 * answered with the bucket's midpoint, within α of the true value at the same rank. Two sketches merge
 * exactly by adding bucket counts, so minutes merge into hours, days and servers without raw values.
 *
 * Bounds: at most MAX_BUCKETS buckets (2048 span a factor of ~6·10^17: a nanosecond to years, in ms). Past
 * that, the lowest buckets are collapsed into one, so only the smallest values lose accuracy. Values
 * below MIN_VALUE (and zero, negative or non-finite values) are counted in a separate zero bucket.
 */

export const RELATIVE_ACCURACY = 0.01;
export const MAX_BUCKETS = 2048;
export const MIN_VALUE = 1e-9;

const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
const FORMAT_VERSION = 1;

export class DDSketch {
  /** Dense counts: `bins[i - offset]` is bucket i's count. */
  private bins = new Float64Array(0);
  private offset = 0;
  /** Lowest and highest non-empty bucket (lo > hi when there is none). */
  private lo = 0;
  private hi = -1;
  zeroCount = 0;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** Adds `value` `n` times (n a positive integer). */
  add(value: number, n = 1): void {
    if (!(n > 0)) return;
    const v = Number.isFinite(value) ? Math.max(value, 0) : 0;
    this.count += n;
    this.sum += v * n;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v < MIN_VALUE) this.zeroCount += n;
    else this.addToBucket(Math.ceil(Math.log(v) / LOG_GAMMA), n);
  }

  /**
   * Takes back one `value` added before (a stored call whose outcome was corrected): exact for the count,
   * sum and buckets, as a value always lands in the same bucket (the lowest one once collapsed). A removed
   * extreme leaves the edge of the remaining extreme bucket as the new min or max, within the sketch's
   * accuracy.
   */
  remove(value: number): void {
    if (this.count === 0) return;
    const v = Number.isFinite(value) ? Math.max(value, 0) : 0;
    if (v < MIN_VALUE) {
      if (this.zeroCount === 0) return;
      this.zeroCount--;
    } else {
      // Not a value this sketch holds: nothing to take back.
      if (this.lo > this.hi) return;
      const at = Math.min(this.hi, Math.max(this.lo, Math.ceil(Math.log(v) / LOG_GAMMA))) - this.offset;
      if (!((this.bins[at] ?? 0) > 0)) return;
      this.bins[at]! -= 1;
      while (this.lo <= this.hi && (this.bins[this.lo - this.offset] ?? 0) <= 0) this.lo++;
      while (this.hi >= this.lo && (this.bins[this.hi - this.offset] ?? 0) <= 0) this.hi--;
    }
    this.count--;
    this.sum -= v;
    if (this.count === 0) {
      this.sum = 0;
      this.min = Number.POSITIVE_INFINITY;
      this.max = Number.NEGATIVE_INFINITY;
      return;
    }
    const empty = this.lo > this.hi;
    if (v >= this.max) this.max = empty ? 0 : Math.min(v, Math.exp(this.hi * LOG_GAMMA));
    if (v <= this.min) this.min = this.zeroCount > 0 || empty ? 0 : Math.exp((this.lo - 1) * LOG_GAMMA);
  }

  merge(other: DDSketch): void {
    if (other.count === 0) return;
    this.count += other.count;
    this.sum += other.sum;
    this.zeroCount += other.zeroCount;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    if (other.lo <= other.hi) this.span(other.lo, other.hi);
    for (let i = other.hi; i >= other.lo; i--) {
      const c = other.bins[i - other.offset] ?? 0;
      if (c > 0) this.addToBucket(i, c);
    }
  }

  /** Merges a sketch serialised by `encode` without building it first (the read path of long ranges). */
  mergeEncoded(bytes: Uint8Array): void {
    const r = new Reader(bytes);
    if (r.byte() !== FORMAT_VERSION) throw new Error("unknown sketch format");
    const zero = r.varint();
    const sum = r.float64();
    const min = r.float64();
    const max = r.float64();
    const buckets = r.varint();
    let total = zero;
    if (buckets > 0) {
      // The buckets' span is allocated once rather than grown bucket by bucket.
      if (buckets > 1) this.reserve(bytes, r.offset, buckets);
      // The hot loop of long-range stats: varints decoded inline, counts added in place when in range.
      let at = r.offset;
      let index = 0;
      const end = bytes.length;
      for (let k = 0; k < buckets; k++) {
        let v = 0;
        let scale = 1;
        let b: number;
        do {
          if (at >= end) throw new Error("truncated sketch");
          b = bytes[at++] as number;
          v += (b & 0x7f) * scale;
          scale *= 0x80;
        } while (b >= 0x80);
        index = k === 0 ? (v % 2 === 0 ? v / 2 : -(v + 1) / 2) : index + v;
        let c = 0;
        scale = 1;
        do {
          if (at >= end) throw new Error("truncated sketch");
          b = bytes[at++] as number;
          c += (b & 0x7f) * scale;
          scale *= 0x80;
        } while (b >= 0x80);
        total += c;
        if (index >= this.lo && index <= this.hi) this.bins[index - this.offset]! += c;
        else this.addToBucket(index, c);
      }
    }
    if (total === 0) return;
    this.zeroCount += zero;
    this.count += total;
    this.sum += sum;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  /**
   * The value at nearest rank ⌈q·n⌉ (the same rank as `percentile` in stats-document.ts), within 1% of
   * the exact value, and clamped to the exact min and max. 0 for an empty sketch.
   */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.min(this.count, Math.max(1, Math.ceil(q * this.count)));
    if (rank <= this.zeroCount) return this.clamp(0);
    let seen = this.zeroCount;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += this.bins[i - this.offset] ?? 0;
      if (seen >= rank) return this.clamp((2 * Math.exp(i * LOG_GAMMA)) / (GAMMA + 1));
    }
    return this.max;
  }

  /** Non-empty buckets (the stored size). */
  get bucketCount(): number {
    let n = 0;
    for (let i = this.lo; i <= this.hi; i++) if ((this.bins[i - this.offset] ?? 0) > 0) n++;
    return n;
  }

  /**
   * Binary form: version, zero count, sum, min, max, then the non-empty buckets as (index delta, count)
   * varints. A minute of a few calls takes about 30–60 bytes.
   */
  encode(): Uint8Array {
    // At most 45 bytes of header and 2 varints per bucket (indexes and counts are small in practice).
    const w = new Writer(48 + 6 * Math.max(0, this.hi - this.lo + 1));
    w.byte(FORMAT_VERSION);
    w.varint(this.zeroCount);
    w.float64(this.sum);
    w.float64(this.count ? this.min : 0);
    w.float64(this.count ? this.max : 0);
    w.varint(this.bucketCount);
    let prev: number | null = null;
    for (let i = this.lo; i <= this.hi; i++) {
      const c = this.bins[i - this.offset] ?? 0;
      if (c <= 0) continue;
      if (prev === null) w.zigzag(i);
      else w.varint(i - prev);
      w.varint(c);
      prev = i;
    }
    return w.bytes();
  }

  /**
   * Two encoded sketches merged into one encoded sketch, without building either: their buckets are
   * already sorted, so this walks both once (the fold's merge of a few new values into a stored hour).
   */
  static mergeBoth(a: Uint8Array, b: Uint8Array): Uint8Array {
    const ra = new Reader(a);
    const rb = new Reader(b);
    if (ra.byte() !== FORMAT_VERSION || rb.byte() !== FORMAT_VERSION)
      throw new Error("unknown sketch format");
    const [za, sa, mina, maxa, na] = [ra.varint(), ra.float64(), ra.float64(), ra.float64(), ra.varint()];
    const [zb, sb, minb, maxb, nb] = [rb.varint(), rb.float64(), rb.float64(), rb.float64(), rb.varint()];
    // Bucket pairs of both, merged in index order.
    const pairs: number[] = [];
    let ia = na > 0 ? ra.zigzag() : 0;
    let ca = na > 0 ? ra.varint() : 0;
    let ib = nb > 0 ? rb.zigzag() : 0;
    let cb = nb > 0 ? rb.varint() : 0;
    let ka = na > 0 ? 1 : 0;
    let kb = nb > 0 ? 1 : 0;
    let totalA = za;
    let totalB = zb;
    while (ka > 0 || kb > 0) {
      if (kb === 0 || (ka > 0 && ia < ib)) {
        pairs.push(ia, ca);
        totalA += ca;
        if (ka < na) {
          ia += ra.varint();
          ca = ra.varint();
          ka++;
        } else ka = 0;
      } else if (ka === 0 || ib < ia) {
        pairs.push(ib, cb);
        totalB += cb;
        if (kb < nb) {
          ib += rb.varint();
          cb = rb.varint();
          kb++;
        } else kb = 0;
      } else {
        pairs.push(ia, ca + cb);
        totalA += ca;
        totalB += cb;
        if (ka < na) {
          ia += ra.varint();
          ca = ra.varint();
          ka++;
        } else ka = 0;
        if (kb < nb) {
          ib += rb.varint();
          cb = rb.varint();
          kb++;
        } else kb = 0;
      }
    }
    // Past the bucket limit the lowest buckets collapse: the dense path does that.
    if (pairs.length > 0 && (pairs[pairs.length - 2] as number) - (pairs[0] as number) >= MAX_BUCKETS) {
      const sketch = DDSketch.decode(a);
      sketch.mergeEncoded(b);
      return sketch.encode();
    }
    if (totalB === 0) return a;
    if (totalA === 0) return b;
    const w = new Writer(48 + 3 * pairs.length);
    w.byte(FORMAT_VERSION);
    w.varint(za + zb);
    w.float64(sa + sb);
    w.float64(Math.min(mina, minb));
    w.float64(Math.max(maxa, maxb));
    w.varint(pairs.length / 2);
    for (let i = 0; i < pairs.length; i += 2) {
      if (i === 0) w.zigzag(pairs[0] as number);
      else w.varint((pairs[i] as number) - (pairs[i - 2] as number));
      w.varint(pairs[i + 1] as number);
    }
    return w.bytes();
  }

  static decode(bytes: Uint8Array): DDSketch {
    const sketch = new DDSketch();
    sketch.mergeEncoded(bytes);
    return sketch;
  }

  /** Makes `bins` cover the span of `buckets` encoded (index delta, count) pairs from `at`. */
  private reserve(bytes: Uint8Array, from: number, buckets: number): void {
    const r = new Reader(bytes, from);
    const first = r.zigzag();
    r.varint();
    let last = first;
    for (let k = 1; k < buckets; k++) {
      last += r.varint();
      r.varint();
    }
    this.span(first, last);
  }

  /** Makes `bins` cover the non-empty buckets and [first, last] (unless that spans too many to keep). */
  private span(first: number, last: number): void {
    const empty = this.lo > this.hi;
    const lo = empty ? first : Math.min(this.lo, first);
    const hi = empty ? last : Math.max(this.hi, last);
    if (hi - lo < MAX_BUCKETS) this.cover(lo, hi);
  }

  private clamp(v: number): number {
    return Math.min(this.max, Math.max(this.min, v));
  }

  private addToBucket(index: number, n: number): void {
    if (index >= this.lo && index <= this.hi) {
      // The common case when merging many rows into one accumulator.
      this.bins[index - this.offset]! += n;
      return;
    }
    let i = index;
    if (this.lo > this.hi) {
      this.lo = i;
      this.hi = i;
    } else if (i > this.hi) {
      if (i - this.lo + 1 > MAX_BUCKETS) this.collapseBelow(i - MAX_BUCKETS + 1);
      this.hi = i;
    } else if (i < this.lo) {
      if (this.hi - i + 1 > MAX_BUCKETS) i = this.hi - MAX_BUCKETS + 1;
      if (i < this.lo) this.lo = i;
    }
    this.cover(this.lo, this.hi);
    this.bins[i - this.offset] = (this.bins[i - this.offset] ?? 0) + n;
  }

  /** Moves every count below `floor` into bucket `floor` (the collapsing-lowest store). */
  private collapseBelow(floor: number): void {
    if (floor > this.hi) {
      let total = 0;
      for (let i = this.lo; i <= this.hi; i++) total += this.bins[i - this.offset] ?? 0;
      this.bins = new Float64Array(0);
      this.lo = floor;
      this.hi = floor;
      this.cover(floor, floor);
      this.bins[floor - this.offset] = total;
      return;
    }
    let moved = 0;
    for (let i = this.lo; i < floor; i++) {
      moved += this.bins[i - this.offset] ?? 0;
      this.bins[i - this.offset] = 0;
    }
    this.bins[floor - this.offset] = (this.bins[floor - this.offset] ?? 0) + moved;
    this.lo = floor;
  }

  /** Makes `bins` cover [from, to], with slack so that growth is amortised. */
  private cover(from: number, to: number): void {
    const end = this.offset + this.bins.length;
    if (from >= this.offset && to < end) return;
    const slack = Math.min(MAX_BUCKETS, Math.max(16, (to - from) >> 1));
    const start = Math.max(from - slack, to - MAX_BUCKETS - slack);
    const size = to + slack - start + 1;
    const next = new Float64Array(size);
    const lo = Math.max(this.offset, start);
    const hi = Math.min(end, start + size);
    if (lo < hi) next.set(this.bins.subarray(lo - this.offset, hi - this.offset), lo - start);
    this.bins = next;
    this.offset = start;
  }
}

/**
 * Scratch every writer writes into before copying out its bytes (encoding is synchronous and one writer
 * finishes before the next starts): one allocation per sketch encoded, not two.
 */
const scratch = new DataView(new ArrayBuffer(8));
let shared = new Uint8Array(4096);

class Writer {
  private buf: Uint8Array;
  private at = 0;

  constructor(capacity = 64) {
    if (shared.length < capacity) shared = new Uint8Array(capacity);
    this.buf = shared;
  }

  byte(b: number): void {
    if (this.at === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
      shared = next;
    }
    this.buf[this.at++] = b;
  }

  /** Unsigned LEB128 for integers up to 2^53. */
  varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  zigzag(value: number): void {
    this.varint(value < 0 ? -2 * value - 1 : 2 * value);
  }

  float64(value: number): void {
    scratch.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.byte(scratch.getUint8(i));
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

class Reader {
  private at = 0;

  get offset(): number {
    return this.at;
  }
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    at = 0,
  ) {
    this.at = at;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  byte(): number {
    if (this.at >= this.buf.length) throw new Error("truncated sketch");
    return this.buf[this.at++] ?? 0;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  }

  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  float64(): number {
    if (this.at + 8 > this.buf.length) throw new Error("truncated sketch");
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }
}
