import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DymuError, temporaryName } from '@dymu/core';
import { makeVitModel, WeightStore } from '@dymu/weights';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { planRuns } from '../src/plan/plan.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { ResultsDb } from '../src/tables/results-db.ts';
import { writeTables } from '../src/tables/write-tables.ts';
import { isTiming, type Row } from '../src/tasks/task.ts';
import { createContainer } from '../src/di/container.ts';
import { testContainer, tinyExperiment, workspace, type Workspace } from './helpers.ts';

const deterministic = (rows: readonly Row[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !isTiming(k))));
const POLICY = 'policy: { name: dtome, thresholds: [0.95, 0.95, 0.95, 0.95] }\nseeds: [2]\n';
const SMALL = { batch: '{ batch: 2, chunk: 2 }', count: 'count: 2' };

/** A tiny experiment (8 images, chunks of 2) on `encoder`; its one run and a runner that collects warnings. */
function setup(ws: Workspace, encoder?: string) {
  let text = tinyExperiment('integrity', POLICY).replace('{ batch: 4, chunk: 4 }', SMALL.batch).replace('count: 3', SMALL.count);
  if (encoder) text = text.replace(/encoder: .*/, `encoder: ${encoder}`);
  const file = ws.write('integrity.yaml', text);
  const experiment = loadExperiment(file, [], knownNames(testContainer(ws)));
  const [run] = planRuns(experiment);
  const warnings: string[] = [];
  const go = async (onChunk?: (committed: number) => void) =>
    (await runExperiment(experiment, testContainer(ws, (m) => warnings.push(m)), { onChunk: (_r, committed) => onChunk?.(committed) })).map((r) => r.outcome);
  return { experiment, dir: RunDir.of(ws.results, 'integrity', run.id), warnings, go };
}

/** The weights of a tiny generated CLIP with this seed, written once per workspace. */
function weights(ws: Workspace, seed: number): string {
  const dir = join(ws.dir, `clip-seed${seed}`);
  if (!existsSync(dir)) makeVitModel({ arch: 'clip-vit', preset: 'tiny', seed, out: dir });
  return dir;
}

/** `model/` holding the generated CLIP of this seed (its safetensors replaced at the same path). */
function placeModel(ws: Workspace, seed: number): string {
  const model = join(ws.dir, 'model');
  if (!existsSync(model)) spawnSync('cp', ['-r', weights(ws, seed), model]);
  else copyFileSync(join(weights(ws, seed), 'model.safetensors'), join(model, 'model.safetensors'));
  return model;
}

describe('model weights are part of what a run is', () => {
  it('records the fingerprint of generated models, and keeps their runs cached', async () => {
    const ws = workspace('integrity-');
    const { dir, go } = setup(ws);
    expect(await go()).toEqual(['computed']);
    const { encoder } = dir.meta()!.models;
    expect(encoder.dir).toBe(join(ws.cache, 'models', 'clip-vit-tiny-seed0'));
    expect(encoder.fingerprint).toBe(await WeightStore.open(encoder.dir).contentFingerprint(ws.cache));
    expect(await go()).toEqual(['cached']);
  });

  it('computes a finished run anew when the safetensors at the same path changed', async () => {
    const ws = workspace('integrity-');
    const model = placeModel(ws, 0);
    const { dir, warnings, go } = setup(ws, model);
    expect(await go()).toEqual(['computed']);
    const before = dir.rows();

    placeModel(ws, 1);
    expect(await go()).toEqual(['computed']);
    expect(warnings).toEqual([expect.stringContaining(`the weights of ${model} changed since the run was computed`)]);
    // exactly what a fresh run on the new weights gives
    const fresh = setup({ ...ws, results: join(ws.dir, 'fresh') }, model);
    expect(await fresh.go()).toEqual(['computed']);
    expect(deterministic(dir.rows())).toEqual(deterministic(fresh.dir.rows()));
    expect(deterministic(dir.rows())).not.toEqual(deterministic(before));
    expect(readFileSync(join(dir.path, 'summary.arrow'))).toEqual(readFileSync(join(fresh.dir.path, 'summary.arrow')));
    expect(dir.meta()!.sessions).toHaveLength(1);
    expect(await go()).toEqual(['cached']);
  });

  it('refuses to resume a run whose weights changed since it was interrupted, naming the model directory', async () => {
    const ws = workspace('integrity-');
    const model = placeModel(ws, 0);
    const { dir, go } = setup(ws, model);
    await expect(go((committed) => {
      if (committed >= 4) throw new Error('killed');
    })).rejects.toThrow('killed');
    expect(dir.status).toBe('partial');

    placeModel(ws, 1);
    const refused = go();
    await expect(refused).rejects.toThrow(DymuError);
    await expect(refused).rejects.toThrow(`${join(dir.path, 'run.json')}: models.encoder: the run's 2 committed chunks were computed with other weights of ${model}`);
    expect(dir.rows()).toHaveLength(4); // nothing removed

    placeModel(ws, 0); // the weights it started with: it resumes
    expect(await go()).toEqual(['computed']);
    expect(dir.meta()!.sessions.map((s) => s.fromRow)).toEqual([0, 4]);
  });
});

describe('damaged results', () => {
  /** A finished run, its files, and a reference copy of them. */
  async function finished() {
    const ws = workspace('damage-');
    const setupResult = setup(ws);
    expect(await setupResult.go()).toEqual(['computed']);
    const { dir } = setupResult;
    const summary = readFileSync(join(dir.path, 'summary.arrow'));
    return { ws, ...setupResult, summary, rows: deterministic(dir.rows()) };
  }

  /** After a `dymu run`: the same rows and byte-identical summary as before the damage. */
  async function expectRepaired(run: Awaited<ReturnType<typeof finished>>, warning: string) {
    expect(await run.go()).toEqual(['computed']);
    expect(run.warnings).toEqual([expect.stringContaining(warning)]);
    expect(deterministic(run.dir.rows())).toEqual(run.rows);
    expect(readFileSync(join(run.dir.path, 'summary.arrow'))).toEqual(run.summary);
    expect(await run.go()).toEqual(['cached']);
    const db = await ResultsDb.open();
    await db.load([run.dir], { samples: true });
    expect((await db.query('SELECT count(*) FROM samples')).rows).toEqual([[8]]);
    expect((await db.query(`SELECT value FROM metrics WHERE metric = 'samples'`)).rows).toEqual([[8]]);
    db.close();
  }

  it('an empty summary.arrow: tables name it and say what to do; dymu run computes the summary again', async () => {
    const run = await finished();
    const file = join(run.dir.path, 'summary.arrow');
    writeFileSync(file, '');
    await expect(writeTables(run.experiment, run.ws.results)).rejects.toThrow(`${file}: damaged (not a readable Arrow IPC file: 0 bytes, without the Arrow file markers at both ends); \`dymu run\` of its experiment computes the run again`);
    await expectRepaired(run, `${file}: damaged (cut short): computing it again from the rows`);
  });

  it('a broken run.json: readers name it; dymu run computes the run anew', async () => {
    const run = await finished();
    const file = join(run.dir.path, 'run.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 100));
    await expect(writeTables(run.experiment, run.ws.results)).rejects.toThrow(new RegExp(`^${file.replaceAll('.', '\\.')}: damaged \\(.*JSON.*\\); \`dymu run\` of its experiment computes the run again$`));
    await expectRepaired(run, `${file}: damaged (`);
    expect(run.dir.meta()!.sessions.map((s) => s.fromRow)).toEqual([0]);
  });

  it('a truncated chunk: samples name it; dymu run computes the run again from that chunk on', async () => {
    const run = await finished();
    const [, second] = run.dir.chunks();
    truncateSync(second, Math.floor(readFileSync(second).length / 2));
    const db = await ResultsDb.open();
    await expect(db.load([run.dir], { samples: true })).rejects.toThrow(`${second}: damaged (not a readable Arrow IPC file:`);
    db.close();
    expect(second.endsWith('rows-000002.arrow')).toBe(true);
    await expectRepaired(run, `${second}: damaged (not a readable Arrow IPC file: `);
    expect(run.dir.meta()!.sessions.map((s) => s.fromRow)).toEqual([0, 2]);
  });

  it('temporary files of writers that have gone are removed, those of a live writer kept', async () => {
    const run = await finished();
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
    const gone = temporaryName(join(run.dir.path, 'rows-000004.arrow'), { host: hostname(), pid: Number(dead) });
    const live = temporaryName(join(run.dir.path, 'rows-000004.arrow'));
    for (const f of [gone, live]) writeFileSync(f, 'half a chunk');
    writeFileSync(join(run.dir.path, 'summary.arrow'), ''); // so that the run is worked on
    await run.go();
    expect(readdirSync(run.dir.path).filter((f) => f.endsWith('.tmp'))).toEqual([live.slice(run.dir.path.length + 1)]);
  });
});

describe('a calibration two runs need at the same time', () => {
  it('is computed by one of them; the other waits for its file', async () => {
    const ws = workspace('calibration-');
    const text = tinyExperiment('shared-calibration', 'policy: { name: dtome, variant: mid }\ncalibration: { dataset: { name: generated, count: 2, size: 64, seed: 3 }, batch: 2 }\nseeds: [0, 1]\n');
    const file = ws.write('calibration.yaml', text);
    let output = '';
    const progress = { write: (m: string) => ((output += m), true), isTTY: false } as unknown as NodeJS.WriteStream;
    const container = () => createContainer({ cache: ws.cache, results: ws.results, progress, warn: () => {} });
    const experiment = loadExperiment(file, [], knownNames(container()));
    const runs = await Promise.all([0, 1].map((index) => runExperiment(experiment, container(), { shard: { index, count: 2 } })));
    expect(runs.flat().map((r) => r.outcome)).toEqual(['computed', 'computed']);
    expect(output.match(/calibrate mid on [^\n]* 4\/4 batches/g)).toHaveLength(1); // one calibration ran to its end
    expect(output).toMatch(/thresholds\/[0-9a-f]{16}\.json\.lock: held by .* pid \d+ since .*; waiting for it to finish/);
    expect(readdirSync(join(ws.cache, 'thresholds'))).toHaveLength(1); // the file, no lock, no checkpoint
  });
});
