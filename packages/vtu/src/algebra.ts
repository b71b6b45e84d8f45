import { DymuError } from '@dymu/core';
import type { UnmergeMap } from './map.ts';

/** RoPE angle of rotation pair j (components j and j + d/2) at position p: p · θ^(−2j/d). */
export function ropeAngle(position: number, pair: number, headDim: number, theta: number): number {
  return position / theta ** ((2 * pair) / headDim);
}

/**
 * Form (b) of VTU's attention logits for one head (DYMU.md section 6), from the unrotated unique
 * rows q, k [N_un, d]: per pair j, Dot_j = Q₁K₁ᵀ + Q₂K₂ᵀ and Cross_j = Q₁K₂ᵀ − Q₂K₁ᵀ (N_un × N_un), and
 * logit[m, n] = Σ_j Dot_j[map m, map n]·cos(θ_j(m) − θ_j(n)) + Cross_j[map m, map n]·sin(θ_j(m) − θ_j(n)).
 * Returns the N × N logits before scaling and masking, in float64. It equals RoPE(q[map])·RoPE(k[map])ᵀ
 * at virtual positions; it is the paper's accounting, not a fast path (the expansion still has N² terms per pair).
 */
export function formBLogits(q: ArrayLike<number>, k: ArrayLike<number>, headDim: number, m: UnmergeMap, theta: number): Float64Array {
  const d = headDim;
  const half = d / 2;
  const U = m.unique;
  if (q.length !== U * d || k.length !== U * d) throw new DymuError(`expected q and k of ${U} × ${d}, got ${q.length} and ${k.length} values`, { field: 'formBLogits' });
  const dot = new Float64Array(half * U * U);
  const cross = new Float64Array(half * U * U);
  for (let j = 0; j < half; j++) {
    for (let a = 0; a < U; a++) {
      const [q1, q2] = [q[a * d + j], q[a * d + j + half]];
      for (let b = 0; b < U; b++) {
        const [k1, k2] = [k[b * d + j], k[b * d + j + half]];
        dot[(j * U + a) * U + b] = q1 * k1 + q2 * k2;
        cross[(j * U + a) * U + b] = q1 * k2 - q2 * k1;
      }
    }
  }
  const N = m.virtual;
  const logits = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let j = 0; j < half; j++) {
        const delta = ropeAngle(i, j, d, theta) - ropeAngle(n, j, d, theta);
        const at = (j * U + m.map[i]) * U + m.map[n];
        s += dot[at] * Math.cos(delta) + cross[at] * Math.sin(delta);
      }
      logits[i * N + n] = s;
    }
  }
  return logits;
}

/** Multiply-adds of full attention scores over N tokens (paper Table 1): H·N²·d. */
export function fullScoreMacs(tokens: number, heads = 32, headDim = 128): number {
  return heads * tokens * tokens * headDim;
}

/** Multiply-adds of VTU's scores in form (b) (paper Table 1): the Dot and Cross products, 2·H·N_un²·d. */
export function vtuScoreMacs(unique: number, heads = 32, headDim = 128): number {
  return 2 * heads * unique * unique * headDim;
}
