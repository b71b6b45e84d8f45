import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createContainer, knownNames, loadExperiment, planStatus, type RunState } from '@dymu/experiments';
import {
  arrayRange,
  arrayTasks,
  calibrationJobs,
  afterOk,
  calibrationStatus,
  describeCalibrationJobs,
  describeExperimentArray,
  experimentArray,
  experimentShards,
  experimentStatus,
  latestJob,
  parseJobStates,
  referenceArray,
  referenceShardCount,
  referenceStates,
  sbatchScript,
  shellCommand,
  workerPlan,
  type Submission,
  type SlurmView,
} from '../src/index.ts';
import { randomLikeExperiment } from './dymu.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'dymu-cluster-jobs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sbatch scripts', () => {
  it('writes --array values as ranges with a parallelism limit, and reads them back', () => {
    expect(arrayRange([0, 1, 2, 3])).toBe('0-3');
    expect(arrayRange([5, 1, 3, 4], 2)).toBe('1,3-5%2');
    expect(arrayRange([7])).toBe('7');
    expect(arrayTasks('1,3-5%2')).toEqual([1, 3, 4, 5]);
    expect(arrayTasks('[2-3]')).toEqual([2, 3]);
  });

  it('quotes words for bash only when needed', () => {
    expect(shellCommand(['dymu', 'run', 'experiments/a.yaml', 'policy.r=8', 'seeds=[0,1]', "it's", ''])).toBe(`dymu run experiments/a.yaml policy.r=8 'seeds=[0,1]' 'it'\\''s' ''`);
  });

  it('sets the directives, the threads from the CPUs Slurm gives, and each task its shard out of the full count', () => {
    const script = sbatchScript({
      name: 'dymu-quickstart',
      about: ['quickstart in 4 shards'],
      workdir: '/work/main',
      output: '/r/logs/shard-%a-job-%A.out',
      resources: { partition: 'cpu', time: '01:00:00', cpusPerTask: 8, gpusPerTask: 1, arrayParallelism: 2, options: ['--mem=32G', '--account=my proj'] },
      shards: 4,
      command: ['/usr/bin/node', '/work/main/packages/cli/bin/dymu.js', 'run', 'experiments/quickstart.yaml', 'seeds=[0,1]'],
    });
    expect(script).toBe(
      [
        '#!/bin/bash',
        '# quickstart in 4 shards',
        '#SBATCH --job-name=dymu-quickstart',
        '#SBATCH --array=0-3%2',
        '#SBATCH --output=/r/logs/shard-%a-job-%A.out',
        '#SBATCH --chdir=/work/main',
        '#SBATCH --partition=cpu',
        '#SBATCH --time=01:00:00',
        '#SBATCH --cpus-per-task=8',
        '#SBATCH --gpus-per-task=1',
        '#SBATCH --mem=32G',
        '#SBATCH "--account=my proj"',
        'set -euo pipefail',
        '# onnxruntime threads per session: the CPUs Slurm gave this task',
        'export DYMU_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
        `exec /usr/bin/node /work/main/packages/cli/bin/dymu.js run experiments/quickstart.yaml 'seeds=[0,1]' --shard "$SLURM_ARRAY_TASK_ID/4"`,
        '',
      ].join('\n'),
    );
  });
});

describe('Slurm states and submissions', () => {
  it('reads squeue and sacct lines, one entry per array task, states without their notes', () => {
    const squeue = parseJobStates('12_0|RUNNING\n12_1|PENDING\n13|PENDING\n');
    expect([...squeue]).toEqual([['12_0', 'RUNNING'], ['12_1', 'PENDING'], ['13', 'PENDING']]);
    const sacct = parseJobStates('12_2|FAILED\n12_[3-4%1]|PENDING\n14|CANCELLED by 0\n\n');
    expect([...sacct]).toEqual([['12_2', 'FAILED'], ['12_3', 'PENDING'], ['12_4', 'PENDING'], ['14', 'CANCELLED']]);
  });

  it("finds a task's latest job among the submissions of a script", () => {
    const at = (job: string, script: string, tasks: number[] | null): Submission => ({ job, script, shards: tasks && 4, tasks, dependency: null, submitted: '' });
    const submissions = [at('12', 'shards.sbatch', [0, 1, 2, 3]), at('13', 'merge.sbatch', null), at('15', 'shards.sbatch', [2]), at('16', 'merge.sbatch', null)];
    expect([0, 2].map((task) => latestJob(submissions, 'shards.sbatch', task))).toEqual(['12_0', '15_2']);
    expect(latestJob(submissions, 'merge.sbatch')).toBe('16');
    expect(latestJob(submissions, 'run.sbatch', 0)).toBeUndefined();
  });

  it('keeps local workers × onnxruntime threads within the cores', () => {
    expect(workerPlan(4, 2)).toEqual({ parallel: 2, threads: 1 });
    expect(workerPlan(2, 8)).toEqual({ parallel: 2, threads: 4 });
    expect(workerPlan(3, 8)).toEqual({ parallel: 3, threads: 2 });
    expect(workerPlan(1, 2)).toEqual({ parallel: 1, threads: 2 });
  });
});

describe('experiment arrays', () => {
  const results = join(tmp, 'results');
  const experiment = loadExperiment(join(root, 'experiments', 'quickstart.yaml'), [], knownNames(createContainer({ results })));
  // Shard 1 of 4 (runs 1, 5) finished, one run of shard 2 half done.
  const states: RunState[] = planStatus(experiment, results).map((s, i) => (i % 4 === 1 ? { ...s, status: 'done', rows: 32, total: 32 } : i === 2 ? { ...s, status: 'partial', rows: 10, total: 32 } : s));
  const job = { experiment, results, shards: 4, command: ['node', 'dymu.js', 'run', 'quickstart.yaml'], workdir: root, resources: { arrayParallelism: 2 } };

  it('splits the plan as dymu run --shard does and submits only the shards with unfinished runs', () => {
    expect(experimentShards(states, 4).map((s) => s.runs.map((r) => r.run.id))).toEqual([0, 1, 2, 3].map((i) => states.filter((_, k) => k % 4 === i).map((s) => s.run.id)));
    const { script, options } = experimentArray(job, states);
    expect(options).toEqual({ tasks: [0, 2, 3], parallelism: 2 });
    expect(script.dir).toMatch(new RegExp(`${results}/quickstart/slurm/[0-9a-f]{12}-4$`));
    expect(script.text).toContain('#SBATCH --array=0-3%2\n');
    expect(script.text).toContain(`#SBATCH --output=${script.dir}/logs/shard-%a-job-%A.out\n`);
    expect(script.text).toContain('exec node dymu.js run quickstart.yaml --shard "$SLURM_ARRAY_TASK_ID/4"\n');
    expect(experimentArray(job, states.map((s) => ({ ...s, status: 'done' }))).options.tasks).toEqual([]);
    expect(referenceArray(job, states)).toBeUndefined();
    expect(script.text).not.toContain('--kill-on-invalid-dep');
  });

  it('shows per run and per shard what disk and Slurm say, with the log of a shard that stopped unfinished', () => {
    const { script } = experimentArray(job, states);
    const submissions: Submission[] = [{ job: '12', script: 'run.sbatch', shards: 4, tasks: [0, 2, 3], dependency: null, submitted: '' }];
    const view: SlurmView = { states: new Map([['12_0', 'RUNNING'], ['12_3', 'FAILED']]), squeue: 'ok', sacct: 'ok' };
    const text = experimentStatus(experiment, states, [{ dir: script.dir, shards: 4, submissions }], view);
    expect(text).toMatch(/^quickstart: 2\/9 runs done\n/);
    expect(text).toContain(`slurm, 4 shards (${script.dir}/run.sbatch):\n`);
    expect(text).toMatch(/shard 0\/4: 0\/3 runs done +job 12_0 RUNNING\n/);
    expect(text).toMatch(/shard 1\/4: 2\/2 runs done +not submitted\n/);
    expect(text).toMatch(new RegExp(`shard 2/4: 0/2 runs done, 1 partial +job 12_2 \\(no longer queued\\); log ${script.dir}/logs/shard-2-job-12.out\n`));
    expect(text).toMatch(new RegExp(`shard 3/4: 0/2 runs done +job 12_3 FAILED; log ${script.dir}/logs/shard-3-job-12.out\n`));
    expect(text).toMatch(/squeue: ok; sacct: ok\n$/);
  });
});

describe('experiment arrays with random runs like another row', () => {
  const results = join(tmp, 'results-like');
  const file = randomLikeExperiment(tmp, [0, 1]);
  const experiment = loadExperiment(file, [], knownNames(createContainer({ results })));
  const states = planStatus(experiment, results);
  const job = { experiment, results, shards: 3, command: ['node', 'dymu.js', 'run', 'random-like.yaml'], workdir: root, resources: { arrayParallelism: 2 } };

  it('puts the runs others take their counts from in a first wave of at most as many shards', () => {
    expect(states.map((s) => s.run.config.policy.name)).toEqual(['dtome', 'dtome', 'random', 'random']);
    expect(referenceStates(states).map((s) => s.run.id)).toEqual(states.filter((s) => s.run.config.policy.name === 'dtome').map((s) => s.run.id));
    expect([referenceShardCount(2, 3), referenceShardCount(5, 3)]).toEqual([2, 3]);
    expect(afterOk('12')).toBe('afterok:12');
  });

  it('submits the references as an array (--references-only) and the plan after it, cancelled if a reference fails', () => {
    const references = referenceArray(job, states)!;
    expect(references.options).toEqual({ tasks: [0, 1], parallelism: 2 });
    expect(references.script.name).toBe('references.sbatch');
    expect(references.script.text).toContain('#SBATCH --array=0-1%2\n');
    expect(references.script.text).toContain('exec node dymu.js run random-like.yaml --references-only --shard "$SLURM_ARRAY_TASK_ID/2"\n');
    const plan = experimentArray(job, states);
    expect(plan.options).toEqual({ tasks: [0, 1, 2], parallelism: 2 });
    expect(plan.script.text).toContain('#SBATCH --kill-on-invalid-dep=yes\n');
    const dry = describeExperimentArray(job, states);
    expect(dry).toContain(`# submit: sbatch --parsable --array=0-1%2 ${plan.script.dir}/references.sbatch\n`);
    expect(dry).toContain(`# submit: sbatch --parsable --array=0-2%2 '--dependency=afterok:<references job id>' ${plan.script.dir}/run.sbatch\n`);
    expect(dry.indexOf('references.sbatch\n')).toBeLessThan(dry.indexOf('run.sbatch\n'));
  });

  it('submits the plan alone, without a dependency, once every reference is finished', () => {
    const finished = states.map((s, i) => (i === 0 || i === 1 ? { ...s, status: 'done' as const } : s));
    expect(referenceArray(job, finished)?.options.tasks).toEqual([]);
    const dry = describeExperimentArray(job, finished);
    expect(dry).not.toContain('references.sbatch\n');
    expect(dry).toMatch(/# submit: sbatch --parsable --array=0,2%2 \S+\/run\.sbatch\n$/);
  });

  it('shows the references\' array before the plan\'s', () => {
    const finished = states.map((s, i) => (i === 0 ? { ...s, status: 'done' as const } : s));
    const dir = experimentArray(job, states).script.dir;
    const submissions: Submission[] = [
      { job: '30', script: 'references.sbatch', shards: 2, tasks: [0, 1], dependency: null, submitted: '' },
      { job: '31', script: 'run.sbatch', shards: 3, tasks: [0, 1, 2], dependency: 'afterok:30', submitted: '' },
    ];
    const view: SlurmView = { states: new Map([['30_1', 'RUNNING'], ['31_0', 'PENDING'], ['31_1', 'PENDING'], ['31_2', 'PENDING']]), squeue: 'ok', sacct: 'ok' };
    const text = experimentStatus(experiment, finished, [{ dir, shards: 3, submissions }], view);
    expect(text.split('\n').slice(-9).map((line) => line.replace(/ +/g, ' '))).toEqual([
      `slurm, 3 shards: first the 2 runs random runs take their counts from, in 2 shards (${dir}/references.sbatch):`,
      ' shard 0/2: 1/1 runs done job 30_0 (no longer queued)',
      ' shard 1/2: 0/1 runs done job 30_1 RUNNING',
      `slurm, 3 shards (${dir}/run.sbatch):`,
      ' shard 0/3: 1/2 runs done job 31_0 PENDING',
      ' shard 1/3: 0/1 runs done job 31_1 PENDING',
      ' shard 2/3: 0/1 runs done job 31_2 PENDING',
      'squeue: ok; sacct: ok',
      '',
    ]);
  });
});

describe('calibration jobs', () => {
  const out = join(tmp, 'thresholds.json');
  const job = { out, shards: 3, cli: ['node', 'dymu.js'], args: ['--model', 'm', '--out', out], workdir: root, resources: { partition: 'cpu', cpusPerTask: 4, arrayParallelism: 2, options: ['--mem=8G'] } };

  it('submits the unfinished shards as an array and the merge after it, cancelled if a shard fails', () => {
    const jobs = calibrationJobs(job, [0, 2]);
    expect(jobs.shards?.options).toEqual({ tasks: [0, 2], parallelism: 2 });
    expect(jobs.shards?.script.text).toContain(`exec node dymu.js calibrate --model m --out ${out} --shard "$SLURM_ARRAY_TASK_ID/3"\n`);
    expect(jobs.merge.options('12')).toEqual({ dependency: 'afterok:12' });
    expect(jobs.merge.options()).toEqual({});
    const merge = jobs.merge.script.text;
    expect(merge).toContain('#SBATCH --partition=cpu\n#SBATCH --mem=8G\n#SBATCH --kill-on-invalid-dep=yes\n');
    expect(merge).not.toContain('--cpus-per-task');
    expect(merge).toContain(`calibrate --merge ${out}.shards/shard-0-of-3.json ${out}.shards/shard-1-of-3.json ${out}.shards/shard-2-of-3.json --out ${out}\n`);
    expect(describeCalibrationJobs(job, [0, 2])).toContain(`# submit: sbatch --parsable '--dependency=afterok:<array job id>' ${out}.shards/merge.sbatch\n`);
    expect(describeCalibrationJobs(job, [])).toMatch(/^# every shard of .* is finished: only the merge\n/);
  });

  it("shows the threshold file, each shard file and the jobs' states", () => {
    const submissions: Submission[] = [
      { job: '20', script: 'shards.sbatch', shards: 2, tasks: [0, 1], dependency: null, submitted: '' },
      { job: '21', script: 'merge.sbatch', shards: null, tasks: null, dependency: 'afterok:20', submitted: '' },
    ];
    const view: SlurmView = { states: new Map([['20_1', 'RUNNING'], ['21', 'PENDING']]), squeue: 'ok', sacct: 'unavailable (Slurm accounting storage is disabled)' };
    const text = calibrationStatus({ out, merged: null, shards: 2, finished: new Map([[0, [0, 2]]]) }, { dir: `${out}.shards`, submissions }, view);
    expect(text.split('\n').map((line) => line.replace(/ +/g, ' '))).toEqual([
      `${out}: not written yet`,
      `2 shards (${out}.shards):`,
      ' shard 0/2: done (batches 0, 2) job 20_0 (no longer queued)',
      ' shard 1/2: not done job 20_1 RUNNING',
      ' merge job 21 PENDING',
      'squeue: ok; sacct: unavailable (Slurm accounting storage is disabled)',
      '',
    ]);
  });
});
