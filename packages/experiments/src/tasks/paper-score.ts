/**
 * The number each benchmark contributes to the paper's Avg column, in percent (DYMU.md §9):
 * accuracy for most; POPE its accuracy averaged over the three splits; MME (perception +
 * cognition) / 2800 · 100; MM-Vet its total; LLaVA-Bench the relative score. A benchmark not
 * listed contributes its `accuracy` when it has one.
 */
const SCORES: Readonly<Record<string, (metrics: Readonly<Record<string, number>>) => number | undefined>> = {
  mme: (m) => (m.perception === undefined || m.cognition === undefined ? undefined : ((m.perception + m.cognition) / 2800) * 100),
  mmvet: (m) => m.total,
  llava_bench_wild: (m) => m.relative,
};

/** `{ score }` for a benchmark's metrics, or nothing when it has no headline number. */
export function paperScore(benchmark: string, metrics: Readonly<Record<string, number>>): { score?: number } {
  const score = (SCORES[benchmark] ?? ((m) => m.accuracy))(metrics);
  return score === undefined ? {} : { score };
}
