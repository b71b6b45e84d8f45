import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { planStatus, type Experiment } from '@dymu/experiments';
import { readShardFile, readThresholdFile, shardBatches, shardDirectory } from '@dymu/merging';
import { experimentJobDirs } from './experiment-jobs.ts';
import { slurmView, type SlurmView } from './slurm.ts';
import { calibrationStatus, experimentStatus } from './status-text.ts';
import { readSubmissions, type Submission } from './submissions.ts';

/** Nothing submitted: Slurm is not asked. */
const NOT_ASKED: SlurmView = { states: new Map(), squeue: 'not asked', sacct: 'not asked' };

const viewOf = (submissions: readonly Submission[]): SlurmView => (submissions.length === 0 ? NOT_ASKED : slurmView([...new Set(submissions.map((s) => s.job))]));

/** The status of an experiment's runs on disk and of its Slurm submissions (squeue / sacct when they answer). */
export function readExperimentStatus(experiment: Experiment, results: string): string {
  const jobs = experimentJobDirs(results, experiment).map((job) => ({ ...job, submissions: readSubmissions(job.dir) }));
  return experimentStatus(experiment, planStatus(experiment, results), jobs, viewOf(jobs.flatMap((j) => j.submissions)));
}

const SHARD_FILE = /^shard-(\d+)-of-(\d+)\.json$/;

/**
 * The status of a calibration: its threshold file, the shard files in `<out>.shards/` (of the shard
 * count of the latest submission, else of the largest split there), and its Slurm jobs.
 */
export function readCalibrationStatus(out: string): string {
  const dir = shardDirectory(out);
  const submissions = readSubmissions(dir);
  const files = existsSync(dir) ? readdirSync(dir).flatMap((name) => (SHARD_FILE.exec(name) ? [name] : [])) : [];
  const counts = files.map((name) => Number(SHARD_FILE.exec(name)![2]));
  const shards = submissions.findLast((s) => s.shards !== null)?.shards ?? (counts.length > 0 ? Math.max(...counts) : null);
  const finished = new Map<number, number[]>();
  for (const name of files) {
    const { shard, totalBatches } = readShardFile(join(dir, name));
    if (shard.count === shards) finished.set(shard.index, shardBatches(totalBatches, shard));
  }
  const merged = existsSync(out) ? readThresholdFile(out).createdAt : null;
  return calibrationStatus({ out, merged, shards, finished }, { dir, submissions }, viewOf(submissions));
}
