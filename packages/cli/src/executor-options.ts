import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import type { SlurmResources } from '@dymu/cluster';

export interface ExecutorArgs {
  executor: 'local' | 'slurm';
  jobs?: number;
  partition?: string;
  time?: string;
  'cpus-per-task'?: number;
  'gpus-per-task'?: number;
  'array-parallelism'?: number;
  sbatch: string[];
}

/** The dymu command workers and Slurm jobs run: this Node and bin/dymu.js, by absolute path. */
export const DYMU_COMMAND: readonly string[] = [process.execPath, fileURLToPath(new URL('../bin/dymu.js', import.meta.url))];

const SLURM_ONLY = ['partition', 'time', 'cpus-per-task', 'gpus-per-task', 'array-parallelism'] as const;
const COUNTS = ['jobs', 'cpus-per-task', 'gpus-per-task', 'array-parallelism'] as const;

/** The options that say where the shards of a long job run: here (`--jobs N` worker processes) or as a Slurm array. */
export function withExecutorOptions<T>(y: Argv<T>): Argv<T & ExecutorArgs> {
  return y
    .option('executor', { choices: ['local', 'slurm'] as const, default: 'local' as const, describe: 'local: this machine; slurm: an sbatch array job, one task per shard' })
    .option('jobs', { type: 'number', describe: 'shards: local worker processes (at most one per core at a time, onnxruntime threads split between them), or Slurm array tasks' })
    .option('partition', { type: 'string', describe: 'slurm: partition' })
    .option('time', { type: 'string', describe: 'slurm: time limit per task (e.g. 04:00:00)' })
    .option('cpus-per-task', { type: 'number', describe: 'slurm: CPUs per task (also the onnxruntime threads)' })
    .option('gpus-per-task', { type: 'number', describe: 'slurm: GPUs per task' })
    .option('array-parallelism', { type: 'number', describe: 'slurm: at most K array tasks at once' })
    .option('sbatch', { type: 'string', array: true, default: [] as string[], describe: 'slurm: further sbatch options, e.g. --sbatch=--account=proj --sbatch=--mem=32G' })
    .group(['executor', 'jobs', ...SLURM_ONLY, 'sbatch'], 'Executors:')
    .check((a) => {
      for (const key of COUNTS) {
        const v = a[key];
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) return `--${key}: expected a positive integer`;
      }
      const slurmOnly = [...SLURM_ONLY.filter((key) => a[key] !== undefined), ...(a.sbatch.length > 0 ? ['sbatch'] : [])];
      if (a.executor !== 'slurm' && slurmOnly.length > 0) return `--${slurmOnly[0]}: only with --executor slurm`;
      return true;
    }) as unknown as Argv<T & ExecutorArgs>;
}

export function slurmResources(args: ExecutorArgs): SlurmResources {
  return {
    partition: args.partition,
    time: args.time,
    cpusPerTask: args['cpus-per-task'],
    gpusPerTask: args['gpus-per-task'],
    arrayParallelism: args['array-parallelism'],
    options: args.sbatch,
  };
}
