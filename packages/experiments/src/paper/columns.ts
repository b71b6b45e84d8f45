/**
 * The paper's result columns (the benchmark keys of `paper/dymu-reported.csv`) and how our runs
 * fill them (DYMU.md §9): which benchmark's summary metric, and each averaged column's share of
 * the Avg column.
 */
export interface PaperColumn {
  /** Header of the column. */
  readonly label: string;
  /** The benchmark (adapter name) whose runs fill it; absent: any input of the row (e.g. Table 1's formulas). */
  readonly benchmark?: string;
  /** The summary metric. */
  readonly metric: string;
  /** Its contribution to Avg, in percent (the nine benchmarks of Tables 2, 3, 5–7 have one). */
  readonly avg?: (value: number) => number;
}

const percent = (value: number): number => value;

export const PAPER_COLUMNS: Readonly<Record<string, PaperColumn>> = {
  gqa: { label: 'GQA', benchmark: 'gqa', metric: 'accuracy', avg: percent },
  mmbench: { label: 'MMB', benchmark: 'mmbench', metric: 'accuracy', avg: percent },
  mme_perception: { label: 'MME-P', benchmark: 'mme', metric: 'perception' },
  // MME enters the Avg as (perception + cognition) / 2800 · 100
  mme_all: { label: 'MME', benchmark: 'mme', metric: 'total', avg: (total) => (total / 2800) * 100 },
  // POPE: the mean accuracy over its three splits (the adapter's `accuracy`)
  pope: { label: 'POPE', benchmark: 'pope', metric: 'accuracy', avg: percent },
  scienceqa_img: { label: 'SQA-IMG', benchmark: 'scienceqa_img', metric: 'accuracy', avg: percent },
  seed_img: { label: 'SEED-IMG', benchmark: 'seed_img', metric: 'accuracy', avg: percent },
  textvqa: { label: 'TextVQA', benchmark: 'textvqa', metric: 'accuracy', avg: percent },
  mmvet: { label: 'MM-Vet', benchmark: 'mmvet', metric: 'total', avg: percent },
  llava_bench_wild: { label: 'LLaVA-W', benchmark: 'llava_bench_wild', metric: 'relative', avg: percent },
  // Table 4 (OneVision): MME as a percentage (the paper does not say which; ours is the Avg share), SEED on its images
  mme: { label: 'MME %', benchmark: 'mme', metric: 'score' },
  seed: { label: 'SEED-IMG', benchmark: 'seed_img', metric: 'accuracy' },
  mathvista: { label: 'MathVista', benchmark: 'mathvista', metric: 'accuracy' },
  video_mme: { label: 'Video-MME', benchmark: 'video_mme', metric: 'accuracy' },
  // MMBench-Video: the judge's mean rating, 0–3
  mmbench_video: { label: 'MMBench-Video', benchmark: 'mmbench_video', metric: 'score' },
  // Table 1: attention-score multiply-adds, millions
  full_score_macs_m: { label: 'full H·N²·d (M)', metric: 'full_score_macs_m' },
  vtu_score_macs_m: { label: 'VTU 2·H·N_un²·d (M)', metric: 'vtu_score_macs_m' },
};

/** The benchmark keys the Avg column averages. */
export const AVERAGED: readonly string[] = Object.keys(PAPER_COLUMNS).filter((key) => PAPER_COLUMNS[key].avg);

/** The paper's Avg: the unweighted mean of the nine benchmarks' shares; null unless all nine are there. */
export function paperAverage(values: Readonly<Record<string, number | undefined>>): number | null {
  let sum = 0;
  for (const key of AVERAGED) {
    const value = values[key];
    if (value === undefined || !Number.isFinite(value)) return null;
    sum += PAPER_COLUMNS[key].avg!(value);
  }
  return sum / AVERAGED.length;
}

/** A benchmark's share of the Avg from its summary metrics (its averaged column's), else its accuracy; undefined when not scored. */
export function benchmarkShare(benchmark: string, metrics: Readonly<Record<string, number>>): number | undefined {
  const column = AVERAGED.map((key) => PAPER_COLUMNS[key]).find((c) => c.benchmark === benchmark);
  const value = metrics[column?.metric ?? 'accuracy'];
  return value === undefined ? undefined : (column?.avg ?? percent)(value);
}
