/** Per-block summary of the batch thresholds of a calibration (DYMU.md §3). */
export interface BlockThreshold {
  readonly block: number;
  readonly r: number;
  /** τ_i used by DToMe: the mean in float64, or the bf16-emulated running mean. Null when r_i = 0. */
  readonly threshold: number | null;
  /** Plain float64 mean, population std, min and max of τ_batch over the batches. */
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly batches: number;
}

export type RunningMean = 'float64' | 'bf16';

/** `taus[batch][block]`: τ_batch of every finished batch (null where r_i = 0). */
export function blockThresholds(taus: readonly (readonly (number | null)[])[], r: readonly number[], runningMean: RunningMean = 'float64'): BlockThreshold[] {
  return r.map((ri, block) => {
    const values = taus.map((t) => t[block]).filter((v): v is number => v !== null);
    if (ri === 0 || values.length === 0) return { block, r: ri, threshold: null, mean: null, std: null, min: null, max: null, batches: 0 };
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    const threshold = runningMean === 'bf16' ? bf16RunningMean(values) : mean;
    return { block, r: ri, threshold, mean, std, min: Math.min(...values), max: Math.max(...values), batches: values.length };
  });
}

/**
 * The official code's running average in a bfloat16 model: m₁ = τ₁, then m ← (m·n + τ)/(n + 1)
 * with n counting from 1, every operation computed in float32 and rounded to bf16.
 */
export function bf16RunningMean(values: readonly number[]): number {
  let mean = toBf16(values[0]);
  for (let n = 1; n < values.length; n++) mean = toBf16(toBf16(toBf16(mean * n) + toBf16(values[n])) / (n + 1));
  return mean;
}

const f32 = new Float32Array(1);
const bits = new Uint32Array(f32.buffer);

/** x rounded to float32, then to bfloat16 (round to nearest even), as a number. */
export function toBf16(x: number): number {
  f32[0] = x;
  if (Number.isNaN(f32[0])) return NaN;
  const b = bits[0];
  bits[0] = (b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000;
  return f32[0];
}
