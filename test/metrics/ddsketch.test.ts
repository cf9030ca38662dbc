import { describe, expect, it } from "vitest";
import { DDSketch, MAX_BUCKETS, RELATIVE_ACCURACY } from "../../electron/monitor/metrics/ddsketch.js";
import { percentile } from "../../electron/monitor/metrics/stats-document.js";
import { random } from "./workload.js";

const N = 20_000;

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const DISTRIBUTIONS: Record<string, (rand: () => number) => number> = {
  uniform: (r) => 1 + r() * 999,
  lognormal: (r) => Math.exp(3 + 1.5 * normal(r)),
  bimodal: (r) => (r() < 0.9 ? 2 + r() : 3000 + r() * 500),
  constant: () => 42.5,
  tiny: (r) => 10 ** (-6 + r() * 3),
  huge: (r) => 10 ** (6 + r() * 3),
  "with zeros": (r) => (r() < 0.3 ? 0 : r() * 100),
};

function sample(name: string, n = N, seed = 7): number[] {
  const rand = random(seed);
  const draw = DISTRIBUTIONS[name] as (r: () => number) => number;
  return Array.from({ length: n }, () => draw(rand));
}

function sketchOf(values: number[]): DDSketch {
  const s = new DDSketch();
  for (const v of values) s.add(v);
  return s;
}

function relativeError(estimate: number, exact: number): number {
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / exact;
}

describe("DDSketch", () => {
  it("takes back a value it counted: as if it had never been added", () => {
    const values = sample("bimodal", 500);
    const all = sketchOf([...values, 60_000]);
    all.remove(60_000);
    const without = sketchOf(values);
    expect(all.count).toBe(without.count);
    expect(all.sum).toBeCloseTo(without.sum, 6);
    for (const q of [0.5, 0.95, 0.99]) expect(all.quantile(q)).toBe(without.quantile(q));
    expect(relativeError(all.max, without.max)).toBeLessThanOrEqual(2 * RELATIVE_ACCURACY);
    // A value it never held (no zero was added) takes nothing.
    all.remove(0);
    expect(all.count).toBe(without.count);
    const emptied = sketchOf([5]);
    emptied.remove(5);
    expect([emptied.count, emptied.quantile(0.5), DDSketch.decode(emptied.encode()).count]).toEqual([
      0, 0, 0,
    ]);
  });

  for (const name of Object.keys(DISTRIBUTIONS)) {
    it(`${name}: p50/p95/p99 within 1% of the exact nearest-rank percentile`, () => {
      const values = sample(name);
      const sorted = [...values].sort((a, b) => a - b);
      const sketch = sketchOf(values);
      expect(sketch.count).toBe(N);
      expect(sketch.min).toBe(sorted[0]);
      expect(sketch.max).toBe(sorted[N - 1]);
      for (const p of [1, 25, 50, 75, 90, 95, 99, 99.9]) {
        const exact = percentile(sorted, p);
        expect(relativeError(sketch.quantile(p / 100), exact)).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-12);
      }
    });
  }

  it("a merge equals the sketch of the union: same buckets, quantiles, count, min and max", () => {
    const parts = ["lognormal", "bimodal", "tiny"].map((name, i) => sample(name, 5000, i + 1));
    const union = sketchOf(parts.flat());
    const merged = new DDSketch();
    for (const part of parts) merged.merge(sketchOf(part));
    const fromBytes = new DDSketch();
    for (const part of parts) fromBytes.mergeEncoded(sketchOf(part).encode());
    for (const s of [merged, fromBytes]) {
      expect(s.count).toBe(union.count);
      expect(s.min).toBe(union.min);
      expect(s.max).toBe(union.max);
      expect(s.sum).toBeCloseTo(union.sum, 6);
      // Byte 10 on: min, max and buckets (the sum before it may differ in its last bits).
      expect(s.encode().subarray(10)).toEqual(union.encode().subarray(10));
      for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 1]) expect(s.quantile(q)).toBe(union.quantile(q));
    }
  });

  it("two encoded sketches merged without decoding equal the dense merge, empty and collapsing ones too", () => {
    const zeros = new DDSketch();
    zeros.add(0, 3);
    const wide = new DDSketch();
    for (let e = -300; e <= 300; e += 3) wide.add(10 ** (e / 20));
    const cases: Array<[DDSketch, DDSketch]> = [
      [sketchOf(sample("lognormal", 3000, 7)), sketchOf(sample("bimodal", 200, 8))],
      [sketchOf(sample("tiny", 50, 9)), sketchOf([1e6, 2e6])],
      [new DDSketch(), sketchOf([3, 4, 5])],
      [sketchOf([3, 4, 5]), new DDSketch()],
      [zeros, sketchOf([0.5, 700])],
      [wide, sketchOf([1e-9 * 2, 1e14])],
    ];
    for (const [a, b] of cases) {
      const dense = DDSketch.decode(a.encode());
      dense.mergeEncoded(b.encode());
      const merged = DDSketch.decode(DDSketch.mergeBoth(a.encode(), b.encode()));
      expect([merged.count, merged.zeroCount, merged.min, merged.max]).toEqual([
        dense.count,
        dense.zeroCount,
        dense.min,
        dense.max,
      ]);
      expect(merged.sum).toBeCloseTo(dense.sum, 6);
      expect(merged.encode().subarray(10)).toEqual(dense.encode().subarray(10));
    }
  });

  it("serialises to a few bytes per non-empty bucket and decodes to the same sketch", () => {
    const small = sketchOf([1.2, 3.4, 3.41, 250]);
    expect(small.encode().length).toBeLessThan(40);
    const values = sample("lognormal", 5000);
    const sketch = sketchOf(values);
    const bytes = sketch.encode();
    expect(bytes.length).toBeLessThan(26 + sketch.bucketCount * 4);
    const back = DDSketch.decode(bytes);
    expect(back.encode()).toEqual(bytes);
    for (const q of [0.5, 0.95, 0.99]) expect(back.quantile(q)).toBe(sketch.quantile(q));
    expect(() => DDSketch.decode(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
  });

  it("an empty sketch answers 0; one value answers itself exactly", () => {
    expect(new DDSketch().quantile(0.5)).toBe(0);
    const one = sketchOf([12.5]);
    expect([one.quantile(0.5), one.quantile(0.99), one.max]).toEqual([12.5, 12.5, 12.5]);
    expect(DDSketch.decode(new DDSketch().encode()).count).toBe(0);
  });

  it(`keeps at most ${MAX_BUCKETS} buckets, collapsing the lowest; high quantiles stay accurate`, () => {
    // 21 decades need ~2400 buckets: 10% of the values far below the rest get collapsed.
    const rand = random(3);
    const values = Array.from({ length: 10_000 }, (_, i) =>
      i % 10 === 0 ? 10 ** (-9 + rand() * 3) : 10 ** (rand() * 12),
    );
    const sketch = sketchOf(values);
    expect(sketch.bucketCount).toBeLessThanOrEqual(MAX_BUCKETS);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [50, 95, 99]) {
      expect(relativeError(sketch.quantile(p / 100), percentile(sorted, p))).toBeLessThanOrEqual(0.0100001);
    }
    // The collapse happened: the lowest values now answer with the floor bucket.
    expect(relativeError(sketch.quantile(0.05), percentile(sorted, 5))).toBeGreaterThan(1);
    // Merging in the other order (low values arriving after high ones) collapses the same way.
    const reversed = sketchOf([...values].reverse());
    expect(reversed.bucketCount).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(reversed.quantile(0.99)).toBe(sketch.quantile(0.99));
  });
});
