import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256 } from '@dymu/core';
import { planRuns, selectShard, type Experiment, type RunState, type Shard } from '@dymu/experiments';
import { sbatchScript, type SlurmResources } from './sbatch-script.ts';
import { describeJob, submitScript, TASK_LOG, type JobScript, type SubmitOptions } from './submit.ts';

/** One shard of an experiment's run plan with the state of its runs on disk. */
export interface ExperimentShard {
  readonly shard: Shard;
  readonly runs: readonly RunState[];
}

/** The plan's runs (states in plan order, as `planStatus` gives them) split as `dymu run --shard i/n` splits them. */
export function experimentShards(states: readonly RunState[], count: number): ExperimentShard[] {
  return Array.from({ length: count }, (_, index) => ({ shard: { index, count }, runs: selectShard(states, { index, count }) }));
}

export const shardFinished = (shard: ExperimentShard): boolean => shard.runs.every((r) => r.status === 'done');

const planKey = (experiment: Experiment): string => sha256(planRuns(experiment).map((r) => r.id).join('\n')).slice(0, 12);

/**
 * `<results>/<experiment>/slurm/<plan key>-<n>/`: the job directory of the plan in n shards (the key
 * hashes the run ids, so the same file and overrides always find the same directory).
 */
export function experimentJobDir(results: string, experiment: Experiment, shards: number): string {
  return resolve(results, experiment.name, 'slurm', `${planKey(experiment)}-${shards}`);
}

/** The job directories of the plan that exist, with their shard counts. */
export function experimentJobDirs(results: string, experiment: Experiment): { dir: string; shards: number }[] {
  const parent = resolve(results, experiment.name, 'slurm');
  if (!existsSync(parent)) return [];
  const pattern = new RegExp(`^${planKey(experiment)}-(\\d+)$`);
  return readdirSync(parent).flatMap((name) => {
    const match = pattern.exec(name);
    return match ? [{ dir: join(parent, name), shards: Number(match[1]) }] : [];
  });
}

export interface ExperimentArray {
  readonly experiment: Experiment;
  readonly results: string;
  readonly shards: number;
  /** The dymu command line of the whole plan (node, dymu.js, `run`, the file, its overrides, options); each task adds its `--shard`. */
  readonly command: readonly string[];
  readonly workdir: string;
  readonly resources: SlurmResources;
}

export const RUN_SCRIPT = 'run.sbatch';

/** The array job of an experiment: its script, and the shards with unfinished runs to submit. */
export function experimentArray(job: ExperimentArray, states: readonly RunState[]): { script: JobScript; options: SubmitOptions & { tasks: number[] } } {
  const dir = experimentJobDir(job.results, job.experiment, job.shards);
  const text = sbatchScript({
    name: `dymu-${job.experiment.name}`,
    about: [
      `${job.experiment.name} (${job.experiment.file}): ${states.length} runs in ${job.shards} shards, written by dymu run --executor slurm.`,
      `Task i runs shard i (runs i, i+${job.shards}, …), skipping finished runs and resuming interrupted ones.`,
      `Re-run one task alone: sbatch --array=I ${join(dir, RUN_SCRIPT)}`,
    ],
    workdir: job.workdir,
    output: join(dir, 'logs', TASK_LOG),
    resources: job.resources,
    shards: job.shards,
    command: job.command,
  });
  const tasks = experimentShards(states, job.shards).filter((s) => !shardFinished(s)).map((s) => s.shard.index);
  return { script: { dir, name: RUN_SCRIPT, text, shards: job.shards }, options: { tasks, parallelism: job.resources.arrayParallelism } };
}

/** Submits the shards with unfinished runs; returns the job id (none when every run is finished), the shards submitted and the script. */
export function submitExperiment(job: ExperimentArray, states: readonly RunState[]): { job?: string; tasks: number[]; script: string } {
  const { script, options } = experimentArray(job, states);
  return { job: options.tasks.length === 0 ? undefined : submitScript(script, options), tasks: options.tasks, script: join(script.dir, script.name) };
}

/** What `--dry-run` prints: the script and the sbatch command that would submit the unfinished shards. */
export function describeExperimentArray(job: ExperimentArray, states: readonly RunState[]): string {
  const { script, options } = experimentArray(job, states);
  return options.tasks.length === 0 ? `# every run of ${job.experiment.name} is finished: nothing to submit\n` : describeJob(script, options);
}
