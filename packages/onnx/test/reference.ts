// Naive double-precision reference implementations for the op helper tests. Tensors are row-major
// Float32Arrays; "rows" means all leading axes flattened.
import { Rng } from '@dymu/core';

export function randn(seed: string, n: number, scale = 1): Float32Array {
  const rng = Rng.stream(7, seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** x [rows, in] · Wᵀ + b, with W [out, in]. */
export function linearRef(x: Float32Array, w: Float32Array, b: Float32Array | undefined, out: number, inn: number): Float64Array {
  const rows = x.length / inn;
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < out; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inn; i++) s += x[r * inn + i] * w[o * inn + i];
      y[r * out + o] = s;
    }
  }
  return y;
}

/** Per row of length n: (x - mean) / sqrt(var + eps) · w + b, or with `rms` x / sqrt(mean(x²) + eps) · w. */
export function normRef(x: Float32Array, n: number, eps: number, w: Float32Array, b?: Float32Array, rms = false): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / n; r++) {
    const row = x.subarray(r * n, (r + 1) * n);
    const mean = rms ? 0 : row.reduce((a, v) => a + v, 0) / n;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
    for (let i = 0; i < n; i++) y[r * n + i] = ((row[i] - mean) / Math.sqrt(variance + eps)) * w[i] + (b ? b[i] : 0);
  }
  return y;
}

/** erf by its Taylor series; error < 1e-10 for |x| < 4, and 1 - erf(4) < 2e-8 beyond. */
export function erf(x: number): number {
  if (Math.abs(x) >= 4) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

export const activationRef = {
  quick_gelu: (x: number) => x * sigmoid(1.702 * x),
  gelu: (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_pytorch_tanh: geluTanh,
  gelu_new: geluTanh,
  silu: (x: number) => x * sigmoid(x),
};

/**
 * Attention per batch b and head h: softmax(q kᵀ / √dh + bias) v. q, k, v: [B, T, H·dh];
 * bias: [B, 1, bq, T] with bq = 1 (same for every query) or T.
 */
export function attentionRef(
  q: Float32Array, k: Float32Array, v: Float32Array, bias: Float32Array,
  B: number, T: number, H: number, dh: number, bq: number,
): Float64Array {
  const D = H * dh;
  const out = new Float64Array(B * T * D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const logits = Array.from({ length: T }, (_, j) => {
          let s = 0;
          for (let d = 0; d < dh; d++) s += q[(b * T + i) * D + h * dh + d] * k[(b * T + j) * D + h * dh + d];
          return s / Math.sqrt(dh) + bias[(b * bq + (bq === 1 ? 0 : i)) * T + j];
        });
        const max = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - max));
        const z = e.reduce((a, x) => a + x, 0);
        for (let d = 0; d < dh; d++) {
          let s = 0;
          for (let j = 0; j < T; j++) s += (e[j] / z) * v[(b * T + j) * D + h * dh + d];
          out[(b * T + i) * D + h * dh + d] = s;
        }
      }
    }
  }
  return out;
}
