import { describe, expect, it } from 'vitest';
import { canonicalJson, DymuError, maxAbsDiff, Rng } from '../src/index.ts';

describe('Rng', () => {
  it('is deterministic per seed and stream name', () => {
    const a = Rng.stream(0, 'w'), b = Rng.stream(0, 'w'), c = Rng.stream(0, 'x');
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('gives standard normals with mean ~0 and variance ~1', () => {
    const r = new Rng(42);
    const n = 200_000;
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const v = r.normal(); s += v; s2 += v * v; }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  });

  it('draws uniform integers over the whole range', () => {
    const r = new Rng(1);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[r.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });
});

describe('DymuError', () => {
  it('puts the file and field first', () => {
    const e = new DymuError('expected a number', { file: 'a/config.json', field: 'hidden_size' });
    expect(e.message).toBe('a/config.json: hidden_size: expected a number');
  });
});

describe('canonicalJson', () => {
  it('ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).toBe(canonicalJson({ a: { c: [3, { e: 0, f: 1 }], d: 2 }, b: 1 }));
  });
});

describe('maxAbsDiff', () => {
  it('finds the largest difference and reports NaN', () => {
    expect(maxAbsDiff([1, 2, 3], [1, 2.5, 2])).toBe(1);
    expect(maxAbsDiff([1, NaN], [1, 1])).toBeNaN();
    expect(maxAbsDiff([NaN, 1], [1, 3])).toBeNaN();
    expect(() => maxAbsDiff([1], [1, 2])).toThrow(/length 1 vs 2/);
  });
});
