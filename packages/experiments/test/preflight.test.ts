import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { planRuns } from '../src/plan/plan.ts';
import { FIXTURE_BENCHMARKS } from '../src/resources/benchmark-fixtures.ts';
import { inputProblems } from '../src/runner/preflight.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { testContainer, tinyExperiment, workspace } from './helpers.ts';

describe('preflight: every input of every run is checked before anything is computed', () => {
  const ws = workspace('preflight-');
  const container = testContainer(ws);
  const cwd = process.cwd();
  // Files inside the working directory are named by their relative path.
  beforeAll(() => process.chdir(ws.dir));
  afterAll(() => process.chdir(cwd));
  const load = (name: string, text: string, overrides: string[] = []) => loadExperiment(ws.write(`${name}.yaml`, text), overrides, knownNames(container));
  const problems = async (name: string, text: string, overrides: string[] = []) => {
    const experiment = load(name, text, overrides);
    return inputProblems(experiment, planRuns(experiment), container);
  };

  it('a run missing two benchmark files and its model stops before any sample, listing all three', async () => {
    const empty = join(ws.dir, 'empty');
    const images = join(ws.dir, 'coco-val2014');
    mkdirSync(empty);
    mkdirSync(images);
    const experiment = load(
      'bench',
      `task: benchmark
model: { llm: ${join(ws.dir, 'no-llava')}, encoder: { generated: clip-vit } }
seeds: [0]
benchmarks:
  GQA: { name: gqa, root: { generated: fixture } }
  MMB: { name: mmbench, root: ${empty} }
  POPE: { name: pope, root: ${empty}, split: random, imageDir: ${images} }
`,
    );
    const error = await runExperiment(experiment, container).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(error).toBe(
      [
        'bench.yaml: 3 problems:',
        `  - bench.yaml: model.llm: ${join(ws.dir, 'no-llava')}: model directory not found`,
        `  - bench.yaml: benchmarks.MMB: ${join(empty, 'mmbench_dev_20230712.tsv')}: file not found`,
        `  - bench.yaml: benchmarks.POPE: ${join(empty, 'coco_pope_random.json')}: file not found`,
        'nothing was computed',
      ].join('\n'),
    );
    expect(existsSync(join(ws.results, 'bench')) ? readdirSync(join(ws.results, 'bench')) : []).toEqual([]);
  });

  it('a benchmark folder that is not there is one problem, not one per file', async () => {
    const mme = join(ws.dir, 'no-MME');
    expect(await problems('noroot', `task: benchmark\nmodel: { llm: { generated: llama } }\nseeds: [0]\nbenchmarks: { MME: { name: mme, root: ${mme} } }\n`)).toEqual([
      `noroot.yaml: benchmarks.MME.root: ${mme}: benchmark folder not found`,
    ]);
  });

  it('lists the problems of every run at once: policy parameters by their full path, threshold files, datasets, calibration images', async () => {
    const text = tinyExperiment(
      'many',
      `calibration: { dataset: { name: folder, dir: ${join(ws.dir, 'no-calibration-images')} } }
sweep:
  policy:
    ToMe: { name: tome, schedule: mid }
    File: { name: dtome, file: ${join(ws.dir, 'no-thresholds.json')} }
    DToMe: { name: dtome, variant: mid }
    Pool: { name: pool, tokens: 100000 }
`,
    );
    const noImages = join(ws.dir, 'no-images');
    const found = await problems('many', text, ['sweep.policy.ToMe.schedul=high', `datasets.0={name: folder, dir: ${noImages}}`]);
    expect(found).toEqual([
      'command-line override `sweep.policy.ToMe.schedul=high`: sweep.policy.ToMe.schedul: unknown field (expected r, schedule, shape)',
      `command-line override \`datasets.0={name: folder, dir: ${noImages}}\`: datasets[0]: ${noImages}: not a directory`,
      `many.yaml: sweep.policy.File: ${join(ws.dir, 'no-thresholds.json')}: cannot read a JSON threshold file (ENOENT: no such file or directory, open '${join(ws.dir, 'no-thresholds.json')}')`,
      `many.yaml: calibration.dataset: ${join(ws.dir, 'no-calibration-images')}: not a directory`,
      'many.yaml: sweep.policy.Pool.tokens: the encoder has only 64 patches',
    ]);
  });

  it("a typo in a dataset's or a benchmark's parameters blames the override that wrote it", async () => {
    const text = `${tinyExperiment('typo')}benchmarks: { POPE: { name: pope, root: { generated: fixture } } }\n`;
    expect(await problems('typo', text, ['datasets.0.cont=2', 'benchmarks.POPE.root.sed=1'])).toEqual([
      'command-line override `datasets.0.cont=2`: datasets[0].cont: unknown field (expected one of kinds, count, size, seed)',
      'command-line override `benchmarks.POPE.root.sed=1`: benchmarks.POPE.root.sed: unknown field (expected one of generated, seed)',
    ]);
  });

  it('inputs generated on demand are never missing: generated models, images and every benchmark fixture', async () => {
    const benchmarks = FIXTURE_BENCHMARKS.map((name) => `  ${name}: { name: ${name}, root: { generated: fixture } }`).join('\n');
    expect(await problems('generated', `task: benchmark\nmodel: { llm: { generated: llama } }\nseeds: [0]\nbenchmarks:\n${benchmarks}\n`)).toEqual([]);
    expect(await problems('quick', tinyExperiment('quick', 'calibration: { dataset: { name: generated, count: 2 } }\npolicy: { name: dtome, variant: mid }\n'))).toEqual([]);
  });
});
