import type { Links } from '../links.ts';

/**
 * Batch-level ranking of DyMU's calibration (DYMU.md §3): the links of all images of a batch sorted
 * together by descending score (ties: image, then position), the top R merge wherever they fall,
 * and τ_batch = the score at 0-based index R, clamped ≥ 0. Returns τ_batch and how many of the top
 * R fall in each image (a plan may cap them). Class tokens are no links.
 *
 * Compact layout (`paddedRows` absent): the list holds the real links only, and an R past its end
 * takes the last (smallest) one. Official layout (DYMU.md §3b, `paddedRows` = the batch's A rows
 * B·ceil(T/2) over the padded length T): the list also holds the −∞ rows (class tokens, padding),
 * sorted last, so an R at or past the real links lands on a −∞ row (or on the last entry, one
 * too) and τ_batch clamps to 0. −∞ rows never merge.
 */
export function batchThreshold(links: readonly Links[], R: number, paddedRows?: number): { threshold: number; counts: Int32Array } {
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
  const index = Math.min(R, (paddedRows ?? ranked.length) - 1);
  const threshold = index < 0 || index >= ranked.length ? 0 : Math.max(0, scores[ranked[index]]);
  return { threshold, counts };
}
