import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { planRuns } from '../src/plan/plan.ts';
import { readArrowFile } from '../src/results/arrow.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { isTiming, type Row } from '../src/tasks/task.ts';
import { testContainer, tinyExperiment, workspace } from './helpers.ts';

const root = join(import.meta.dirname, '..', '..', '..');

/** Rows without their timing columns. */
const deterministic = (rows: readonly Row[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !isTiming(k))));

describe('a run killed mid-way', () => {
  it('resumes at its first missing sample, losing and duplicating nothing, and ends byte-identical', async () => {
    const ws = workspace('resume-');
    const file = ws.write(
      'resume.yaml',
      tinyExperiment('resume', 'policy: { name: dtome, thresholds: [0.95, 0.95, 0.95, 0.95] }\nseeds: [4]\n').replace('count: 3', 'count: 6').replace('{ batch: 4, chunk: 4 }', '{ batch: 2, chunk: 2 }'),
    );
    const reference = { ...ws, results: join(ws.dir, 'reference') };
    const container = testContainer(reference);
    const experiment = loadExperiment(file, [], knownNames(container));
    const [run] = planRuns(experiment);
    expect((await runExperiment(experiment, container)).map((r) => r.outcome)).toEqual(['computed']);
    expect((await runExperiment(experiment, container)).map((r) => r.outcome)).toEqual(['cached']);

    // The same run in a child process, killed with SIGKILL once a few chunks are committed.
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'run-child.ts'), file, ws.results, ws.cache, '300'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const killedAt = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        const committed = [...d.toString().matchAll(/committed (\d+)\/(\d+)/g)].map((m) => Number(m[1]));
        if (committed.some((n) => n >= 6)) {
          child.kill('SIGKILL');
          resolve(Math.max(...committed));
        }
      });
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? undefined : reject(new Error(`child exited (${code}) before it was killed: ${stderr}`))));
    });
    await new Promise((resolve) => child.on('close', resolve));

    const dir = RunDir.of(ws.results, 'resume', run.id);
    expect(dir.status).toBe('partial');
    const committed = dir.rows().length;
    expect(committed).toBeGreaterThanOrEqual(killedAt);
    expect(committed).toBeLessThan(24);
    writeFileSync(`${join(dir.path, 'rows-000099.arrow')}~elsewhere~123~0badc0de.tmp`, 'half a chunk'); // as a write cut short on another host would leave it
    utimesSync(readdirSync(dir.path).filter((f) => f.endsWith('.tmp')).map((f) => join(dir.path, f))[0], new Date(0), new Date(0)); // … long ago

    expect((await runExperiment(experiment, testContainer(ws))).map((r) => r.outcome)).toEqual(['computed']);
    expect(dir.status).toBe('done');
    expect(readdirSync(dir.path).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const done = RunDir.of(reference.results, 'resume', run.id);
    const rows = dir.rows();
    expect(rows.map((r) => r.index)).toEqual([...Array(24).keys()]);
    expect(deterministic(rows)).toEqual(deterministic(done.rows()));
    expect(new Set(rows.map((r) => r.tokens_cls)).size).toBeGreaterThan(1); // the policy really merges per image
    expect(dir.chunks().map((f) => f.slice(-16))).toEqual(done.chunks().map((f) => f.slice(-16)));
    expect(readFileSync(join(dir.path, 'summary.arrow'))).toEqual(readFileSync(join(done.path, 'summary.arrow')));
    expect(readArrowFile(join(dir.path, 'summary.arrow')).rows[0]).toMatchObject({ run_id: run.id, seed: 4, samples: 24 });
    const sessions = dir.meta()!.sessions;
    expect(sessions.map((s) => s.fromRow)).toEqual([0, committed]);
  });
});
