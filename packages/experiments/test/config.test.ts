import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Known } from '../src/config/experiment.ts';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { workspace } from './helpers.ts';

const known: Known = {
  tasks: { tokens: { inputs: ['dataset', 'benchmark'] }, benchmark: { inputs: ['benchmark'] } },
  policies: ['none', 'tome', 'dtome'],
  datasets: ['folder', 'generated'],
  benchmarks: ['pope', 'mme'],
};

const base = `model:
  encoder: /models/clip
datasets: [{ name: folder, dir: /images }]
`;

describe('experiment files', () => {
  const ws = workspace('config-');
  const cwd = process.cwd();
  // Files inside the working directory are named by their relative path.
  beforeAll(() => process.chdir(ws.dir));
  afterAll(() => process.chdir(cwd));
  const load = (text: string, overrides: string[] = [], env: Record<string, string> = {}) => loadExperiment(ws.write('exp.yaml', text), overrides, known, env);
  const error = (text: string, overrides: string[] = [], env: Record<string, string> = {}) => {
    try {
      load(text, overrides, env);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  it('fills in defaults: task tokens, policy none, VTU on, three seeds, LLaVA features, pad to square (a bare tower)', () => {
    const e = load(base);
    expect(e.name).toBe('exp');
    expect(e.seeds).toEqual([0, 1, 2]);
    expect(e.points).toHaveLength(1);
    expect(e.points[0].config).toEqual({
      task: 'tokens',
      model: { encoder: '/models/clip', llm: null, features: 'llava', pad: true },
      policy: { name: 'none' },
      vtu: true,
      limit: null,
      dataset: { name: 'folder', dir: '/images' },
    });
    expect(e.execution).toEqual({ batch: 8, chunk: 64 });
  });

  it('model.llmWeights: int8 / int4 are part of the resolved config (so of the run id); float32, the default, leaves it as it was', () => {
    const withLlm = `model:\n  llm: /models/llava\n  encoder: /models/clip\n  llmWeights: WEIGHTS\ndatasets: [{ name: folder, dir: /images }]\n`;
    expect(load(withLlm.replace('WEIGHTS', 'int8')).points[0].config.model.llmWeights).toBe('int8');
    expect(load(withLlm.replace('WEIGHTS', 'float32')).points[0].config.model).toEqual({ encoder: '/models/clip', llm: '/models/llava', features: 'llava' }); // pad: the VLM's own
    expect(error(withLlm.replace('WEIGHTS', 'fp8'))).toMatch(/model\.llmWeights: .*float32, int8, int4/);
  });

  it('model.videoFrames: frames per video, in the resolved config (so the run id) only when given', () => {
    const withLlm = `model:\n  llm: /models/llava\n  encoder: /models/clip\nFRAMESdatasets: [{ name: folder, dir: /images }]\n`;
    expect(load(withLlm.replace('FRAMES', '  videoFrames: 8\n')).points[0].config.model.videoFrames).toBe(8);
    expect('videoFrames' in load(withLlm.replace('FRAMES', '')).points[0].config.model).toBe(false);
    expect(error(withLlm.replace('FRAMES', '  videoFrames: 0\n'))).toBe('exp.yaml: model.videoFrames: expected an integer ≥ 1, got 0');
  });

  it('names the file, the field path and what was expected', () => {
    expect(error(`${base}limit: many\n`)).toBe('exp.yaml: limit: expected an integer ≥ 1, got "many"');
    expect(error(`${base}seeds: [0, 1, 1]\n`)).toBe('exp.yaml: seeds[2]: seed 1 is listed twice');
    expect(error(`${base}polcy: tome\n`)).toBe(
      'exp.yaml: polcy: unknown field (expected one of name, description, models, data, task, model, policy, vtu, datasets, benchmarks, limit, seeds, sweep, calibration, tables, execution, preset, presets, only, paper)',
    );
    expect(error(`${base}policy: { name: tomme }\n`)).toBe('exp.yaml: policy.name: unknown merge policy "tomme" (expected one of none, tome, dtome)');
    expect(error('model:\n  encoder: { generated: vit }\ndatasets: [folder]\n')).toBe('exp.yaml: model.encoder.generated: expected one of clip-vit, siglip-vit, got "vit"');
    expect(error(`${base}vtu: yes please\n`)).toBe('exp.yaml: vtu: expected true or false, got "yes please"');
    expect(error('model: { encoder: /m }\ndatasets: [{ name: folder }, { dir: /x }]\n')).toBe('exp.yaml: datasets[1].name: expected a non-empty string, got nothing');
    expect(error('model: { encoder: /m }\ntask: benchmark\ndatasets: [folder]\n')).toBe('exp.yaml: datasets: the benchmark task takes benchmarks');
    expect(error('model: { encoder: /m }\n')).toBe('exp.yaml: name datasets or benchmarks for the tokens task');
    expect(error(`${base}tables: [{ name: main, digits: 9 }]\n`)).toBe('exp.yaml: tables[0].digits: expected an integer in 0…6, got 9');
    expect(error(`${base}policy: { name: dtome, variant: mid }\n`)).toBe('exp.yaml: calibration.dataset: missing: the images to calibrate on (e.g. { name: folder, dir: … })');
    expect(error(`${base}policy: { name: dtome, variant: mid }\ncalibration: { dataset: folder, batch: 0 }\n`)).toBe('exp.yaml: calibration.batch: expected an integer ≥ 1, got 0');
  });

  it('names the base file a value came from, and the command line for overrides', () => {
    ws.write('base.yaml', `${base}limit: 0\n`);
    expect(error('extends: base.yaml\nname: child\n')).toBe('base.yaml: limit: expected an integer ≥ 1, got 0');
    expect(load('extends: base.yaml\nlimit: 5\n').points[0].config.limit).toBe(5);
    expect(error(base, ['execution.chunk=-1'])).toBe('command-line override `execution.chunk=-1`: execution.chunk: expected an integer ≥ 1, got -1');
    expect(error('extends: exp.yaml\n')).toMatch(/^exp\.yaml: extends: extends itself/);
  });

  it('blames a typo in an override on that override, not on the file, with the full field path', () => {
    expect(error(base, ['limit=3', 'modell.x=1'])).toMatch(/^command-line override `modell\.x=1`: modell: unknown field \(expected one of name, /);
    expect(error(base, ['model.encodr.x=1'])).toBe('command-line override `model.encodr.x=1`: model.encodr: unknown field (expected one of encoder, llm, features, pad, llmWeights, videoFrames)');
    const swept = `${base}sweep:\n  policy: { ToMe: { name: tome, variant: mid } }\ncalibration: { dataset: folder }\n`;
    expect(error(swept, ['sweep.policy.ToMe.variant=[mid]'])).toBe('command-line override `sweep.policy.ToMe.variant=[mid]`: sweep.policy.ToMe.variant: expected a non-empty string, got ["mid"]');
    expect(error(swept, ['calibration.batsh=2'])).toMatch(/^command-line override `calibration\.batsh=2`: calibration\.batsh: unknown field \(expected one of schedule, shape, /);
  });

  it('points errors in swept values at their entry in sweep', () => {
    expect(error(`${base}sweep:\n  limit: [10, zero]\n`)).toBe('exp.yaml: sweep.limit[1]: expected an integer ≥ 1, got "zero"');
    expect(error(`${base}sweep:\n  limit: [0, 10, zero]\n  vtu: [true, no]\n`)).toBe(
      [
        'exp.yaml: 3 problems:',
        '  - exp.yaml: sweep.limit[0]: expected an integer ≥ 1, got 0',
        '  - exp.yaml: sweep.vtu[1]: expected true or false, got "no"',
        '  - exp.yaml: sweep.limit[2]: expected an integer ≥ 1, got "zero"',
      ].join('\n'),
    );
    expect(error(`${base}sweep:\n  policy: { ToMe: { name: tome }, Bad: { name: bad } }\n`)).toBe('exp.yaml: sweep.policy.Bad.name: unknown merge policy "bad" (expected one of none, tome, dtome)');
    expect(error(`${base}sweep:\n  seeds: [[1]]\n`)).toMatch(/^exp\.yaml: sweep\.seeds: seeds cannot be swept/);
    expect(error(`${base}sweep:\n  policy: [{ name: tome, r: 2 }]\n`, ['policy.r=4'])).toBe("command-line override `policy.r=4`: policy.r: is set by sweep.policy in every run; override the sweep's values instead");
  });

  it('composes extends in order, maps key by key, lists replaced', () => {
    ws.write('a.yaml', 'model: { encoder: /a, pad: true }\ndatasets: [folder]\nseeds: [5, 6]\n');
    ws.write('b.yaml', 'model: { encoder: /b }\n');
    const e = load('extends: [a.yaml, b.yaml]\nseeds: [7]\ndatasets: [{ name: folder, dir: /d }]\n');
    expect(e.points[0].config.model).toEqual({ encoder: '/b', llm: null, features: 'llava', pad: true });
    expect(e.seeds).toEqual([7]);
    expect(e.points[0].config.dataset).toEqual({ name: 'folder', dir: '/d' });
  });

  it('resolves locations from variables, the environment and overrides', () => {
    const text = 'models:\n  clip: ${env:DYMU_MODELS}/clip\n  other: ${env:UNSET_VAR}\nmodel: { encoder: "${models.clip}" }\ndatasets: [{ name: folder, dir: "${env:DYMU_DATA,/fallback}/images" }]\n';
    const e = load(text, [], { DYMU_MODELS: '/data/models' });
    expect(e.points[0].config.model.encoder).toBe('/data/models/clip');
    expect(e.points[0].config.dataset).toEqual({ name: 'folder', dir: '/fallback/images' });
    expect(load(text, ['models.clip=/elsewhere']).points[0].config.model.encoder).toBe('/elsewhere');
    expect(error(text)).toBe('exp.yaml: models.clip: ${env:DYMU_MODELS}: DYMU_MODELS is not set in the environment (set it, or override this field)');
    expect(error('models: { tiny: { generated: clip-vit, preset: tiny, seed: 3 } }\nmodel: { encoder: "${models.tiny}", llm: "${models.llava}" }\ndatasets: [folder]\n')).toBe(
      'exp.yaml: model.llm: ${models.llava}: no field models.llava (set it in a file, or on the command line: models.llava=…)',
    );
    const generated = load('models: { tiny: { generated: clip-vit, preset: tiny, seed: 3 } }\nmodel: { encoder: "${models.tiny}" }\ndatasets: [folder]\n');
    expect(generated.points[0].config.model.encoder).toEqual({ generated: 'clip-vit', preset: 'tiny', seed: 3 });
  });

  it('expands a variant into a calibration over the experiment defaults', () => {
    const e = load(`${base}policy: { name: dtome, variant: mid }\ncalibration: { dataset: { name: generated, seed: 9 }, batch: 4 }\n`);
    expect(e.points[0].config.policy).toEqual({
      name: 'dtome',
      calibration: { schedule: 'mid', shape: 'constant', dataset: { name: 'generated', seed: 9 }, count: null, batch: 4, seed: 0 },
    });
    const layout = (value: string) => load(`${base}policy: { name: dtome, variant: mid }\ncalibration: { dataset: folder, layout: ${value} }\n`).points[0].config.policy.calibration;
    expect(layout('official')).toMatchObject({ layout: 'official' });
    expect(layout('compact')).not.toHaveProperty('layout'); // compact is what calibrations were before layouts existed: same spec, same ids
    expect(error(`${base}policy: { name: dtome, variant: mid }\ncalibration: { dataset: folder, layout: padded }\n`)).toBe('exp.yaml: calibration.layout: expected one of official, compact, got "padded"');
  });

  it('defaults table rows to the sweep keys', () => {
    const e = load(`${base}sweep: { policy: [none, { name: tome, r: 2 }] }\ntables: [{ name: t, metrics: [tokens] }]\n`);
    expect(e.tables[0]).toEqual({ name: 't', title: null, rows: ['policy'], metrics: [{ metric: 'tokens', label: 'tokens' }], average: false, tokens: 'tokens_cls', digits: 1 });
  });
});
