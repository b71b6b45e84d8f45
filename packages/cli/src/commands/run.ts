import type { CommandModule } from 'yargs';

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
      .option('references-only', { type: 'boolean', hidden: true, describe: 'only the runs that random runs take their counts from (the first wave of --jobs and of --executor slurm)' })
      .option('restart-calibrations', { type: 'boolean', default: false, describe: 'discard the checkpoints of unfinished calibrations (e.g. after the images changed) and start them over' }) as never,
  handler: (args) => import('../handlers/run.ts').then((h) => h.run(args)),
};
