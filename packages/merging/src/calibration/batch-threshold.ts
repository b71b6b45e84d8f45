import type { Links } from '../links.ts';

/**
 * Batch-level ranking of DyMU's calibration (DYMU.md §3): the links of all images of a batch sorted
 * together by descending score (ties: image, then position), the top R merge wherever they fall,
 * and τ_batch = the score at 0-based index R (the last one if there are fewer links), clamped ≥ 0.
 * Returns τ_batch and how many of the top R fall in each image (the per-image cap is applied by the
 * plan). Class tokens are no links.
 */
export function batchThreshold(links: readonly Links[], R: number): { threshold: number; counts: Int32Array } {
  const scores: number[] = [];
  const images: number[] = [];
  links.forEach(({ best, order }, b) => {
    for (const a of order) {
      if (best[a] === -Infinity) continue;
      scores.push(best[a]);
      images.push(b);
    }
  });
  const ranked = Int32Array.from(scores.keys()).sort((x, y) => scores[y] - scores[x] || images[x] - images[y] || x - y);
  const counts = new Int32Array(links.length);
  for (const i of ranked.subarray(0, R)) counts[images[i]]++;
  const threshold = ranked.length === 0 ? 0 : Math.max(0, scores[ranked[Math.min(R, ranked.length - 1)]]);
  return { threshold, counts };
}
