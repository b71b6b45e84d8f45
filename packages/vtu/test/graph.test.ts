import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, Rng } from '@dymu/core';
import { GraphBuilder, MASKED, SessionPool, type Feeds } from '@dymu/onnx';
import { meanWeights, ropeAngle, unmergeMap, unmergedAttention, type UnmergeMap } from '../src/index.ts';

const [H, Hkv, dh, theta] = [4, 2, 8, 10000];
const pool = new SessionPool({ intraOpThreads: 1 });
afterAll(() => pool.release());

function session() {
  return pool.get('vtu-attention', () => {
    const g = new GraphBuilder('vtu_attention');
    const f = (name: string, shape: (string | number)[]) => g.input(name, 'float32', shape);
    const i64 = (name: string) => g.input(name, 'int64', ['b', 'n']);
    const { out, presentKey, presentValue } = unmergedAttention(g, {
      q: f('q', ['b', 'u', H * dh]), k: f('k', ['b', 'u', Hkv * dh]), v: f('v', ['b', 'u', Hkv * dh]),
      map: i64('map'), positions: i64('positions'), weights: f('weights', ['b', 'n']), keyBias: f('key_bias', ['b', 's']),
      pastKey: f('past_key', ['b', Hkv, 'p', dh]), pastValue: f('past_value', ['b', Hkv, 'p', dh]),
    }, { numHeads: H, numKvHeads: Hkv, headDim: dh, ropeTheta: theta }, 'vtu');
    g.output(out, 'out', 'float32', ['b', 'u', H * dh]);
    g.output(presentKey, 'present_key', 'float32', ['b', Hkv, 's', dh]);
    g.output(presentValue, 'present_value', 'float32', ['b', Hkv, 's', dh]);
    return g.toBytes();
  });
}

type Rows = Float64Array[];

/** The naive definition: expand q, k, v to the virtual rows, RoPE at `positions`, causal softmax over past + new keys, group mean. */
function naive(q: Rows, k: Rows, v: Rows, m: UnmergeMap, positions: number[], past: { k: Rows; v: Rows }) {
  const rotate = (x: Float64Array, p: number) => {
    const out = new Float64Array(x.length);
    for (let h = 0; h < x.length / dh; h++) {
      for (let j = 0; j < dh / 2; j++) {
        const a = ropeAngle(p, j, dh, theta);
        const [x1, x2] = [x[h * dh + j], x[h * dh + j + dh / 2]];
        out[h * dh + j] = x1 * Math.cos(a) - x2 * Math.sin(a);
        out[h * dh + j + dh / 2] = x2 * Math.cos(a) + x1 * Math.sin(a);
      }
    }
    return out;
  };
  const keys = [...past.k, ...[...m.map].map((u, n) => rotate(k[u], positions[n]))];
  const values = [...past.v, ...[...m.map].map((u) => v[u])];
  const out = Array.from({ length: m.unique }, () => new Float64Array(H * dh));
  const sizes = new Float64Array(m.unique);
  m.map.forEach((u) => sizes[u]++);
  [...m.map].forEach((u, n) => {
    const qn = rotate(q[u], positions[n]);
    const visible = past.k.length + n + 1;
    for (let h = 0; h < H; h++) {
      const kv = Math.floor(h / (H / Hkv));
      const logits = keys.slice(0, visible).map((key) => {
        let s = 0;
        for (let d = 0; d < dh; d++) s += qn[h * dh + d] * key[kv * dh + d];
        return s / Math.sqrt(dh);
      });
      const max = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - max));
      const z = e.reduce((a, b) => a + b, 0);
      for (let d = 0; d < dh; d++) out[u][h * dh + d] += e.reduce((a, w, j) => a + w * values[j][kv * dh + d], 0) / z / sizes[u];
    }
  });
  return { out, keys, values };
}

const rng = Rng.stream(0, 'vtu-graph');
const rows = (n: number, width: number): Rows => Array.from({ length: n }, () => Float64Array.from({ length: width }, () => rng.normal()));

/** Left-pads per-sequence rows into [B, T, width] float32. */
function padRows(seqs: Rows[], T: number, width: number): Float32Array {
  const out = new Float32Array(seqs.length * T * width);
  seqs.forEach((r, b) => r.forEach((row, i) => out.set(row, (b * T + T - r.length + i) * width)));
  return out;
}

describe('unmergedAttention (form a) against the naive definition', () => {
  it('matches expand → RoPE at virtual positions → causal attention → group mean, in a left-padded batch, then one cached step', async () => {
    const s = await session();
    const maps = [
      unmergeMap([{ kind: 'text', length: 2 }, { kind: 'image', tokens: 3, source: Int32Array.from([1, 0, 2, 2, 0, 2]) }, { kind: 'text', length: 1 }]),
      unmergeMap([{ kind: 'text', length: 1 }, { kind: 'image', tokens: 2, source: Int32Array.from([1, 0, 0]) }, { kind: 'text', length: 1 }]),
    ];
    const [U, N] = [Math.max(...maps.map((m) => m.unique)), Math.max(...maps.map((m) => m.virtual))];
    const qs = maps.map((m) => rows(m.unique, H * dh)), ks = maps.map((m) => rows(m.unique, Hkv * dh)), vs = maps.map((m) => rows(m.unique, Hkv * dh));
    const refs = maps.map((m, b) => naive(qs[b], ks[b], vs[b], m, [...m.map.keys()], { k: [], v: [] }));

    const index = (values: (m: UnmergeMap, b: number) => number[], pad: number) =>
      maps.flatMap((m, b) => [...Array(N - m.virtual).fill(pad), ...values(m, b)]);
    const feeds: Feeds = {
      q: { data: padRows(qs, U, H * dh), dims: [2, U, H * dh] },
      k: { data: padRows(ks, U, Hkv * dh), dims: [2, U, Hkv * dh] },
      v: { data: padRows(vs, U, Hkv * dh), dims: [2, U, Hkv * dh] },
      map: { data: BigInt64Array.from(index((m) => [...m.map].map((u) => U - m.unique + u), 0), BigInt), dims: [2, N] },
      positions: { data: BigInt64Array.from(index((m) => [...m.map.keys()], 0), BigInt), dims: [2, N] },
      weights: { data: Float32Array.from(index((m) => [...meanWeights(m)], 0)), dims: [2, N] },
      key_bias: { data: Float32Array.from(index((m) => Array(m.virtual).fill(0), MASKED)), dims: [2, N] },
      past_key: { data: new Float32Array(0), dims: [2, Hkv, 0, dh] },
      past_value: { data: new Float32Array(0), dims: [2, Hkv, 0, dh] },
    };
    const first = await s.run(feeds);
    const expected = padRows(refs.map((r) => r.out), U, H * dh); // padded rows stay 0
    expect(maxAbsDiff(first.out.data as Float32Array, expected)).toBeLessThan(1e-5);
    // The cache holds all N virtual keys, rotated, in [B, Hkv, N, dh].
    expect(first.present_key.dims).toEqual([2, Hkv, N, dh]);
    const cacheLayout = (r: Rows, m: UnmergeMap) => {
      const out = new Float64Array(Hkv * N * dh);
      r.forEach((row, n) => {
        for (let h = 0; h < Hkv; h++) out.set(row.subarray(h * dh, (h + 1) * dh), (h * N + N - m.virtual + n) * dh);
      });
      return out;
    };
    const keys = first.present_key.data as Float32Array;
    maps.forEach((m, b) => {
      const slot = keys.subarray(b * Hkv * N * dh, (b + 1) * Hkv * N * dh).map((x, i) => (Math.floor(i / dh) % N < N - m.virtual ? 0 : x));
      expect(maxAbsDiff(slot, cacheLayout(refs[b].keys, m))).toBeLessThan(1e-5);
    });

    // One decode step: a new singleton row per sequence at position N_b, attending to the cache.
    const q1 = rows(2, H * dh), k1 = rows(2, Hkv * dh), v1 = rows(2, Hkv * dh);
    const step = await s.run({
      q: { data: padRows(q1.map((r) => [r]), 1, H * dh), dims: [2, 1, H * dh] },
      k: { data: padRows(k1.map((r) => [r]), 1, Hkv * dh), dims: [2, 1, Hkv * dh] },
      v: { data: padRows(v1.map((r) => [r]), 1, Hkv * dh), dims: [2, 1, Hkv * dh] },
      map: { data: BigInt64Array.from([0n, 0n]), dims: [2, 1] },
      positions: { data: BigInt64Array.from(maps.map((m) => BigInt(m.virtual))), dims: [2, 1] },
      weights: { data: Float32Array.from([1, 1]), dims: [2, 1] },
      key_bias: { data: Float32Array.from([...(feeds.key_bias.data as Float32Array).subarray(0, N), 0, ...(feeds.key_bias.data as Float32Array).subarray(N), 0]), dims: [2, N + 1] },
      past_key: { data: first.present_key.data, dims: first.present_key.dims },
      past_value: { data: first.present_value.data, dims: first.present_value.dims },
    });
    maps.forEach((m, b) => {
      const ref = naive([q1[b]], [k1[b]], [v1[b]], unmergeMap([{ kind: 'text', length: 1 }]), [m.virtual], { k: refs[b].keys, v: refs[b].values });
      expect(maxAbsDiff((step.out.data as Float32Array).subarray(b * H * dh, (b + 1) * H * dh), ref.out[0])).toBeLessThan(1e-5);
    });
  });
});
