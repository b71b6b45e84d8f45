import { benchmarkShare } from '../paper/columns.ts';

/**
 * `{ score }`: the number a benchmark contributes to the paper's Avg column, in percent (DYMU.md §9,
 * paper/columns.ts): accuracy for most; POPE its accuracy averaged over the three splits; MME
 * (perception + cognition) / 2800 · 100; MM-Vet its total; LLaVA-Bench the relative score. A
 * benchmark not in the Avg contributes its `accuracy`; nothing when it has no headline number.
 */
export function paperScore(benchmark: string, metrics: Readonly<Record<string, number>>): { score?: number } {
  const score = benchmarkShare(benchmark, metrics);
  return score === undefined ? {} : { score };
}
