import { describe, expect, it } from 'vitest';
import { BENCHMARKS, type BenchmarkSample } from '@dymu/benchmarks';
import { benchmarkFixture } from '../src/resources/benchmark-fixtures.ts';
import { sampleImage } from '../src/resources/sample-image.ts';
import { workspace } from './helpers.ts';

async function fixtureSamples(name: 'mathvista' | 'video_mme' | 'mmbench_video'): Promise<BenchmarkSample[]> {
  const root = await benchmarkFixture(name, 0, workspace(`${name}-`).cache);
  const samples: BenchmarkSample[] = [];
  for await (const s of BENCHMARKS[name]({ root }).samples()) samples.push(s);
  return samples;
}

describe("Table 4's MathVista, Video-MME and MMBench-Video", () => {
  it('have generated fixture folders their adapters read: four questions each, every image or video present', async () => {
    const mathvista = await fixtureSamples('mathvista');
    expect(mathvista.map((s) => s.id)).toEqual(['0', '1', '2', '3']);
    expect(sampleImage(mathvista[0])).toBeInstanceOf(Buffer);
    for (const name of ['video_mme', 'mmbench_video'] as const) {
      const samples = await fixtureSamples(name);
      expect(samples).toHaveLength(4);
      expect(samples.every((s) => typeof s.image === 'object' && 'video' in s.image)).toBe(true);
    }
  });

  it('a video sample is refused with a clear error until video input reaches the VLM', async () => {
    const [first] = await fixtureSamples('video_mme');
    expect(() => sampleImage(first)).toThrow(/sample 000-1 is a video \(.*fixture0\.mp4\): video input is not wired into the VLM yet/);
  });
});
