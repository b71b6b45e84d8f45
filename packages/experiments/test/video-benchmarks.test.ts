import { describe, expect, it } from 'vitest';
import { BENCHMARKS, type BenchmarkSample } from '@dymu/benchmarks';
import { benchmarkFixture } from '../src/resources/benchmark-fixtures.ts';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { planRuns } from '../src/plan/plan.ts';
import { sampleImage, sampleVisual } from '../src/resources/sample-image.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { testContainer, workspace } from './helpers.ts';

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

  it('a video sample reaches the VLM as its video; a task that encodes images alone refuses it, naming the sample', async () => {
    const [first] = await fixtureSamples('video_mme');
    expect(sampleVisual(first)).toEqual({ video: expect.stringMatching(/fixture0\.mp4$/) });
    expect(() => sampleImage(first)).toThrow(/sample 000-1 is a video \(.*fixture0\.mp4\): only the benchmark task \(the VLM\) reads videos/);
  });

  it('a tiny generated OneVision answers both video benchmarks end to end, with and without merging (model.videoFrames frames per video)', async () => {
    const ws = workspace('video-run-');
    const container = testContainer(ws);
    const file = ws.write('video.yaml', `name: video
task: benchmark
model:
  llm: { generated: qwen2, preset: tiny, seed: 0 }
  videoFrames: 4
benchmarks:
  VideoMME: { name: video_mme, root: { generated: fixture } }
  MMBVideo: { name: mmbench_video, root: { generated: fixture } }
limit: 2
seeds: [0]
execution: { batch: 2 }
sweep:
  policy:
    none: none
    ToMe: { name: tome, r: 8 }
`);
    const experiment = loadExperiment(file, [], knownNames(container));
    await runExperiment(experiment, container);
    const runs = planRuns(experiment);
    expect(runs).toHaveLength(4);
    for (const run of runs) {
      const rows = RunDir.of(ws.results, 'video', run.id).rows();
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(typeof row.prediction).toBe('string');
        if (run.labels.policy === 'none') {
          // 4 frames of the tiny SigLIP's 8×8 patches pooled to 4×4, one image_newline after them.
          expect(row).toMatchObject({ tokens: 4 * 16 + 1, tokens_full: 4 * 16 + 1 });
          expect(row.virtual).toBe(row.unique);
        } else {
          // Merged frames one after another: each frame's 64 patches are its virtual positions.
          expect(row.tokens_full).toBe(4 * 64);
          expect(row.tokens).toBeLessThan(4 * 64);
          expect((row.virtual as number) - (row.unique as number)).toBe(4 * 64 - (row.tokens as number));
        }
      }
    }
  });
});
