import { type BenchmarkSample, isVideo } from '@dymu/benchmarks';
import { DymuError } from '@dymu/core';
import { isVideoInput, type VisualInput } from '@dymu/llm';

/**
 * What the VLM gets for a benchmark sample: its image file, its base64 bytes decoded, or its video
 * (Video-MME, MMBench-Video: frames sampled by @dymu/llm's Vlm, `model.videoFrames`).
 */
export function sampleVisual(sample: BenchmarkSample): VisualInput {
  const { image } = sample;
  if (typeof image === 'string' || isVideo(image)) return image;
  return Buffer.from(image.base64, 'base64');
}

/**
 * The image a vision tower alone encodes for a benchmark sample (the tokens and attention-cost tasks
 * over a benchmark's images). A video sample is an error here: its frames reach a model only through
 * the VLM (the benchmark task).
 */
export function sampleImage(sample: BenchmarkSample): string | Buffer {
  const visual = sampleVisual(sample);
  if (isVideoInput(visual)) throw new DymuError(`sample ${sample.id} is a video (${visual.video}): only the benchmark task (the VLM) reads videos; this task encodes images`, { field: 'benchmark' });
  return visual;
}
