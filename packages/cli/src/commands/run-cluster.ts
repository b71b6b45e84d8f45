import type { Argv, CommandModule } from 'yargs';
import { withExecutorOptions, type ExecutorArgs } from '../executor-options.ts';
import { runCommand, type RunArgs } from './run.ts';

/**
 * `dymu run` with executors: without them it is `dymu run`; `--jobs N` runs the plan's N shards as
 * local worker processes (first, when random runs take their counts from other runs, the shards of
 * those runs, so that no worker waits for another), then `dymu run` prints the tables; `--executor slurm` writes the sbatch
 * array script into the experiment's results and submits the shards with unfinished runs (first,
 * likewise, an array of those runs, which the plan's waits for; `--dry-run`: prints the scripts). Both check every run's inputs first (preflight), so that no
 * worker or job starts on an experiment with a missing input.
 */
export type ClusterRunArgs = RunArgs & ExecutorArgs;

export const clusterRunCommand: CommandModule<object, ClusterRunArgs> = {
  ...runCommand,
  builder: (y) =>
    withExecutorOptions((runCommand.builder as (y: Argv) => Argv<RunArgs>)(y)).check((a) =>
      a.shard !== undefined && (a.executor === 'slurm' || ((a.jobs as number | undefined) ?? 1) > 1) ? '--shard runs one shard; --jobs and --executor slurm run all of them' : true,
    ) as never,
  handler: (args) => import('../handlers/run-cluster.ts').then((h) => h.runWithExecutors(args)),
};
