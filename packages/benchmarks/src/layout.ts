import { statSync } from 'node:fs';
import { join } from 'node:path';
import { BENCHMARKS, type BenchmarkName } from './registry.ts';
import type { Benchmark, BenchmarkInput } from './types.ts';

/**
 * Where the folders of the paper's benchmarks (the nine of Tables 2, 3, 5–7 and Table 4's MathVista, Video-MME, MMBench-Video) are under a data root in the project's standard
 * layout (the `data.bench.*` defaults of experiments/paper/base.yaml): `eval/<folder>`, POPE's
 * images in COCO's `val2014/`.
 */
export const BENCHMARK_LAYOUT: Readonly<Partial<Record<BenchmarkName, { readonly root: string; readonly imageDir?: string }>>> = {
  textvqa: { root: 'eval/textvqa' },
  gqa: { root: 'eval/gqa' },
  pope: { root: 'eval/pope', imageDir: 'coco/val2014' },
  mme: { root: 'eval/MME/MME_Benchmark_release_version' },
  scienceqa_img: { root: 'eval/scienceqa' },
  mmbench: { root: 'eval/mmbench' },
  seed_img: { root: 'eval/seed_bench' },
  mmvet: { root: 'eval/mm-vet' },
  llava_bench_wild: { root: 'eval/llava-bench-in-the-wild' },
  mathvista: { root: 'eval/mathvista' },
  video_mme: { root: 'eval/video-mme' },
  mmbench_video: { root: 'eval/mmbench-video' },
};

/** Whether a benchmark input is on disk: a file as a file, a folder as a folder. */
export function inputExists(input: BenchmarkInput): boolean {
  const stat = statSync(input.path, { throwIfNoEntry: false });
  return input.kind === 'file' ? stat?.isFile() === true : stat?.isDirectory() === true;
}

/** One benchmark of the standard layout under a root: its adapter with default options, and which of its inputs are missing. */
export interface FoundBenchmark {
  readonly name: BenchmarkName;
  /** Its folder, absolute. */
  readonly root: string;
  readonly benchmark: Benchmark;
  readonly inputs: readonly BenchmarkInput[];
  readonly missing: readonly BenchmarkInput[];
}

/** Every benchmark of BENCHMARK_LAYOUT under `root`, found or not (`dymu data check ROOT`). */
export function findBenchmarks(root: string): FoundBenchmark[] {
  return (Object.entries(BENCHMARK_LAYOUT) as [BenchmarkName, { root: string; imageDir?: string }][]).map(([name, layout]) => {
    const dir = join(root, layout.root);
    const benchmark = (BENCHMARKS[name] as (o: { root: string; imageDir?: string }) => Benchmark)({ root: dir, ...(layout.imageDir ? { imageDir: join(root, layout.imageDir) } : {}) });
    const inputs = benchmark.inputs?.() ?? [];
    return { name, root: dir, benchmark, inputs, missing: inputs.filter((i) => !inputExists(i)) };
  });
}
