import { basename, join, resolve } from 'node:path';
import { shardDirectory, shardFilePath } from '@dymu/merging';
import { afterOk } from './reference-wave.ts';
import { sbatchScript, type SlurmResources } from './sbatch-script.ts';
import { describeJob, submitScript, TASK_LOG, type JobScript, type SubmitOptions } from './submit.ts';

export interface CalibrationArray {
  /** The threshold file; shard files, scripts, logs and submissions go to `<out>.shards/`. */
  readonly out: string;
  readonly shards: number;
  /** node and dymu.js. */
  readonly cli: readonly string[];
  /** `dymu calibrate`'s arguments for the whole calibration (with `--out`); each task adds its `--shard`. */
  readonly args: readonly string[];
  readonly workdir: string;
  readonly resources: SlurmResources;
}

export const SHARDS_SCRIPT = 'shards.sbatch';
export const MERGE_SCRIPT = 'merge.sbatch';

interface CalibrationJobs {
  /** The array of the unfinished shards (none when all are finished). */
  readonly shards?: { readonly script: JobScript; readonly options: SubmitOptions };
  /** The merge of the shard files into the threshold file, after the array job when there is one. */
  readonly merge: { readonly script: JobScript; readonly options: (arrayJob?: string) => SubmitOptions };
}

/**
 * The two jobs of a calibration: an array with one task per pending shard, then the merge (with
 * the partition, time and extra options only) as a job that runs once all tasks have succeeded,
 * and is cancelled when one fails (so a re-submission leaves no merge waiting forever).
 */
export function calibrationJobs(job: CalibrationArray, pending: readonly number[]): CalibrationJobs {
  const dir = resolve(shardDirectory(job.out));
  const name = basename(job.out).replace(/\.json$/, '');
  const files = Array.from({ length: job.shards }, (_, index) => shardFilePath(job.out, { index, count: job.shards }));
  const { partition, time, options } = job.resources;
  const shards = sbatchScript({
    name: `dymu-calibrate-${name}`,
    about: [
      `Calibration of ${job.out} in ${job.shards} shards, written by dymu calibrate --executor slurm.`,
      `Task i calibrates batches i, i+${job.shards}, … into ${shardDirectory(job.out)}/shard-i-of-${job.shards}.json (a finished shard is kept).`,
      `Re-run one task alone: sbatch --array=I ${join(dir, SHARDS_SCRIPT)}`,
    ],
    workdir: job.workdir,
    output: join(dir, 'logs', TASK_LOG),
    resources: job.resources,
    shards: job.shards,
    command: [...job.cli, 'calibrate', ...job.args],
  });
  const merge = sbatchScript({
    name: `dymu-merge-${name}`,
    about: [`Merges the ${job.shards} shard files of ${job.out} into it, written by dymu calibrate --executor slurm.`],
    workdir: job.workdir,
    output: join(dir, 'logs', 'merge-job-%j.out'),
    resources: { partition, time, options: [...(options ?? []), '--kill-on-invalid-dep=yes'] },
    command: [...job.cli, 'calibrate', '--merge', ...files, '--out', job.out],
  });
  return {
    shards: pending.length === 0 ? undefined : { script: { dir, name: SHARDS_SCRIPT, text: shards, shards: job.shards }, options: { tasks: pending, parallelism: job.resources.arrayParallelism } },
    merge: { script: { dir, name: MERGE_SCRIPT, text: merge, shards: null }, options: (arrayJob) => (arrayJob === undefined ? {} : { dependency: afterOk(arrayJob) }) },
  };
}

/** Submits the unfinished shards as an array and the merge after them; returns both job ids. */
export function submitCalibration(job: CalibrationArray, pending: readonly number[]): { shards?: string; merge: string } {
  const jobs = calibrationJobs(job, pending);
  const shards = jobs.shards && submitScript(jobs.shards.script, jobs.shards.options);
  return { shards, merge: submitScript(jobs.merge.script, jobs.merge.options(shards)) };
}

/** What `--dry-run` prints: each script and the sbatch command that would submit it. */
export function describeCalibrationJobs(job: CalibrationArray, pending: readonly number[]): string {
  const jobs = calibrationJobs(job, pending);
  const parts = jobs.shards ? [describeJob(jobs.shards.script, jobs.shards.options)] : [`# every shard of ${job.out} is finished: only the merge`];
  parts.push(describeJob(jobs.merge.script, jobs.merge.options(jobs.shards && '<array job id>')));
  return parts.join('\n');
}
