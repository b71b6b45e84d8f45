import { describe, expect, it } from 'vitest';
import { DymuError, initialTokenBatch, type BlockContext } from '@dymu/core';
import { createPolicy, MERGE_POLICIES, poolCells, randomPolicy, type PolicyEnv } from '../src/index.ts';

const ENV: PolicyEnv = { encoder: { arch: 'clip', imageSize: 64, patchSize: 8, hiddenSize: 64, numLayers: 4, patches: 64 }, source: 'exp.yaml' };
const context = (block: number, classToken = true): BlockContext => ({ block, numBlocks: 4, metric: new Float32Array(0), metricDim: 0, classToken });

describe('policy registry', () => {
  it('builds every registered policy from valid parameters', () => {
    const params: Record<string, unknown> = {
      none: {},
      tome: { r: 8 },
      dtome: { thresholds: [0.9, 0.9, null, 0.8] },
      'dtome-range': { thresholds: [0.9, 0.9, 0.9, 0.8], blocks: [1, 2] },
      random: { seed: 0, images: [{ key: 'a.jpg', blockCounts: [60, 50, 40, 30] }] },
      pool: { tokens: 16 },
    };
    expect(Object.keys(MERGE_POLICIES).sort()).toEqual(Object.keys(params).sort());
    for (const [name, p] of Object.entries(params)) expect(createPolicy(name, p, ENV).name).toBe(name);
    expect(createPolicy('tome', { schedule: 'mid', shape: 'linear' }, ENV).usesMatching).toBe(true);
  });

  it('names the file and field of bad parameters', () => {
    const cases: [string, unknown, string][] = [
      ['tomy', {}, 'exp.yaml: policy: unknown merge policy "tomy"'],
      ['tome', { r: [1, 2] }, 'exp.yaml: tome.r: expected 4 entries, got 2'],
      ['tome', { r: [1, 2, 'x', 4] }, 'exp.yaml: tome.r[2]: expected an integer ≥ 0, got "x"'],
      ['tome', { r: 1, schedule: 'mid' }, 'exp.yaml: tome: give either r or schedule'],
      ['tome', { schedule: 'mid', shape: 'zigzag' }, 'exp.yaml: tome.shape: expected one of constant, linear, reverse_linear'],
      ['dtome', { thresholds: [0.9, 0.9, 'high', 0.8] }, 'exp.yaml: dtome.thresholds[2]: expected a finite number'],
      ['dtome', { thresholds: [1, 1, 1, 1], blocks: [0, 1] }, 'exp.yaml: dtome.blocks: unknown field'],
      ['dtome-range', { thresholds: [1, 1, 1, 1], blocks: [2, 1] }, 'exp.yaml: dtome-range.blocks: expected first ≤ last < 4'],
      ['random', { seed: 0, images: [{ key: 'a', blockCounts: [60, 0] }] }, 'exp.yaml: random.images[0].blockCounts[1]: expected an integer ≥ 1'],
      ['pool', { tokens: 65 }, 'exp.yaml: pool.tokens: the encoder has only 64 patches'],
      ['pool', { tokens: 16, block: 4 }, 'exp.yaml: pool.block: the encoder has blocks 0…3'],
      ['none', { r: 1 }, 'exp.yaml: none.r: unknown field'],
    ];
    for (const [name, p, message] of cases) {
      const error = (() => {
        try {
          createPolicy(name, p, ENV);
        } catch (e) {
          return e;
        }
      })();
      expect(error, name).toBeInstanceOf(DymuError);
      expect((error as Error).message).toContain(message);
    }
  });
});

describe('pool', () => {
  it('splits the grid into n rectangular cells: the regular grid for a square n, bands otherwise', () => {
    expect(Array.from(poolCells(4, 4))).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
    expect(Array.from(poolCells(4, 3))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 1, 1, 2, 2]);
    for (const n of [1, 7, 10, 16, 37, 63, 64]) {
      const boxes = Array.from({ length: n }, () => ({ area: 0, x0: 8, x1: -1, y0: 8, y1: -1 }));
      poolCells(8, n).forEach((c, i) => {
        const [y, x] = [Math.floor(i / 8), i % 8];
        const box = boxes[c];
        Object.assign(box, { area: box.area + 1, x0: Math.min(box.x0, x), x1: Math.max(box.x1, x), y0: Math.min(box.y0, y), y1: Math.max(box.y1, y) });
      });
      for (const box of boxes) expect(box.area).toBe((box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1));
    }
  });

  it('keeps the class token first and pools only at its block', () => {
    const state = initialTokenBatch(new Float32Array(0), 1, 65, 0);
    const pool = createPolicy('pool', { tokens: 4, block: 2 }, ENV);
    expect(pool.plan(state, context(1))).toBeNull();
    const plan = pool.plan(state, context(2))!;
    expect(Array.from(plan.lengths)).toEqual([5]);
    expect(plan.destination[0]).toBe(0);
    expect(new Set(plan.destination.subarray(1))).toEqual(new Set([1, 2, 3, 4]));
  });
});

describe('random', () => {
  const state = initialTokenBatch(new Float32Array(0), 2, 65, 0);
  it('merges down to the given counts, with draws that depend on the image key, not its batch slot', () => {
    const a = { key: 'a.jpg', blockCounts: [50, 40, 30, 20] };
    const b = { key: 'b.jpg', blockCounts: [60, 40, 30, 20] };
    const plan = randomPolicy(3, [a, b]).plan(state, context(0))!;
    expect(Array.from(plan.lengths)).toEqual([50, 60]);
    const swapped = randomPolicy(3, [b, a]).plan(state, context(0))!;
    expect(swapped.destination.subarray(65)).toEqual(plan.destination.subarray(0, 65));
    const reseeded = randomPolicy(4, [a, b]).plan(state, context(0))!;
    expect(reseeded.destination.subarray(0, 65)).not.toEqual(plan.destination.subarray(0, 65));
  });

  it('rejects counts one block cannot reach, naming the field', () => {
    expect(() => randomPolicy(3, [{ key: 'a', blockCounts: [20] }, { key: 'b', blockCounts: [64] }]).plan(state, context(0))).toThrow(
      'random.images[0].blockCounts[0]: 20 tokens cannot be reached from 65 in one block (at most 32 merges)',
    );
  });
});
