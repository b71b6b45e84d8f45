import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '@dymu/core';
import { applyRotary, causalAttention, causalBias, GraphBuilder, groupedQueryAttention, MASKED, rotaryCosSin, SessionPool } from '../src/index.ts';
import { randn } from './reference.ts';

const pool = new SessionPool({ intraOpThreads: 1 });
afterAll(() => pool.release());

/** Naive RoPE, rotate-half convention, on rows of x [rows, heads, dh] at positions[row]. */
function ropeRef(x: Float32Array, positions: number[], heads: number, dh: number, theta: number): Float64Array {
  const out = new Float64Array(x.length);
  const half = dh / 2;
  positions.forEach((p, r) => {
    for (let h = 0; h < heads; h++) {
      const base = (r * heads + h) * dh;
      for (let j = 0; j < half; j++) {
        const a = p / theta ** ((2 * j) / dh);
        const [x1, x2] = [x[base + j], x[base + j + half]];
        out[base + j] = x1 * Math.cos(a) - x2 * Math.sin(a);
        out[base + j + half] = x2 * Math.cos(a) + x1 * Math.sin(a);
      }
    }
  });
  return out;
}

describe('decoder op helpers against naive JS', () => {
  it('rotaryCosSin + applyRotary: HF rotate-half RoPE at arbitrary positions, with θ', async () => {
    const [B, T, H, dh, theta] = [2, 5, 3, 8, 1e6];
    const positions = [0, 1, 2, 3, 4, 7, 0, 600, 9, 33];
    const session = await pool.get('rope', () => {
      const g = new GraphBuilder('rope');
      const x = g.input('x', 'float32', ['b', 't', H, dh]);
      const p = g.input('positions', 'int64', ['b', 't']);
      const { cos, sin } = rotaryCosSin(g, p, dh, theta, 'rope');
      const axis = g.constInt64([2]);
      g.output(applyRotary(g, x, g.op1('Unsqueeze', [cos, axis]), g.op1('Unsqueeze', [sin, axis]), 'rotate'), 'y', 'float32', ['b', 't', H, dh]);
      return g.toBytes();
    });
    const x = randn('rope-x', B * T * H * dh);
    const { y } = await session.run({ x: { data: x, dims: [B, T, H, dh] }, positions: { data: BigInt64Array.from(positions, BigInt), dims: [B, T] } });
    expect(maxAbsDiff(y.data as Float32Array, ropeRef(x, positions, H, dh, theta))).toBeLessThan(1e-4);
  });

  it('causalBias aligns T queries to the end of S keys', async () => {
    const session = await pool.get('causal', () => {
      const g = new GraphBuilder('causal');
      const q = g.input('q', 'float32', ['t']);
      const k = g.input('k', 'float32', ['s']);
      const dim = (v: typeof q) => g.op1('Gather', [g.op1('Shape', [v]), g.constInt64([0], [])]);
      g.output(causalBias(g, dim(q), dim(k), 'causal'), 'bias', 'float32', ['t', 's']);
      return g.toBytes();
    });
    const run = async (T: number, S: number) => (await session.run({ q: { data: new Float32Array(T), dims: [T] }, k: { data: new Float32Array(S), dims: [S] } })).bias;
    const { data, dims } = await run(2, 4);
    expect(dims).toEqual([2, 4]);
    expect([...data]).toEqual([0, 0, 0, MASKED, 0, 0, 0, 0].map(Math.fround));
    expect([...(await run(3, 3)).data]).toEqual([0, MASKED, MASKED, 0, 0, MASKED, 0, 0, 0].map(Math.fround));
  });

  it('groupedQueryAttention: query head h reads KV head h / (H / Hkv), with a broadcast bias', async () => {
    const [B, T, S, H, Hkv, dh] = [2, 3, 5, 4, 2, 4];
    const session = await pool.get('gqa', () => {
      const g = new GraphBuilder('gqa');
      const q = g.input('q', 'float32', ['b', 't', H, dh]);
      const k = g.input('k', 'float32', ['b', Hkv, 's', dh]);
      const v = g.input('v', 'float32', ['b', Hkv, 's', dh]);
      const bias = g.input('bias', 'float32', ['b', 1, 1, 't', 's']);
      g.output(groupedQueryAttention(g, q, k, v, bias, H, Hkv, dh, 'attn'), 'y', 'float32', ['b', 't', H * dh]);
      return g.toBytes();
    });
    const q = randn('gqa-q', B * T * H * dh), k = randn('gqa-k', B * Hkv * S * dh), v = randn('gqa-v', B * Hkv * S * dh);
    const bias = Float32Array.from({ length: B * T * S }, (_, i) => (i % 7 === 3 ? MASKED : (i % 5) * 0.1));
    const { y } = await session.run({
      q: { data: q, dims: [B, T, H, dh] }, k: { data: k, dims: [B, Hkv, S, dh] }, v: { data: v, dims: [B, Hkv, S, dh] },
      bias: { data: bias, dims: [B, 1, 1, T, S] },
    });
    const ref = new Float64Array(B * T * H * dh);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        const kv = Math.floor(h / (H / Hkv));
        for (let t = 0; t < T; t++) {
          const logits = Array.from({ length: S }, (_, s) => {
            let dot = 0;
            for (let d = 0; d < dh; d++) dot += q[((b * T + t) * H + h) * dh + d] * k[((b * Hkv + kv) * S + s) * dh + d];
            return dot / Math.sqrt(dh) + bias[(b * T + t) * S + s];
          });
          const max = Math.max(...logits);
          const e = logits.map((l) => Math.exp(l - max));
          const z = e.reduce((a, x) => a + x, 0);
          for (let d = 0; d < dh; d++) {
            ref[((b * T + t) * H + h) * dh + d] = e.reduce((a, w, s) => a + (w / z) * v[((b * Hkv + kv) * S + s) * dh + d], 0);
          }
        }
      }
    }
    expect(y.dims).toEqual([B, T, H * dh]);
    expect(maxAbsDiff(y.data as Float32Array, ref)).toBeLessThan(1e-5);
  });
  it('causalAttention in query chunks equals dense causal attention with a key bias, after a cache and for fewer queries than chunks', async () => {
    const [B, H, Hkv, dh] = [2, 4, 2, 4];
    const session = await pool.get('causal-attention', () => {
      const g = new GraphBuilder('causal_attention');
      const q = g.input('q', 'float32', ['b', 't', H, dh]);
      const k = g.input('k', 'float32', ['b', Hkv, 's', dh]);
      const v = g.input('v', 'float32', ['b', Hkv, 's', dh]);
      const bias = g.input('key_bias', 'float32', ['b', 's']);
      g.output(causalAttention(g, q, k, v, bias, { numHeads: H, numKvHeads: Hkv, headDim: dh, chunks: 3 }, 'attn'), 'y', 'float32', ['b', 't', H * dh]);
      return g.toBytes();
    });
    for (const [T, P] of [[7, 0], [5, 3], [1, 6], [2, 2]]) {
      const S = P + T;
      const q = randn(`ca-q${T}`, B * T * H * dh), k = randn(`ca-k${T}`, B * Hkv * S * dh), v = randn(`ca-v${T}`, B * Hkv * S * dh);
      const keyBias = Float32Array.from({ length: B * S }, (_, i) => (i === S + 1 ? MASKED : 0)); // batch 1's second key is masked
      const { y } = await session.run({
        q: { data: q, dims: [B, T, H, dh] }, k: { data: k, dims: [B, Hkv, S, dh] }, v: { data: v, dims: [B, Hkv, S, dh] }, key_bias: { data: keyBias, dims: [B, S] },
      });
      const ref = new Float64Array(B * T * H * dh);
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < H; h++) {
          const kv = Math.floor(h / (H / Hkv));
          for (let t = 0; t < T; t++) {
            const keys = Array.from({ length: P + t + 1 }, (_, s) => s).filter((s) => keyBias[b * S + s] === 0);
            const logits = keys.map((s) => {
              let dot = 0;
              for (let d = 0; d < dh; d++) dot += q[((b * T + t) * H + h) * dh + d] * k[((b * Hkv + kv) * S + s) * dh + d];
              return dot / Math.sqrt(dh);
            });
            const max = Math.max(...logits);
            const e = logits.map((l) => Math.exp(l - max));
            const z = e.reduce((a, x) => a + x, 0);
            for (let d = 0; d < dh; d++) ref[((b * T + t) * H + h) * dh + d] = keys.reduce((a, s, j) => a + (e[j] / z) * v[((b * Hkv + kv) * S + s) * dh + d], 0);
          }
        }
      }
      expect(y.dims).toEqual([B, T, H * dh]);
      expect(maxAbsDiff(y.data as Float32Array, ref), `T ${T}, P ${P}`).toBeLessThan(1e-5);
    }
  });
});
