import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, Rng } from '@dymu/core';
import {
  activation,
  GraphBuilder,
  layerNorm,
  linear,
  meanOverHeads,
  mergeHeads,
  multiHeadAttention,
  rmsNorm,
  SessionPool,
  splitHeads,
  type ActivationKind,
  type Feeds,
  type Outputs,
  type Session,
  type Value,
} from '../src/index.ts';
import { activationRef, attentionRef, linearRef, normRef, randn } from './reference.ts';

const TOL = 1e-5;
const pool = new SessionPool();
afterAll(() => pool.release());

type Define = (g: GraphBuilder) => Record<string, Value>;

/** The model with the outputs `define` returns, from (once per key) the pool. */
function session(key: string, define: Define): Promise<Session> {
  return pool.get(key, () => {
    const g = new GraphBuilder(key);
    for (const [name, value] of Object.entries(define(g))) g.output(value, name, 'float32', ['batch', 'tokens', 'features']);
    return g.toBytes();
  });
}

async function run(key: string, define: Define, feeds: Feeds): Promise<Outputs> {
  return (await session(key, define)).run(feeds);
}

const tokens = (g: GraphBuilder, name: string, features: number) => g.input(name, 'float32', ['batch', 'tokens', features]);

describe('op helpers against naive JS', () => {
  it('linear, with and without bias, on [batch, tokens, in]', async () => {
    const [B, T, IN, OUT] = [2, 3, 6, 5];
    const weight = randn('w', OUT * IN, 0.5), bias = randn('b', OUT);
    const x = randn('x', B * T * IN);
    const out = await run('linear', (g) => {
      const xv = tokens(g, 'x', IN);
      return {
        y: linear(g, xv, { weight, bias, outFeatures: OUT, inFeatures: IN }, 'fc'),
        noBias: linear(g, xv, { weight, outFeatures: OUT, inFeatures: IN }, 'proj'),
      };
    }, { x: { data: x, dims: [B, T, IN] } });
    expect(out.y.dims).toEqual([B, T, OUT]);
    expect(maxAbsDiff(out.y.data as Float32Array, linearRef(x, weight, bias, OUT, IN))).toBeLessThan(TOL);
    expect(maxAbsDiff(out.noBias.data as Float32Array, linearRef(x, weight, undefined, OUT, IN))).toBeLessThan(TOL);
  });

  it('layerNorm and rmsNorm over the last axis', async () => {
    const [B, T, D] = [2, 3, 8];
    const x = randn('x', B * T * D, 2).map((v) => v + 3); // a non-zero mean, so LayerNorm must subtract it
    const weight = randn('w', D), bias = randn('b', D);
    const out = await run('norms', (g) => {
      const xv = tokens(g, 'x', D);
      return { ln: layerNorm(g, xv, { weight, bias }, 1e-5, 'ln'), rms: rmsNorm(g, xv, weight, 1e-6, 'rms') };
    }, { x: { data: x, dims: [B, T, D] } });
    expect(maxAbsDiff(out.ln.data as Float32Array, normRef(x, D, 1e-5, weight, bias))).toBeLessThan(TOL);
    expect(maxAbsDiff(out.rms.data as Float32Array, normRef(x, D, 1e-6, weight, undefined, true))).toBeLessThan(TOL);
  });

  it('every activation', async () => {
    const kinds = Object.keys(activationRef) as ActivationKind[];
    const x = Float32Array.from([...randn('x', 40, 2), -8, -6, -3, -1, 0, 1, 3, 6, 8]);
    const out = await run('activations', (g) => {
      const xv = tokens(g, 'x', x.length);
      return Object.fromEntries(kinds.map((k) => [k, activation(g, xv, k)]));
    }, { x: { data: x, dims: [1, 1, x.length] } });
    for (const k of kinds) {
      expect(maxAbsDiff(out[k].data as Float32Array, x.map(activationRef[k])), k).toBeLessThan(TOL);
    }
  });

  it('multiHeadAttention with -Infinity and log(size) bias, over two token counts and bias shapes in one session', async () => {
    const [H, dh] = [2, 4];
    const D = H * dh;
    const mha = await session('mha', (g) => {
      const [q, k, v] = ['q', 'k', 'v'].map((n) => tokens(g, n, D));
      const bias = g.input('bias', 'float32', ['batch', 1, 'queries', 'tokens']);
      return { y: multiHeadAttention(g, q, k, v, bias, H, dh, 'attn') };
    });
    // batch 0 has 2 padded keys at the end, batch 1 none; the others carry log(merged size).
    for (const [T, bq] of [[5, 1], [3, 3], [5, 5]]) {
      const B = 2;
      const rng = Rng.stream(3, `bias${T}`);
      const bias = Float32Array.from({ length: B * bq * T }, (_, i) => {
        const b = Math.floor(i / (bq * T)), j = i % T;
        return b === 0 && j >= T - 2 ? -Infinity : Math.log(1 + rng.int(4));
      });
      const [q, k, v] = ['q', 'k', 'v'].map((n) => randn(`${n}${T}`, B * T * D));
      const dims = [B, T, D];
      const out = await mha.run({
        q: { data: q, dims }, k: { data: k, dims }, v: { data: v, dims },
        bias: { data: bias, dims: [B, 1, bq, T] },
      });
      expect(out.y.dims).toEqual(dims);
      expect(maxAbsDiff(out.y.data as Float32Array, attentionRef(q, k, v, bias, B, T, H, dh, bq))).toBeLessThan(TOL);
    }
  });

  it('splitHeads / mergeHeads round trip, and meanOverHeads', async () => {
    const [B, T, H, dh] = [2, 3, 3, 2];
    const x = randn('x', B * T * H * dh);
    const out = await run('heads', (g) => {
      const xv = tokens(g, 'x', H * dh);
      return { back: mergeHeads(g, splitHeads(g, xv, H, dh, 'split'), H, dh, 'merge'), mean: meanOverHeads(g, xv, H, dh, 'mean') };
    }, { x: { data: x, dims: [B, T, H * dh] } });
    expect(out.back.data).toEqual(x);
    const mean = Float64Array.from({ length: B * T * dh }, (_, i) => {
      const row = Math.floor(i / dh), d = i % dh;
      let s = 0;
      for (let h = 0; h < H; h++) s += x[row * H * dh + h * dh + d];
      return s / H;
    });
    expect(out.mean.dims).toEqual([B, T, dh]);
    expect(maxAbsDiff(out.mean.data as Float32Array, mean)).toBeLessThan(TOL);
  });
});
