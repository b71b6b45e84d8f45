import type { Argv, CommandModule } from 'yargs';
import { arrayRange, describeExperimentArray, runShardsLocally, submitExperiment, type ExperimentArray } from '@dymu/cluster';
import { createContainer, knownNames, loadExperiment, planRuns, planStatus, preflight } from '@dymu/experiments';
import { DYMU_COMMAND, slurmResources, withExecutorOptions, type ExecutorArgs } from '../executor-options.ts';
import { runCommand, type RunArgs } from './run.ts';

/**
 * `dymu run` with executors: without them it is `dymu run`; `--jobs N` runs the plan's N shards as
 * local worker processes (first, when random runs take their counts from other runs, the shards of
 * those runs, so that no worker waits for another), then `dymu run` prints the tables; `--executor slurm` writes the sbatch
 * array script into the experiment's results and submits the shards with unfinished runs
 * (`--dry-run`: prints the script). Both check every run's inputs first (preflight), so that no
 * worker or job starts on an experiment with a missing input.
 */
export const clusterRunCommand: CommandModule<object, RunArgs & ExecutorArgs> = {
  ...runCommand,
  builder: (y) =>
    withExecutorOptions((runCommand.builder as (y: Argv) => Argv<RunArgs>)(y)).check((a) =>
      a.shard !== undefined && (a.executor === 'slurm' || ((a.jobs as number | undefined) ?? 1) > 1) ? '--shard runs one shard; --jobs and --executor slurm run all of them' : true,
    ) as never,
  handler: async (args) => {
    const local = args.executor === 'local';
    if (local && (args['dry-run'] || (args.jobs ?? 1) <= 1)) return runCommand.handler(args);
    const command = [...DYMU_COMMAND, 'run', args.file, ...args.overrides, '--results', args.results, ...(args.cache === undefined ? [] : ['--cache', args.cache])];
    const container = createContainer({ results: args.results, cache: args.cache });
    const experiment = loadExperiment(args.file, args.overrides, knownNames(container));
    if (!args['dry-run']) await preflight(experiment, planRuns(experiment), container);
    if (local) {
      if (planRuns(experiment).some((r) => r.reference)) await runShardsLocally({ command: [...command, '--references-only'], shards: args.jobs! });
      await runShardsLocally({ command, shards: args.jobs! });
      return runCommand.handler({ ...args, jobs: undefined });
    }
    const states = planStatus(experiment, args.results);
    const job: ExperimentArray = { experiment, results: args.results, shards: args.jobs ?? states.length, command, workdir: process.cwd(), resources: slurmResources(args) };
    if (args['dry-run']) {
      process.stdout.write(describeExperimentArray(job, states));
      return;
    }
    const submitted = submitExperiment(job, states);
    if (submitted.job === undefined) console.log(`every run of ${experiment.name} is finished: nothing to submit (dymu table ${args.file})`);
    else console.log(`submitted job ${submitted.job}: shard${submitted.tasks.length > 1 ? 's' : ''} ${arrayRange(submitted.tasks)} of ${job.shards} (${submitted.script})`);
    console.log(`follow it with: dymu status ${args.file}`);
  },
};
