import type { CommandModule } from 'yargs';
import { createContainer, describePlan, inputProblems, knownNames, loadExperiment, parseShard, planRuns, planStatus, runExperiment, selectShard, writeTables } from '@dymu/experiments';

/** The options of `dymu run` (the cluster wrapper hands them on to every shard). */
export interface RunArgs {
  file: string;
  overrides: string[];
  'dry-run': boolean;
  shard?: string;
  results: string;
  cache?: string;
  'restart-calibrations': boolean;
  'references-only'?: boolean;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <file> [overrides..]',
  describe: 'Run an experiment file (finished runs are skipped, interrupted ones resume), then print its tables',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'experiment file (experiments/*.yaml)' })
      .positional('overrides', { type: 'string', array: true, default: [], describe: 'Hydra-style overrides: policy.r=8 seeds=[0,1,2] models.llava15=/data/llava ~limit' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the expanded runs (resolved configs, ids, status) and every problem of their inputs, and stop' })
      .option('shard', { type: 'string', describe: 'run slice i/n of the runs (0 ≤ i < n), e.g. --shard $SLURM_ARRAY_TASK_ID/8' })
      .option('results', { type: 'string', default: 'results', describe: 'results directory' })
      .option('cache', { type: 'string', describe: 'generated models and images, thresholds (default $DYMU_CACHE or .cache/dymu)' })
      .option('references-only', { type: 'boolean', hidden: true, describe: 'only the runs that random runs take their counts from (the first wave of --jobs)' })
      .option('restart-calibrations', { type: 'boolean', default: false, describe: 'discard the checkpoints of unfinished calibrations (e.g. after the images changed) and start them over' }) as never,
  handler: async (args) => {
    const container = createContainer({ results: args.results, cache: args.cache, restartCalibrations: args['restart-calibrations'] });
    const experiment = loadExperiment(args.file, args.overrides, knownNames(container));
    const shard = args.shard === undefined ? undefined : parseShard(args.shard);
    if (args['dry-run']) {
      const runs = planRuns(experiment);
      const chosen = shard ? selectShard(runs, shard) : runs;
      const problems = await inputProblems(experiment, chosen, container);
      process.stdout.write(describePlan(experiment, planStatus(experiment, args.results), new Set(chosen.map((r) => r.id)), problems));
      if (problems.length > 0) process.exitCode = 1;
      return;
    }
    await runExperiment(experiment, container, { shard, referencesOnly: args['references-only'] });
    const states = planStatus(experiment, args.results);
    const done = states.filter((s) => s.status === 'done').length;
    // A shard does not print the tables: `--jobs N` prints them once, after every worker; by hand or under Slurm, `dymu table`.
    if (shard) {
      console.log(`shard ${args.shard}: done; ${done} of ${states.length} runs of ${experiment.name} are finished; \`dymu table ${args.file}\` once all are`);
      return;
    }
    if (done < states.length) {
      console.log(`${done} of ${states.length} runs of ${experiment.name} are finished; \`dymu table ${args.file}\` once all are`);
      return;
    }
    for (const table of await writeTables(experiment, args.results)) console.log(`\n${table.markdown}\n(${table.files.join(', ')})`);
  },
};
