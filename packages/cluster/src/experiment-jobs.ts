import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sha256 } from '@dymu/core';
import { planRuns, selectShard, type Experiment, type RunState, type Shard } from '@dymu/experiments';
import { afterOk, referenceShardCount, referenceStates } from './reference-wave.ts';
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
export const REFERENCES_SCRIPT = 'references.sbatch';

/** An array job of an experiment: its script, and the shards with unfinished runs to submit. */
interface ArrayJob {
  readonly script: JobScript;
  readonly options: SubmitOptions & { tasks: number[] };
}

const unfinishedShards = (states: readonly RunState[], count: number): number[] => experimentShards(states, count).filter((s) => !shardFinished(s)).map((s) => s.shard.index);

/**
 * The array job of an experiment's whole plan. When random runs take their counts from other runs,
 * it is submitted after the references' array (referenceArray) and is cancelled when that one fails
 * (`--kill-on-invalid-dep=yes`), so that a re-submission leaves no array waiting forever.
 */
export function experimentArray(job: ExperimentArray, states: readonly RunState[]): ArrayJob {
  const dir = experimentJobDir(job.results, job.experiment, job.shards);
  const after = referenceStates(states).length > 0;
  const text = sbatchScript({
    name: `dymu-${job.experiment.name}`,
    about: [
      `${job.experiment.name} (${job.experiment.file}): ${states.length} runs in ${job.shards} shards, written by dymu run --executor slurm.`,
      `Task i runs shard i (runs i, i+${job.shards}, …), skipping finished runs and resuming interrupted ones.`,
      ...(after ? [`Submitted once the array of ${REFERENCES_SCRIPT} (the runs random runs take their counts from) has succeeded, when it has unfinished shards.`] : []),
      `Re-run one task alone: sbatch --array=I ${join(dir, RUN_SCRIPT)}`,
    ],
    workdir: job.workdir,
    output: join(dir, 'logs', TASK_LOG),
    resources: after ? { ...job.resources, options: [...(job.resources.options ?? []), '--kill-on-invalid-dep=yes'] } : job.resources,
    shards: job.shards,
    command: job.command,
  });
  return { script: { dir, name: RUN_SCRIPT, text, shards: job.shards }, options: { tasks: unfinishedShards(states, job.shards), parallelism: job.resources.arrayParallelism } };
}

/**
 * The array job of the runs random runs take their counts from (`dymu run --references-only` in at
 * most as many shards as the plan), submitted before the plan's; undefined when the plan has none.
 */
export function referenceArray(job: ExperimentArray, states: readonly RunState[]): ArrayJob | undefined {
  const references = referenceStates(states);
  if (references.length === 0) return undefined;
  const shards = referenceShardCount(references.length, job.shards);
  const dir = experimentJobDir(job.results, job.experiment, job.shards);
  const text = sbatchScript({
    name: `dymu-${job.experiment.name}-references`,
    about: [
      `${job.experiment.name} (${job.experiment.file}): the ${references.length} runs random runs take their counts from, in ${shards} shards, written by dymu run --executor slurm.`,
      `The array of ${RUN_SCRIPT} (the whole plan) waits for this one to succeed.`,
      `Re-run one task alone: sbatch --array=I ${join(dir, REFERENCES_SCRIPT)}`,
    ],
    workdir: job.workdir,
    output: join(dir, 'logs', TASK_LOG),
    resources: job.resources,
    shards,
    command: [...job.command, '--references-only'],
  });
  return { script: { dir, name: REFERENCES_SCRIPT, text, shards }, options: { tasks: unfinishedShards(references, shards), parallelism: job.resources.arrayParallelism } };
}

/** What was submitted of one array: its job id (none when every run is finished), the shards submitted out of its count, and the script. */
export interface SubmittedArray {
  readonly job?: string;
  readonly tasks: number[];
  readonly shards: number;
  readonly script: string;
}

/** The two arrays to submit, in order: the references' (when some are unfinished), then the plan's with its dependency on the first. */
function experimentJobs(job: ExperimentArray, states: readonly RunState[]): { references?: ArrayJob; run: ArrayJob } {
  const references = referenceArray(job, states);
  return { references: references && references.options.tasks.length > 0 ? references : undefined, run: experimentArray(job, states) };
}

const submitArray = ({ script, options }: ArrayJob, dependency?: string): SubmittedArray => ({
  job: options.tasks.length === 0 ? undefined : submitScript(script, { ...options, dependency }),
  tasks: options.tasks,
  shards: script.shards!,
  script: join(script.dir, script.name),
});

/**
 * Submits the shards with unfinished runs: first those of the runs random runs take their counts
 * from (when unfinished ones are left), then those of the whole plan once that array has succeeded.
 */
export function submitExperiment(job: ExperimentArray, states: readonly RunState[]): SubmittedArray & { references?: SubmittedArray } {
  const jobs = experimentJobs(job, states);
  const references = jobs.references && submitArray(jobs.references);
  return { ...submitArray(jobs.run, references?.job && afterOk(references.job)), references };
}

/** What `--dry-run` prints: the scripts and the sbatch commands that would submit the unfinished shards. */
export function describeExperimentArray(job: ExperimentArray, states: readonly RunState[]): string {
  const jobs = experimentJobs(job, states);
  if (jobs.run.options.tasks.length === 0) return `# every run of ${job.experiment.name} is finished: nothing to submit\n`;
  if (!jobs.references) return describeJob(jobs.run.script, jobs.run.options);
  return `${describeJob(jobs.references.script, jobs.references.options)}\n${describeJob(jobs.run.script, { ...jobs.run.options, dependency: afterOk('<references job id>') })}`;
}
