import { arrayRange } from './array-range.ts';
import { shellCommand } from './shell.ts';

/** What a job asks Slurm for. */
export interface SlurmResources {
  readonly partition?: string;
  /** Wall-time limit as sbatch takes it (`04:00:00`, `2-00:00:00`). */
  readonly time?: string;
  readonly cpusPerTask?: number;
  readonly gpusPerTask?: number;
  /** At most this many array tasks run at once (`--array=…%K`). */
  readonly arrayParallelism?: number;
  /** Further sbatch options, as written (`--account=proj`, `--mem=32G`). */
  readonly options?: readonly string[];
}

export interface SbatchJob {
  readonly name: string;
  /** The comment at the top, one line each. */
  readonly about: readonly string[];
  /** Where the job runs (relative paths of the command mean what they meant at submission). */
  readonly workdir: string;
  /** The log file, with sbatch's patterns (%A array job id, %a task, %j job id). */
  readonly output: string;
  readonly resources: SlurmResources;
  /**
   * An array job of this many shards: task i runs shard i, `--shard "$SLURM_ARRAY_TASK_ID/<shards>"`
   * appended to the command. The count is written out, not $SLURM_ARRAY_TASK_COUNT, which counts the
   * tasks submitted: a re-submission of shards 1 and 3 of 4 has two.
   */
  readonly shards?: number;
  /** The dymu command line: node, dymu.js, the command and its arguments. */
  readonly command: readonly string[];
}

/**
 * The sbatch script of a job: the #SBATCH directives (the array, when sharded, covers all shards;
 * a re-submission narrows it with `sbatch --array=…`), onnxruntime's thread count set to the CPUs
 * Slurm gave the task, then the command.
 */
export function sbatchScript(job: SbatchJob): string {
  const r = job.resources;
  const directives = [
    `--job-name=${job.name}`,
    ...(job.shards === undefined ? [] : [`--array=${arrayRange(Array.from({ length: job.shards }, (_, i) => i), r.arrayParallelism)}`]),
    `--output=${job.output}`,
    `--chdir=${job.workdir}`,
    ...(r.partition === undefined ? [] : [`--partition=${r.partition}`]),
    ...(r.time === undefined ? [] : [`--time=${r.time}`]),
    ...(r.cpusPerTask === undefined ? [] : [`--cpus-per-task=${r.cpusPerTask}`]),
    ...(r.gpusPerTask === undefined ? [] : [`--gpus-per-task=${r.gpusPerTask}`]),
    ...(r.options ?? []),
  ];
  const shard = job.shards === undefined ? '' : ` --shard "$SLURM_ARRAY_TASK_ID/${job.shards}"`;
  return [
    '#!/bin/bash',
    ...job.about.map((line) => `# ${line}`.trimEnd()),
    ...directives.map((d) => `#SBATCH ${/\s/.test(d) ? `"${d}"` : d}`),
    'set -euo pipefail',
    '# onnxruntime threads per session: the CPUs Slurm gave this task',
    'export DYMU_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
    `exec ${shellCommand(job.command)}${shard}`,
    '',
  ].join('\n');
}
