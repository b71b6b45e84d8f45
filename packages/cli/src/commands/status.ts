import type { CommandModule } from 'yargs';
import { readCalibrationStatus, readExperimentStatus } from '@dymu/cluster';
import { createContainer, knownNames, loadExperiment } from '@dymu/experiments';

interface Args {
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
  handler: (args) => {
    if (!/\.ya?ml$/i.test(args.file)) {
      process.stdout.write(readCalibrationStatus(args.file));
      return;
    }
    const experiment = loadExperiment(args.file, args.overrides, knownNames(createContainer({ results: args.results })));
    process.stdout.write(readExperimentStatus(experiment, args.results));
  },
};
