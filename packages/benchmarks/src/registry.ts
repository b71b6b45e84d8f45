import { Gqa } from './gqa.ts';
import { LlavaBench } from './llava-bench.ts';
import { MathVista, type MathVistaOptions } from './mathvista.ts';
import { MmBench, type MmBenchOptions } from './mmbench.ts';
import { MmBenchVideo, type MmBenchVideoOptions } from './mmbench-video.ts';
import { MmVet } from './mmvet.ts';
import { Mme } from './mme.ts';
import { Pope, type PopeOptions } from './pope.ts';
import { ScienceQaImg } from './scienceqa.ts';
import { SeedImg } from './seed.ts';
import { TextVqa, type TextVqaOptions } from './textvqa.ts';
import type { BenchmarkFactory, BenchmarkOptions } from './types.ts';
import { VideoMme, type VideoMmeOptions } from './video-mme.ts';
import { VqaV2, type VqaV2Options } from './vqav2.ts';

/**
 * Every benchmark by name (the paper's benchmark keys, plus vqav2): name → factory(options), for a DI
 * container to register. Each factory takes BenchmarkOptions plus the adapter's own optional fields.
 */
export const BENCHMARKS = {
  vqav2: (options: VqaV2Options) => new VqaV2(options),
  textvqa: (options: TextVqaOptions) => new TextVqa(options),
  gqa: (options: BenchmarkOptions) => new Gqa(options),
  pope: (options: PopeOptions) => new Pope(options),
  mme: (options: BenchmarkOptions) => new Mme(options),
  scienceqa_img: (options: BenchmarkOptions) => new ScienceQaImg(options),
  mmbench: (options: MmBenchOptions) => new MmBench(options),
  seed_img: (options: BenchmarkOptions) => new SeedImg(options),
  mmvet: (options: BenchmarkOptions) => new MmVet(options),
  llava_bench_wild: (options: BenchmarkOptions) => new LlavaBench(options),
  mathvista: (options: MathVistaOptions) => new MathVista(options),
  video_mme: (options: VideoMmeOptions) => new VideoMme(options),
  mmbench_video: (options: MmBenchVideoOptions) => new MmBenchVideo(options),
} satisfies Record<string, BenchmarkFactory>;

export type BenchmarkName = keyof typeof BENCHMARKS;
