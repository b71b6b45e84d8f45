import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { planRuns } from '../src/plan/plan.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { isTiming, type Row } from '../src/tasks/task.ts';
import { testContainer, tinyExperiment, workspace } from './helpers.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const RACES = 10;
const deterministic = (rows: readonly Row[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !isTiming(k))));

/** Runs race-child.ts as racer `me`; resolves with its `race <k> <outcome>` lines. */
function racer(args: string[], me: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'race-child.ts'), ...args, String(me)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(stdout.trim().split('\n')) : reject(new Error(`racer ${me} exited ${code}: ${stderr}`)))));
}

describe('two processes running one experiment at once', () => {
  it(`end, ${RACES} times over with start offsets of 0 to 270 ms either way, with exactly the run one process computes alone`, async () => {
    const ws = workspace('race-');
    const file = ws.write('race.yaml', tinyExperiment('race', 'policy: { name: dtome, thresholds: [0.95, 0.95, 0.95, 0.95] }\nseeds: [1]\n').replace('{ batch: 4, chunk: 4 }', '{ batch: 2, chunk: 2 }'));
    const container = testContainer(ws);
    const experiment = loadExperiment(file, [], knownNames(container));
    const [run] = planRuns(experiment);
    await runExperiment(experiment, container); // the reference (and the generated model and images, in the shared cache)
    const reference = RunDir.of(ws.results, 'race', run.id);

    const args = [file, join(ws.dir, 'races'), ws.cache, String(RACES), '30'];
    const outcomes = (await Promise.all([racer(args, 0), racer(args, 1)])).flat();
    for (let k = 0; k < RACES; k++) {
      // the lock lets one compute; the other waits for it and finds the run finished
      expect(outcomes.filter((line) => line.startsWith(`race ${k} `)).sort()).toEqual([`race ${k} cached`, `race ${k} computed`]);
      const dir = RunDir.of(join(ws.dir, 'races', `race-${k}`, 'results'), 'race', run.id);
      expect(dir.status).toBe('done');
      expect(readdirSync(dir.path).sort()).toEqual(readdirSync(reference.path).sort()); // the same chunks, no LOCK, no temporary file
      expect(deterministic(dir.rows())).toEqual(deterministic(reference.rows()));
      expect(readFileSync(join(dir.path, 'summary.arrow'))).toEqual(readFileSync(join(reference.path, 'summary.arrow')));
      expect(dir.meta()!.sessions).toHaveLength(1);
    }
  }, 60_000);
});
