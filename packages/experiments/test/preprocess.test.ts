import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { createContainer } from '../src/di/container.ts';
import { knownNames } from '../src/di/lookup.ts';
import { modelPreprocess } from '../src/resources/models.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { tinyExperiment, workspace } from './helpers.ts';

describe('how a run preprocesses its images', () => {
  const ws = workspace('preprocess-');

  it("is model.pad when given, else the VLM's own (a generated LLaVA-1.5 pads)", () => {
    const vlm = { encoder: null, llm: { generated: 'llama' as const, preset: 'tiny', seed: 0 }, features: 'llava' as const };
    expect(modelPreprocess(vlm, ws.cache)).toBe('pad');
    expect(modelPreprocess({ ...vlm, pad: false }, ws.cache)).toBe('resize');
  });

  it('is said when each run starts', async () => {
    let text = '';
    const progress = { write: (chunk: string) => ((text += chunk), true), isTTY: false } as unknown as NodeJS.WriteStream;
    const container = createContainer({ cache: ws.cache, results: ws.results, progress, warn: () => {} });
    const experiment = loadExperiment(ws.write('said.yaml', tinyExperiment('said', 'seeds: [0]\n')), [], knownNames(container));
    await runExperiment(experiment, container);
    expect(text).toMatch(/^\[1\/1\] generated\(count=3, size=64\), seed 0: preprocessing: pad to square \(mean colour\), resize shortest edge 64, center crop 64×64 \(/m);
  });
});
