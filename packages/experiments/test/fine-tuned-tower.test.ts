import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VitEncoder } from '@dymu/encoders';
import { readThresholdFile, weightsSha256 } from '@dymu/merging';
import { makeVlmModel } from '@dymu/weights';
import { loadExperiment } from '../src/config/load-experiment.ts';
import type { ModelConfig } from '../src/config/experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { RESOURCES } from '../src/di/tokens.ts';
import { planRuns } from '../src/plan/plan.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { THRESHOLDS_FILE } from '../src/tasks/calibrate.ts';
import { testContainer, workspace } from './helpers.ts';

const IMAGE = join(import.meta.dirname, '../../../assets/images/chelsea.jpg');
const ws = workspace('fine-tuned-tower-');
// OneVision as lmms-lab publishes it: its checkpoint holds the fine-tuned tower (3 of the 4 blocks of vision_tower/'s config)
const ov = makeVlmModel({ family: 'qwen2', preset: 'tiny', seed: 6, out: join(ws.dir, 'ov'), fineTunedTower: true }).dir;
const tower = join(ov, 'vision_tower');
const tokens = async (encoder: VitEncoder) => (await encoder.encode([IMAGE], { pad: 'none' }))[0].tokens;

describe('model.encoder with model.llm: the LLaVA checkpoint fine-tuned its tower', () => {
  it("the tokens / calibration encoder is the VLM's: the tower directory's config, the checkpoint's weights", async () => {
    const resources = testContainer(ws).get(RESOURCES);
    const model: ModelConfig = { encoder: tower, llm: ov, features: 'llava', pad: false };
    const encoder = await resources.encoder(model);
    const vlm = await resources.vlm(model);
    const alone = await resources.encoder({ ...model, llm: null });
    expect(encoder.tower).toMatchObject({ configDir: tower, weightsDir: ov, fromCheckpoint: true });
    expect(alone.tower).toMatchObject({ configDir: tower, weightsDir: tower, fromCheckpoint: false });
    expect([encoder.blocks, vlm.encoder.blocks]).toEqual([3, 3]);
    expect(await tokens(encoder)).toEqual(await tokens(vlm.encoder));
    expect(await tokens(encoder)).not.toEqual(await tokens(alone));
  });

  it("calibrates the checkpoint's tower: every block it holds, the threshold file naming the checkpoint's weights", async () => {
    const container = testContainer(ws);
    const file = ws.write('calibrate-ov.yaml', `name: calibrate-ov
task: calibrate
model: { encoder: ${tower}, llm: ${ov}, pad: false }
policy: { name: dtome, variant: mid }
calibration: { dataset: { name: generated, count: 4, size: 64 }, count: 4, batch: 4, seed: 0 }
`);
    const experiment = loadExperiment(file, [], knownNames(container));
    await runExperiment(experiment, container);
    const [run] = planRuns(experiment);
    const thresholds = readThresholdFile(join(RunDir.of(ws.results, experiment.name, run.id).path, THRESHOLDS_FILE));
    expect(thresholds.encoder).toEqual({ name: 'ov', arch: 'siglip', weightsSha256: await weightsSha256(ov), blocks: 3 });
    expect(thresholds.blocks).toHaveLength(3);
  });
});
