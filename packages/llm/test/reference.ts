// A naive float64 LLaMA / Qwen2 decoder for the tests, written from the definitions (RMSNorm,
// rotate-half RoPE, grouped KV heads, SwiGLU) and, for VTU, DYMU.md section 6 taken literally:
// expand the unique rows to the virtual sequence, attend over virtual positions, average each group.
import type { UnmergeMap } from '@dymu/vtu';
import type { Linear, LlmConfig, LlmWeights } from '@dymu/weights';

type Rows = Float64Array[];

function rmsNorm(x: Rows, w: Float32Array, eps: number): Rows {
  return x.map((row) => {
    const rms = Math.sqrt(row.reduce((a, v) => a + v * v, 0) / row.length + eps);
    return row.map((v, i) => (v / rms) * w[i]);
  });
}

function linear(x: Rows, l: Linear): Rows {
  return x.map((row) =>
    Float64Array.from({ length: l.outFeatures }, (_, o) => {
      let s = l.bias ? l.bias[o] : 0;
      for (let i = 0; i < l.inFeatures; i++) s += row[i] * l.weight[o * l.inFeatures + i];
      return s;
    }),
  );
}

function rope(row: Float64Array, position: number, heads: number, dh: number, theta: number): Float64Array {
  const out = new Float64Array(row.length);
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < dh / 2; j++) {
      const a = position / theta ** ((2 * j) / dh);
      const [x1, x2] = [row[h * dh + j], row[h * dh + j + dh / 2]];
      out[h * dh + j] = x1 * Math.cos(a) - x2 * Math.sin(a);
      out[h * dh + j + dh / 2] = x2 * Math.cos(a) + x1 * Math.sin(a);
    }
  }
  return out;
}

/** Attention of the unique rows' projections over the virtual sequence, then the group mean (the identity map: plain causal attention). */
export function vtuAttention(q: Rows, k: Rows, v: Rows, m: UnmergeMap, c: LlmConfig): Rows {
  const { numHeads: H, numKvHeads: Hkv, headDim: dh, ropeTheta: theta } = c;
  const n = [...m.map.keys()];
  const qs = n.map((i) => rope(q[m.map[i]], i, H, dh, theta));
  const ks = n.map((i) => rope(k[m.map[i]], i, Hkv, dh, theta));
  const vs = n.map((i) => v[m.map[i]]);
  const out = Array.from({ length: m.unique }, () => new Float64Array(H * dh));
  const sizes = new Float64Array(m.unique);
  m.map.forEach((u) => sizes[u]++);
  for (const i of n) {
    for (let h = 0; h < H; h++) {
      const kv = Math.floor(h / (H / Hkv));
      const logits = ks.slice(0, i + 1).map((key) => {
        let s = 0;
        for (let d = 0; d < dh; d++) s += qs[i][h * dh + d] * key[kv * dh + d];
        return s / Math.sqrt(dh);
      });
      const max = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - max));
      const z = e.reduce((a, b) => a + b, 0);
      for (let d = 0; d < dh; d++) out[m.map[i]][h * dh + d] += e.reduce((a, w, j) => a + w * vs[j][kv * dh + d], 0) / z / sizes[m.map[i]];
    }
  }
  return out;
}

const add = (a: Rows, b: Rows): Rows => a.map((row, i) => row.map((v, j) => v + b[i][j]));

/** Logits [U, V] of the unique rows `x` (embeddings) through the whole decoder. */
export function referenceLogits(weights: LlmWeights, x0: Float32Array, m: UnmergeMap): Float64Array {
  const c = weights.config;
  const D = c.hiddenSize;
  let x: Rows = Array.from({ length: m.unique }, (_, u) => Float64Array.from(x0.subarray(u * D, (u + 1) * D)));
  for (let l = 0; l < c.numLayers; l++) {
    const w = weights.layer(l);
    const normed = rmsNorm(x, w.inputNorm, c.rmsNormEps);
    const attended = vtuAttention(linear(normed, w.q), linear(normed, w.k), linear(normed, w.v), m, c);
    const h = add(x, linear(attended, w.o));
    const post = rmsNorm(h, w.postNorm, c.rmsNormEps);
    const up = linear(post, w.up);
    const gated = linear(post, w.gate).map((row, i) => row.map((g, j) => (g / (1 + Math.exp(-g))) * up[i][j]));
    x = add(h, linear(gated, w.down));
  }
  const head: Linear = { weight: weights.lmHead(), outFeatures: c.vocabSize, inFeatures: D };
  const logits = linear(rmsNorm(x, weights.norm(), c.rmsNormEps), head);
  const out = new Float64Array(m.unique * c.vocabSize);
  logits.forEach((row, u) => out.set(row, u * c.vocabSize));
  return out;
}
