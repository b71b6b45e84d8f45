import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runShardsLocally } from '../src/index.ts';
import { clusterRunCommand } from '../../cli/src/commands/run-cluster.ts';
import { dymu, dymuCommand, finishedBlockCounts, randomLikeExperiment, resultsOf, root, withStderr } from './dymu.ts';

const tmp = mkdtempSync(join(tmpdir(), 'dymu-cluster-local-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const withoutTime = (path: string) => readFileSync(path, 'utf8').replace(/"createdAt": "[^"]+"/, '"createdAt": ""');

describe('local workers (--jobs N)', () => {
  it('runs shard i of n per worker, threads split over the cores, output prefixed, failures named', async () => {
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk) => (text += chunk));
    const script = 'const s = process.argv.at(-1); console.log(`shard ${s}, threads ${process.env.DYMU_THREADS}`); process.exit(s === "2/4" ? 3 : 0)';
    await expect(runShardsLocally({ command: [process.execPath, '-e', script, '--'], shards: 4, cores: 2, output })).rejects.toThrow('shard 2/4 (exit 3) failed');
    expect(text.split('\n').filter(Boolean).sort()).toEqual(['[0/4] shard 0/4, threads 1', '[1/4] shard 1/4, threads 1', '[2/4] shard 2/4, threads 1', '[3/4] shard 3/4, threads 1']);
  });

  it.each(['compact', 'official'])('dymu calibrate --jobs 2 writes the file one process writes, byte for byte but createdAt (%s layout)', (layout) => {
    const model = join(tmp, 'clip');
    if (!existsSync(model)) expect(dymu(['make-model', '--arch', 'clip-vit', '--preset', 'tiny', '--out', model]).code).toBe(0);
    const calibrate = (out: string, ...more: string[]) => dymu(['calibrate', '--model', model, '--images', join(root, 'assets', 'images'), '--schedule', 'mid', '--batch', '2', '--layout', layout, '--out', out, ...more]);
    const single = calibrate(join(tmp, `single-${layout}.json`));
    expect(single.code, single.err).toBe(0);
    const sharded = calibrate(join(tmp, `jobs-${layout}.json`), '--jobs', '2');
    expect(sharded.code, sharded.err).toBe(0);
    expect(sharded.err).toMatch(/^\[1\/2\] shard 1\/2: batches 1 of 3: /m);
    expect(sharded.out).toContain('merged 2 shards (3 batches)');
    expect(withoutTime(join(tmp, `jobs-${layout}.json`))).toBe(withoutTime(join(tmp, `single-${layout}.json`)));
    expect(JSON.parse(readFileSync(join(tmp, `single-${layout}.json`), 'utf8')).layout).toBe(layout);
  });

  it('dymu run --jobs 2 checks every input before it starts a worker', async () => {
    const file = join(root, 'experiments', 'quickstart.yaml');
    const results = join(tmp, 'missing');
    const missing = join(tmp, 'no-such-model');
    await expect(dymuCommand(clusterRunCommand as never, ['run', file, `model.encoder=${missing}`, '--jobs', '2', '--results', results, '--cache', join(tmp, 'cache-missing')])).rejects.toThrow(
      `1 problem:\n  - command-line override \`model.encoder=${missing}\`: model.encoder: ${missing}: model directory not found\nnothing was computed`,
    );
    expect(existsSync(results)).toBe(false);
  });

  it('dymu run --jobs 2 runs the rows random runs copy first, so that no shard waits for another', async () => {
    const file = randomLikeExperiment(tmp);
    // Without the first wave, shard 1/2 (the random run) would start before shard 0/2 finished its reference.
    const { err } = await withStderr(() => dymuCommand(clusterRunCommand as never, ['run', file, '--jobs', '2', '--results', join(tmp, 'random-results'), '--cache', join(tmp, 'cache-random')]));
    // The first wave: one worker for the one reference run, not --jobs of them.
    expect(err).toMatch(/^\[0\/1\] shard 0\/1: done; 1 of 2 runs of random-like are finished/m);
    const runs = finishedBlockCounts(join(tmp, 'random-results'), 'random-like');
    expect(runs).toHaveLength(2);
    expect(runs[0]).toEqual(runs[1]);
  });

  it('dymu run --jobs 2 gives the tables of one process', async () => {
    const overrides = ['seeds=[0,1]', 'datasets.generated.count=2', 'calibration.dataset.count=4'];
    const file = join(root, 'experiments', 'quickstart.yaml');
    const single = dymu(['run', file, ...overrides, '--results', join(tmp, 'single'), '--cache', join(tmp, 'cache-single')]);
    expect(single.code, single.err).toBe(0);
    const { result: out, err } = await withStderr(() => dymuCommand(clusterRunCommand as never, ['run', file, ...overrides, '--jobs', '2', '--results', join(tmp, 'jobs'), '--cache', join(tmp, 'cache-jobs')]));
    // The table once: the workers (their output on stderr, prefixed) say they are done, the parent prints it.
    expect((out + err).split('| DToMe |')).toHaveLength(2);
    expect(err).toMatch(/^\[1\/2\] shard 1\/2: done; \d of 6 runs of quickstart are finished/m);
    const jobs = resultsOf(join(tmp, 'jobs'), 'quickstart');
    expect(Object.keys(jobs.summaries)).toHaveLength(6);
    expect(jobs).toEqual(resultsOf(join(tmp, 'single'), 'quickstart'));
  });
});
