import type { CommandModule } from 'yargs';
import { createContainer, describeResults, describeStatus, knownNames, loadExperiment, planStatus, runDirs } from '@dymu/experiments';

interface Args {
  file?: string;
  overrides: string[];
  results: string;
}

export const lsCommand: CommandModule<object, Args> = {
  command: 'ls [file] [overrides..]',
  describe: "List runs and their status: an experiment's planned runs per configuration and seed, or every run under the results directory",
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'experiment file (default: list everything under --results)' })
      .positional('overrides', { type: 'string', array: true, default: [] })
      .option('results', { type: 'string', default: 'results', describe: 'results directory' }) as never,
  handler: (args) => {
    if (args.file === undefined) {
      process.stdout.write(describeResults(runDirs(args.results)));
      return;
    }
    const experiment = loadExperiment(args.file, args.overrides, knownNames(createContainer({ results: args.results })));
    process.stdout.write(describeStatus(experiment, planStatus(experiment, args.results)));
  },
};
