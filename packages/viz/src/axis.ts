/** A numeric axis: its domain, round tick values inside it, and their labels. */
export interface Axis {
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
  /** The tick labels, each with the decimals the tick step needs. */
  readonly labels: readonly string[];
}

/** [min, max] of the values widened by 6 % of their span on each side (a single value: by 10 % of it, or 1). */
export function paddedRange(values: readonly number[]): [number, number] {
  const lo = Math.min(...values), hi = Math.max(...values);
  const pad = hi > lo ? (hi - lo) * 0.06 : Math.abs(lo) * 0.1 || 1;
  return [lo - pad, hi + pad];
}

/** The step of 1, 2 or 5 × 10^k that cuts [lo, hi] into the number of intervals nearest `target` (on a log scale). */
export function tickStep(lo: number, hi: number, target = 5): number {
  const raw = (hi - lo) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const error = raw / magnitude;
  return (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1) * magnitude;
}

/** An axis over the padded range of `values`, ticks at the multiples of the step inside it. */
export function axisFor(values: readonly number[], target = 5): Axis {
  const [lo, hi] = paddedRange(values);
  const step = tickStep(lo, hi, target);
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi; k++) ticks.push(Number((k * step).toPrecision(12)));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return { domain: [lo, hi], ticks, labels: ticks.map((t) => t.toFixed(decimals)) };
}

/** The linear map from an axis's domain onto [from, to] (pixels; `to` < `from` for a y axis). */
export const scale = (axis: Axis, from: number, to: number) => (v: number): number => from + ((v - axis.domain[0]) / (axis.domain[1] - axis.domain[0])) * (to - from);
