import type { MergePolicy } from '@dymu/core';
import type { Benchmark } from '@dymu/benchmarks';
import type { Preprocess, VitEncoder } from '@dymu/encoders';
import type { Vlm } from '@dymu/llm';
import type { ModelConfig } from '../config/experiment.ts';
import type { PlannedRun } from '../plan/plan.ts';

/** One image of a run's input: its id, the file or bytes, and a group for per-group statistics ('' if none). */
export interface SampleImage {
  readonly id: string;
  readonly image: string | Buffer;
  readonly group: string;
}

/** A run's merge policy for one batch, given the ids of its samples in order (most policies are the same for every batch). */
export type BatchPolicy = (ids: readonly string[]) => MergePolicy;

/**
 * What tasks take from the container for a run, built from the registered plugins: encoders are
 * loaded once per process and model, policies are built per run (thresholds calibrated and cached
 * first when the policy asks for a calibration).
 */
export interface Resources {
  encoder(model: ModelConfig): Promise<VitEncoder>;
  /** How the run's images are preprocessed: `model.pad` when given, else the VLM's own (its image_aspect_ratio). */
  preprocess(model: ModelConfig): Preprocess;
  /** The run's policy; a random run `like` another row takes each image's counts from that row's finished run (an image it lacks is an error). */
  policy(run: PlannedRun, encoder: VitEncoder): Promise<BatchPolicy>;
  /** The threshold file the run's policy asks to calibrate (computed once, cached), or undefined when it asks for none. */
  calibration(run: PlannedRun, encoder: VitEncoder): Promise<string | undefined>;
  /** The run's images: the dataset's records (a seeded sample of `limit` of them), or the benchmark's sample images. */
  images(run: PlannedRun): Promise<SampleImage[]>;
  benchmark(run: PlannedRun): Promise<Benchmark>;
  vlm(model: ModelConfig): Promise<Vlm>;
}
