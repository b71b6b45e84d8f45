import { type BenchmarkSample, isVideo } from '@dymu/benchmarks';
import { DymuError } from '@dymu/core';

/**
 * The image the VLM gets for a benchmark sample: its file, or its base64 bytes decoded. Video input is
 * not wired into the VLM yet, so a video sample (Video-MME, MMBench-Video) is an error, here only.
 */
export function sampleImage(sample: BenchmarkSample): string | Buffer {
  const { image } = sample;
  if (typeof image === 'string') return image;
  if (isVideo(image)) throw new DymuError(`sample ${sample.id} is a video (${image.video}): video input is not wired into the VLM yet, so video benchmarks cannot be run`, { field: 'benchmark' });
  return Buffer.from(image.base64, 'base64');
}
