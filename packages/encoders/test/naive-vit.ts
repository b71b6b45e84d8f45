// An independent float64 reference of a ViT with ToMe / DToMe merging, written out naively from
// DYMU.md §1–2 (no code shared with the encoder or @dymu/merging): one image, plain JS loops.
import { numPatches, type VitConfig, type WeightStore } from '@dymu/weights';

export type NaiveRule = { kind: 'tome'; r: number[] } | { kind: 'dtome'; thresholds: (number | null)[] };

export interface NaiveResult {
  /** [count, D], class token kept, no post-LN (the last block's output). */
  tokens: Float64Array;
  sizes: number[];
  /** For every original token (class token included), the output token holding it. */
  source: number[];
  blockCounts: number[];
  /** Smallest distance of any decisive score to its decision boundary (ranking cut, threshold, order of unmerged A-tokens). */
  margin: number;
}


export function naiveVit(store: WeightStore, c: VitConfig, pixels: Float32Array, rule: NaiveRule): NaiveResult {
  const D = c.hiddenSize;
  const cls = c.classToken;
  let x = naiveEmbed(store, c, pixels);
  let sizes = x.map(() => 1);
  let source = x.map((_, i) => i);
  const blockCounts: number[] = [];
  let margin = Infinity;
  for (let block = 0; block < c.numLayers; block++) {
    const attention = naiveAttention(store, c, block, x, sizes);
    let hid = attention.hid;

    // Merge (DYMU.md §2).
    const t = hid.length;
    const count = rule.kind === 'tome' ? rule.r[block] : null;
    const tau = rule.kind === 'dtome' ? rule.thresholds[block] : null;
    if ((count !== null && count > 0) || tau !== null) {
      const { best, dst } = naiveLinks(attention.metric, cls);
      const A = [...best.keys()];
      const B = [...Array(Math.floor(t / 2)).keys()];
      const order = [...A].sort((a, b) => best[b] - best[a] || a - b);
      const cap = Math.floor((t - (cls ? 1 : 0)) / 2);
      let r = tau !== null ? best.filter((s) => s > tau).length : count!;
      r = Math.min(r, cap);
      if (tau !== null) for (const s of best) margin = Math.min(margin, Math.abs(s - tau));
      else if (r > 0 && r < order.length) margin = Math.min(margin, best[order[r - 1]] - best[order[r]]);
      if (r > 0) {
        const merged = order.slice(0, r);
        const unmerged = cls ? order.slice(r).sort((a, b) => a - b) : order.slice(r);
        if (!cls) for (let i = 1; i < unmerged.length; i++) margin = Math.min(margin, best[unmerged[i - 1]] - best[unmerged[i]]);
        const newIndex = new Array<number>(t);
        unmerged.forEach((a, u) => (newIndex[2 * a] = u));
        B.forEach((b) => (newIndex[2 * b + 1] = unmerged.length + b));
        merged.forEach((a) => (newIndex[2 * a] = unmerged.length + dst[a]));
        const total = unmerged.length + B.length;
        const sums: Rows = Array.from({ length: total }, () => new Array<number>(D).fill(0));
        const newSizes = new Array<number>(total).fill(0);
        for (let i = 0; i < t; i++) {
          newSizes[newIndex[i]] += sizes[i];
          for (let d = 0; d < D; d++) sums[newIndex[i]][d] += sizes[i] * hid[i][d];
        }
        hid = sums.map((row, j) => row.map((val) => val / newSizes[j]));
        sizes = newSizes;
        source = source.map((i) => newIndex[i]);
      }
    }

    x = naiveMlp(store, c, block, hid);
    blockCounts.push(x.length);
  }
  return { tokens: Float64Array.from(x.flat()), sizes, source, blockCounts, margin };
}

export type Rows = number[][];

const weight = (store: WeightStore, name: string) => Array.from(store.get(`vision_model.${name}`), Number);

/** Embeddings: patch convolution (stride P), class token, positions, pre-LN. */
export function naiveEmbed(store: WeightStore, c: VitConfig, pixels: Float32Array): Rows {
  const w = (name: string) => weight(store, name);
  const D = c.hiddenSize;
  const P = c.patchSize;
  const S = c.imageSize;
  const grid = Math.sqrt(numPatches(c));
  const cls = c.classToken;
  const conv = w('embeddings.patch_embedding.weight');
  const convBias = cls ? null : w('embeddings.patch_embedding.bias');
  let x: Rows = [];
  if (cls) x.push(w('embeddings.class_embedding'));
  for (let py = 0; py < grid; py++) {
    for (let px = 0; px < grid; px++) {
      const row = new Array<number>(D).fill(0);
      for (let d = 0; d < D; d++) {
        let s = convBias ? convBias[d] : 0;
        for (let ch = 0; ch < c.numChannels; ch++)
          for (let ky = 0; ky < P; ky++)
            for (let kx = 0; kx < P; kx++) s += conv[((d * c.numChannels + ch) * P + ky) * P + kx] * pixels[(ch * S + py * P + ky) * S + px * P + kx];
        row[d] = s;
      }
      x.push(row);
    }
  }
  const pos = w('embeddings.position_embedding.weight');
  x = x.map((row, i) => row.map((v, d) => v + pos[i * D + d]));
  if (cls) x = layerNorm(x, w('pre_layrnorm.weight'), w('pre_layrnorm.bias'), c.layerNormEps);
  return x;
}

/** The attention half of a block with proportional bias log(size[key]): the residual stream and the metric (keys averaged over heads). */
export function naiveAttention(store: WeightStore, c: VitConfig, block: number, x: Rows, sizes: readonly number[]): { hid: Rows; metric: Rows } {
  const w = (name: string) => weight(store, name);
  const D = c.hiddenSize;
  const H = c.numHeads;
  const dh = D / H;
  const p = `encoder.layers.${block}.`;
  const lin = (rows: Rows, name: string) => linear(rows, w(`${p}${name}.weight`), w(`${p}${name}.bias`));
  const n = layerNorm(x, w(`${p}layer_norm1.weight`), w(`${p}layer_norm1.bias`), c.layerNormEps);
  const q = lin(n, 'self_attn.q_proj');
  const k = lin(n, 'self_attn.k_proj');
  const v = lin(n, 'self_attn.v_proj');
  const attended: Rows = x.map(() => new Array<number>(D).fill(0));
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < x.length; i++) {
      const logits = x.map((_, j) => {
        let s = 0;
        for (let e = 0; e < dh; e++) s += q[i][h * dh + e] * k[j][h * dh + e];
        return s / Math.sqrt(dh) + Math.log(sizes[j]);
      });
      const max = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      for (let j = 0; j < x.length; j++) for (let e = 0; e < dh; e++) attended[i][h * dh + e] += (exps[j] / sum) * v[j][h * dh + e];
    }
  }
  const hid = lin(attended, 'self_attn.out_proj').map((row, i) => row.map((val, d) => val + x[i][d]));
  const metric = k.map((row) =>
    Array.from({ length: dh }, (_, e) => {
      let s = 0;
      for (let h = 0; h < H; h++) s += row[h * dh + e];
      return s / H;
    }),
  );
  return { hid, metric };
}

/** Bipartite matching of one sequence: for A-token a (position 2a), the most similar B-token (cosine, first on ties) and the score (−∞ for a class token). */
export function naiveLinks(metric: Rows, cls: boolean): { best: number[]; dst: number[] } {
  const t = metric.length;
  const unit = metric.map((m) => {
    const norm = Math.sqrt(m.reduce((s, e) => s + e * e, 0));
    return m.map((e) => e / norm);
  });
  const best: number[] = [];
  const dst: number[] = [];
  for (let a = 0; a < Math.ceil(t / 2); a++) {
    let bestScore = -Infinity;
    let bestB = 0;
    for (let b = 0; b < Math.floor(t / 2); b++) {
      const score = unit[2 * a].reduce((s, e, i) => s + e * unit[2 * b + 1][i], 0);
      if (score > bestScore) [bestScore, bestB] = [score, b];
    }
    best.push(cls && a === 0 ? -Infinity : bestScore);
    dst.push(bestB);
  }
  return { best, dst };
}

/** The MLP half of a block with its residual. */
export function naiveMlp(store: WeightStore, c: VitConfig, block: number, hid: Rows): Rows {
  const w = (name: string) => weight(store, name);
  const p = `encoder.layers.${block}.`;
  const lin = (rows: Rows, name: string) => linear(rows, w(`${p}${name}.weight`), w(`${p}${name}.bias`));
  const n2 = layerNorm(hid, w(`${p}layer_norm2.weight`), w(`${p}layer_norm2.bias`), c.layerNormEps);
  const inner = lin(n2, 'mlp.fc1').map((row) => row.map((u) => act(u, c.hiddenAct)));
  return lin(inner, 'mlp.fc2').map((row, i) => row.map((val, d) => val + hid[i][d]));
}

function linear(rows: Rows, weight: number[], bias: number[]): Rows {
  const out = bias.length;
  const inn = weight.length / out;
  return rows.map((row) =>
    Array.from({ length: out }, (_, o) => {
      let s = bias[o];
      for (let i = 0; i < inn; i++) s += row[i] * weight[o * inn + i];
      return s;
    }),
  );
}

function layerNorm(rows: Rows, weight: number[], bias: number[], eps: number): Rows {
  return rows.map((row) => {
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * weight[i] + bias[i]);
  });
}

function act(u: number, kind: string): number {
  if (kind === 'quick_gelu') return u / (1 + Math.exp(-1.702 * u));
  if (kind === 'gelu_pytorch_tanh' || kind === 'gelu_new') return 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u ** 3)));
  throw new Error(`activation ${kind} not in the reference`);
}
