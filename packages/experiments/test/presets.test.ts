import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Known } from '../src/config/experiment.ts';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { planRuns } from '../src/plan/plan.ts';
import { rowCommand } from '../src/paper/paper-table.ts';
import { workspace } from './helpers.ts';

const known: Known = {
  tasks: { tokens: { inputs: ['dataset', 'benchmark'] }, benchmark: { inputs: ['benchmark'] }, calibrate: { inputs: [] } },
  policies: ['none', 'tome', 'dtome'],
  datasets: ['folder', 'generated'],
  benchmarks: ['pope', 'mme'],
};

const base = `models:
  clip: /models/clip
model: { encoder: "\${models.clip}" }
datasets: [{ name: folder, dir: /images }]
presets:
  tiny:
    models.clip: { generated: clip-vit, preset: tiny, seed: 0 }
    limit: 2
`;

describe('presets, only, bundled sweeps, per-input seeds, input-less tasks', () => {
  const ws = workspace('presets-');
  const cwd = process.cwd();
  beforeAll(() => process.chdir(ws.dir));
  afterAll(() => process.chdir(cwd));
  const load = (text: string, overrides: string[] = []) => loadExperiment(ws.write('exp.yaml', text), overrides, known, {});
  const error = (text: string, overrides: string[] = []) => {
    try {
      load(text, overrides);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  it('a preset sets its fields (path: value) after the files and before the command line', () => {
    expect(load(base).points[0].config.model.encoder).toBe('/models/clip');
    const tiny = load(base, ['preset=tiny']);
    expect(tiny.points[0].config).toMatchObject({ model: { encoder: { generated: 'clip-vit', preset: 'tiny', seed: 0 } }, limit: 2 });
    expect(load(base, ['preset=tiny', 'limit=5']).points[0].config.limit).toBe(5);
    expect(load(`${base}preset: tiny\n`).points[0].config.limit).toBe(2);
    expect(error(base, ['preset=huge'])).toBe('command-line override `preset=huge`: preset: no preset "huge" (the files define tiny)');
    expect(error(`${base}sweep: { limit: [1, 2] }\n`, ['preset=tiny'])).toBe('exp.yaml: presets.tiny.limit: sweep.limit sets this in every run; a preset cannot');
  });

  it('only keeps the sweep points with the given labels', () => {
    const text = `${base}sweep:\n  policy: { none: none, ToMe: { name: tome, r: 2 } }\n  limit: [1, 2]\n`;
    expect(load(text).points).toHaveLength(4);
    expect(load(text, ['only.policy=ToMe']).points.map((p) => p.labels)).toEqual([{ policy: 'ToMe', limit: '1', dataset: 'folder(dir=/images)' }, { policy: 'ToMe', limit: '2', dataset: 'folder(dir=/images)' }]);
    expect(load(text, ['only.policy=ToMe', 'only.limit=[2]']).points).toHaveLength(1);
    expect(error(text, ['only.policy=DyMU'])).toBe('command-line override `only.policy=DyMU`: only.policy: sweep.policy has no value labelled "DyMU" (labels: none, ToMe)');
    expect(error(text, ['only.vtu=true'])).toBe('command-line override `only.vtu=true`: only.vtu: not a sweep key (expected one of policy, limit)');
  });

  it('a sweep key a+b sets both fields from each value', () => {
    const e = load(`${base}sweep:\n  policy+vtu:\n    full: { policy: none }\n    ToMe: { policy: { name: tome, r: 2 }, vtu: false }\n`);
    expect(e.points.map((p) => [p.labels['policy+vtu'], p.config.policy, p.config.vtu])).toEqual([['full', { name: 'none' }, true], ['ToMe', { name: 'tome', r: 2 }, false]]);
    expect(error(`${base}sweep:\n  policy+vtu: { x: { policy: none, limit: 3 } }\n`)).toBe('exp.yaml: sweep.policy+vtu.x: expected a map from policy, vtu to their values');
    expect(error(`${base}sweep:\n  policy+vtu: { x: { policy: none } }\n`, ['vtu=false'])).toBe('command-line override `vtu=false`: vtu: is set by sweep.policy+vtu in every run; override the sweep\'s values instead');
    expect(rowCommand({ file: 'x.yaml', overrides: ['preset=tiny', 'only.policy+vtu=full'], sweepKeys: ['policy+vtu'] }, { labels: { 'policy+vtu': 'LLaVA mix' } })).toBe(
      "npm run dymu -- run x.yaml preset=tiny 'only.policy+vtu=LLaVA mix'",
    );
  });

  it('an input may name its own seeds', () => {
    const e = load(`model: { encoder: /m }\ntask: benchmark\nseeds: [0]\nbenchmarks:\n  POPE: { name: pope, root: /p }\n  MME: { name: mme, root: /m, seeds: [0, 1, 2] }\n`);
    expect(e.points.map((p) => p.config.benchmark)).toEqual([{ name: 'pope', root: '/p' }, { name: 'mme', root: '/m' }]);
    // Greedy answers draw nothing from the seed: one run per benchmark, shared by its seeds.
    expect(planRuns(e).map((r) => `${r.labels.benchmark}/${r.seed}/${r.seeds.join(',')}`)).toEqual(['POPE/null/0', 'MME/null/0,1,2']);
  });

  it('a task without inputs runs once per sweep point; the official calibration takes the first images', () => {
    const e = load(`model: { encoder: /m }\ntask: calibrate\ncalibration: { dataset: { name: folder, dir: /c }, count: 8, first: true }\nsweep: { policy: { low: { name: dtome, variant: low }, mid: { name: dtome, variant: mid } } }\n`);
    expect(e.points.map((p) => [p.labels, p.config.dataset, p.config.policy.calibration])).toEqual([
      [{ policy: 'low' }, undefined, { schedule: 'low', shape: 'constant', dataset: { name: 'folder', dir: '/c' }, count: 8, batch: 64, seed: 0, first: true }],
      [{ policy: 'mid' }, undefined, { schedule: 'mid', shape: 'constant', dataset: { name: 'folder', dir: '/c' }, count: 8, batch: 64, seed: 0, first: true }],
    ]);
    expect(error(`${base}task: calibrate\n`)).toBe('exp.yaml: datasets: the calibrate task takes no datasets or benchmarks');
  });
});
