import { describe, expect, it } from 'vitest';
import { BENCHMARKS, type BenchmarkFactory } from '../src/index.ts';

describe('BENCHMARKS', () => {
  it('builds every benchmark from a root, named by its key, reading nothing until used', () => {
    for (const [name, factory] of Object.entries(BENCHMARKS) as [string, BenchmarkFactory][]) {
      const bench = factory({ root: '/nonexistent' });
      expect(bench.name).toBe(name);
      expect(bench.missingImages).toEqual([]);
    }
    expect(Object.keys(BENCHMARKS)).toEqual(['vqav2', 'textvqa', 'gqa', 'pope', 'mme', 'scienceqa_img', 'mmbench', 'seed_img', 'mmvet', 'llava_bench_wild', 'mathvista', 'video_mme', 'mmbench_video']);
  });

  it('names the missing file when a benchmark is first used', async () => {
    const samples = BENCHMARKS.seed_img({ root: '/nonexistent' }).samples();
    await expect(samples[Symbol.asyncIterator]().next()).rejects.toThrow('/nonexistent/SEED-Bench.json: cannot read');
  });
});
