import { describe, expect, it } from 'vitest';
import { DymuError, Rng } from '@dymu/core';
import { formBLogits, fullScoreMacs, groups, groupSizes, meanWeights, ropeAngle, unmergeMap, vtuScoreMacs } from '../src/index.ts';

const source = (...s: number[]) => Int32Array.from(s);

describe('unmergeMap', () => {
  it('puts text rows and each image\'s patches in order; image tokens in encoder order', () => {
    // 6 patches merged into 3 tokens: token 0 = {p1, p4}, token 1 = {p0}, token 2 = {p2, p3, p5}
    const m = unmergeMap([{ kind: 'text', length: 2 }, { kind: 'image', tokens: 3, source: source(1, 0, 2, 2, 0, 2) }, { kind: 'text', length: 1 }]);
    expect([m.unique, m.virtual]).toEqual([6, 9]);
    expect([...m.map]).toEqual([0, 1, 3, 2, 4, 4, 2, 4, 5]);
    expect([...groupSizes(m)]).toEqual([1, 1, 2, 1, 3, 1]);
    const { offsets, positions } = groups(m);
    expect([...offsets]).toEqual([0, 1, 2, 4, 5, 8, 9]);
    expect([...positions]).toEqual([0, 1, 3, 6, 2, 4, 5, 7, 8]);
    expect([...meanWeights(m)]).toEqual([1, 1, 1, 0.5, 1 / 3, 1 / 3, 0.5, 1 / 3, 1].map(Math.fround));
  });

  it('without VTU, merged tokens are ordinary tokens at consecutive positions', () => {
    const m = unmergeMap([{ kind: 'text', length: 1 }, { kind: 'image', tokens: 2, source: source(1, 1, 0) }, { kind: 'text', length: 2 }], false);
    expect([m.unique, m.virtual, ...m.map]).toEqual([5, 5, 0, 1, 2, 3, 4]);
  });

  it('handles several images (crops) and their sizes sum to the patch counts', () => {
    const rng = Rng.stream(0, 'maps');
    const image = (patches: number, tokens: number) => {
      const s = Int32Array.from({ length: patches }, (_, p) => (p < tokens ? p : rng.int(tokens)));
      return { kind: 'image' as const, tokens, source: Int32Array.from(rng.shuffle([...s])) };
    };
    const m = unmergeMap([image(16, 5), { kind: 'text', length: 3 }, image(16, 16), image(9, 1)]);
    expect([m.unique, m.virtual]).toEqual([5 + 3 + 16 + 1, 16 + 3 + 16 + 9]);
    const sizes = groupSizes(m);
    expect(sizes.slice(0, 5).reduce((a, b) => a + b)).toBe(16);
    expect(sizes.at(-1)).toBe(9);
    expect(sizes.every((s) => s >= 1)).toBe(true);
  });

  it('rejects source maps that leave a token empty or point outside', () => {
    expect(() => unmergeMap([{ kind: 'image', tokens: 3, source: source(0, 0, 2) }])).toThrow(/segments\[0\]\.source: token 1 holds no patch/);
    expect(() => unmergeMap([{ kind: 'text', length: 1 }, { kind: 'image', tokens: 2, source: source(0, 2) }])).toThrow(DymuError);
    expect(() => unmergeMap([{ kind: 'text', length: -1 }])).toThrow(/segments\[0\]/);
  });
});

describe('form (b) and the cost formulas', () => {
  it('form (b) logits equal RoPE(gathered q)·RoPE(gathered k)ᵀ at virtual positions', () => {
    const [d, theta] = [8, 10000];
    const m = unmergeMap([{ kind: 'text', length: 2 }, { kind: 'image', tokens: 3, source: source(2, 0, 0, 1, 2, 2, 1) }, { kind: 'text', length: 2 }]);
    const rng = Rng.stream(1, 'formb');
    const q = Float64Array.from({ length: m.unique * d }, () => rng.normal());
    const k = Float64Array.from({ length: m.unique * d }, () => rng.normal());
    const rotate = (x: Float64Array, row: number, p: number) => {
      const out = new Float64Array(d);
      for (let j = 0; j < d / 2; j++) {
        const a = ropeAngle(p, j, d, theta);
        const [x1, x2] = [x[row * d + j], x[row * d + j + d / 2]];
        out[j] = x1 * Math.cos(a) - x2 * Math.sin(a);
        out[j + d / 2] = x2 * Math.cos(a) + x1 * Math.sin(a);
      }
      return out;
    };
    const logits = formBLogits(q, k, d, m, theta);
    const N = m.virtual;
    let worst = 0;
    for (let i = 0; i < N; i++) {
      const qi = rotate(q, m.map[i], i);
      for (let n = 0; n < N; n++) {
        const kn = rotate(k, m.map[n], n);
        worst = Math.max(worst, Math.abs(qi.reduce((s, v, j) => s + v * kn[j], 0) - logits[i * N + n]));
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('reproduce Table 1 (32 heads, d = 128, millions of multiply-adds)', () => {
    const M = (x: number) => (x / 1e6).toFixed(1);
    expect(M(fullScoreMacs(576))).toBe('1359.0');
    expect([89, 195].map((n) => M(vtuScoreMacs(n)))).toEqual(['64.9', '311.5']);
    // The paper prints 1272.0 for "394": that is the unrounded mean count (394.04 … 394.05); 394 itself gives 1271.7.
    expect(M(vtuScoreMacs(394))).toBe('1271.7');
    expect(M(vtuScoreMacs(394.05))).toBe('1272.0');
  });
});
