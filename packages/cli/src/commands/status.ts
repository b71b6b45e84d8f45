import type { CommandModule } from 'yargs';

export interface Args {
  file: string;
  overrides: string[];
  results: string;
}

export const statusCommand: CommandModule<object, Args> = {
  command: 'status <file> [overrides..]',
  describe: "Show an experiment's runs and shards, or a sharded calibration's shards (FILE: its threshold file), from the results on disk and from squeue / sacct when they answer",
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'experiment file (*.yaml), or the threshold file of dymu calibrate --out' })
      .positional('overrides', { type: 'string', array: true, default: [], describe: 'the overrides the runs were made with' })
      .option('results', { type: 'string', default: 'results', describe: 'results directory' }) as never,
  handler: (args) => import('../handlers/status.ts').then((h) => h.status(args)),
};
