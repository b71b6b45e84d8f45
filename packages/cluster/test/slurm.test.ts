import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer, knownNames, loadExperiment, planRuns, RUN_FORMAT } from '@dymu/experiments';
import { slurmView } from '../src/index.ts';
import { clusterRunCommand } from '../../cli/src/commands/run-cluster.ts';
import { statusCommand } from '../../cli/src/commands/status.ts';
import { dymu, dymuCommand, finishedBlockCounts, randomLikeExperiment, resultsOf, root } from './dymu.ts';

/**
 * Against a real Slurm: tools/slurm/start-cluster.sh starts a single-node cluster (munged,
 * slurmctld, slurmd) under a temporary directory, as root; .ci/run installs slurm-wlm and munge first.
 */
function whySkipped(): string | undefined {
  if (process.getuid?.() !== 0) return 'it starts munged, slurmctld and slurmd, which needs root (.ci/run runs as root)';
  const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length > 0) return `${missing.join(', ')} not installed (apt-get install slurm-wlm munge, as .ci/run does)`;
  return undefined;
}

const skipped = whySkipped();
if (skipped) console.warn(`real-Slurm test skipped: ${skipped}`);

/** Waits until Slurm no longer queues or runs any task of these jobs. */
async function finished(jobs: readonly string[], timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const mine = (id: string) => jobs.some((job) => id === job || id.startsWith(`${job}_`));
  while ([...slurmView(jobs).states.keys()].some(mine)) {
    if (Date.now() > until) throw new Error(`jobs ${jobs.join(', ')} still queued after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

const jobIds = (text: string, pattern: RegExp): string => {
  const match = pattern.exec(text);
  if (!match) throw new Error(`expected ${pattern} in:\n${text}`);
  return match[1];
};

describe.skipIf(skipped)('on a real single-node Slurm cluster', () => {
  let tmp = '';
  let cluster = '';
  const savedConf = process.env.SLURM_CONF;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'dymu-slurm-'));
    cluster = join(tmp, 'cluster');
    chmodSync(tmp, 0o755); // munged (user munge) must reach its socket under it
    const started = spawnSync('bash', [join(root, 'tools/slurm/start-cluster.sh'), cluster], { encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`tools/slurm/start-cluster.sh failed:\n${started.stderr}`);
    process.env.SLURM_CONF = join(cluster, 'slurm.conf');
  }, 60_000);

  afterAll(() => {
    spawnSync('bash', [join(root, 'tools/slurm/stop-cluster.sh'), cluster]);
    if (savedConf === undefined) delete process.env.SLURM_CONF;
    else process.env.SLURM_CONF = savedConf;
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('runs the quickstart as a 4-task array: a failed task re-runs alone, the results equal one local process', async () => {
    const file = join(root, 'experiments', 'quickstart.yaml');
    const overrides = ['datasets.generated.count=4'];
    const results = join(tmp, 'slurm-results');
    const run = (...more: string[]) => dymuCommand(clusterRunCommand as never, ['run', file, ...overrides, '--results', results, '--cache', join(tmp, 'slurm-cache'), ...more]);
    // Run 2 (shard 2 of 4) finds a directory of another run in its place and fails.
    const experiment = loadExperiment(file, overrides, knownNames(createContainer({ results })));
    const broken = join(results, experiment.name, planRuns(experiment)[2].id);
    mkdirSync(broken, { recursive: true });
    const another = { format: RUN_FORMAT, experiment: experiment.name, id: 'another', seed: 0, config: {}, labels: {}, total: 4, models: {}, provenance: {}, sessions: [], finished: null };
    writeFileSync(join(broken, 'run.json'), JSON.stringify(another)); // a well-formed run.json of another run

    const dry = await run('--executor', 'slurm', '--jobs', '4', '--dry-run');
    expect(dry).toContain('#SBATCH --array=0-3\n');
    expect(dry).toContain(`datasets.generated.count=4 --results ${results}`);
    const first = jobIds(await run('--executor', 'slurm', '--jobs', '4'), /submitted job (\d+): shards 0-3 of 4 /);
    await finished([first]);
    const status = await dymuCommand(statusCommand as never, ['status', file, ...overrides, '--results', results]);
    expect(status).toMatch(/^quickstart: 7\/9 runs done\n/);
    expect(status).toMatch(new RegExp(`shard 1/4: 2/2 runs done +job ${first}_1 `));
    const log = new RegExp(`shard 2/4: 0/2 runs done +job ${first}_2 \\(no longer queued\\); log (\\S+)\n`).exec(status)?.[1];
    expect(readFileSync(log!, 'utf8')).toMatch(/holds run another \(seed 0\) of another config/);

    rmSync(broken, { recursive: true });
    const second = jobIds(await run('--executor', 'slurm', '--jobs', '4'), /submitted job (\d+): shard 2 of 4 /);
    await finished([second]);
    expect(await run('--executor', 'slurm', '--jobs', '4')).toContain('every run of quickstart is finished: nothing to submit');

    const local = join(tmp, 'local-results');
    const single = dymu(['run', file, ...overrides, '--results', local, '--cache', join(tmp, 'local-cache')]);
    expect(single.code, single.err).toBe(0);
    expect(dymu(['table', file, ...overrides, '--results', results]).code).toBe(0);
    const onSlurm = resultsOf(results, 'quickstart');
    expect(Object.keys(onSlurm.summaries)).toHaveLength(9);
    expect(onSlurm).toEqual(resultsOf(local, 'quickstart'));
  }, 240_000);

  it('submits the runs random runs copy first and the plan after them: a random row like another finishes without a resubmit', async () => {
    const file = randomLikeExperiment(tmp);
    const results = join(tmp, 'like-results');
    const run = (...more: string[]) => dymuCommand(clusterRunCommand as never, ['run', file, '--results', results, '--cache', join(tmp, 'like-cache'), '--executor', 'slurm', '--jobs', '2', ...more]);
    const dry = await run('--dry-run');
    expect(dry).toContain('--references-only --shard "$SLURM_ARRAY_TASK_ID/1"\n');
    expect(dry).toContain("'--dependency=afterok:<references job id>'");
    const out = await run();
    // Without the first array, task 1 (the random run) would start next to task 0 (its reference) and stop.
    const references = jobIds(out, /submitted job (\d+): the runs random runs take their counts from, shard 0 of 1 /);
    const plan = jobIds(out, new RegExp(`submitted job (\\d+): shards 0-1 of 2 \\(\\S+\\), once job ${references} has succeeded\n`));
    // Slurm holds the plan's tasks until the references' array has succeeded.
    const held = spawnSync('squeue', ['-h', '-j', plan, '-o', '%E'], { encoding: 'utf8' });
    expect(held.stdout.trim()).toMatch(new RegExp(`^afterok:${references}(_\\*)?\\(unfulfilled\\)$`));
    await finished([references, plan]);
    const runs = finishedBlockCounts(results, 'random-like');
    expect(runs).toHaveLength(2);
    expect(runs[0].length).toBeGreaterThan(0);
    expect(runs[0].every((counts) => Array.isArray(counts) && counts.length > 1)).toBe(true);
    expect(runs[0]).toEqual(runs[1]);
    const status = await dymuCommand(statusCommand as never, ['status', file, '--results', results]);
    expect(status).toMatch(/^random-like: 2\/2 runs done\n/);
    expect(status).toMatch(new RegExp(`shard 0/1: 1/1 runs done +job ${references}_0 `));
    expect(status).toMatch(new RegExp(`shard 1/2: 1/1 runs done +job ${plan}_1 `));
  }, 60_000);

  it('calibrates in 2 shards and merges them in a dependent job into the file one process writes', async () => {
    const model = join(tmp, 'clip');
    expect(dymu(['make-model', '--arch', 'clip-vit', '--preset', 'tiny', '--out', model]).code).toBe(0);
    const calibrate = (out: string, ...more: string[]) => dymu(['calibrate', '--model', model, '--images', join(root, 'assets', 'images'), '--schedule', 'mid', '--batch', '2', '--out', out, ...more]);
    const out = join(tmp, 'slurm.json');
    const submitted = calibrate(out, '--executor', 'slurm', '--jobs', '2');
    expect(submitted.code, submitted.err).toBe(0);
    const shards = jobIds(submitted.out, /submitted job (\d+): shards 0-1 of 2\n/);
    const merge = jobIds(submitted.out, new RegExp(`submitted job (\\d+): the merge into ${out}, once job ${shards} has succeeded\n`));
    const single = calibrate(join(tmp, 'single.json'));
    expect(single.code, single.err).toBe(0);
    await finished([shards, merge]);
    const withoutTime = (path: string) => readFileSync(path, 'utf8').replace(/"createdAt": "[^"]+"/, '"createdAt": ""');
    expect(withoutTime(out)).toBe(withoutTime(join(tmp, 'single.json')));
    const status = await dymuCommand(statusCommand as never, ['status', out]);
    expect(status).toMatch(new RegExp(`shard 1/2: done \\(batches 1\\) +job ${shards}_1 `));
    expect(status).toMatch(new RegExp(`merge +job ${merge} `));
  }, 120_000);
});
