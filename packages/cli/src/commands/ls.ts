import type { CommandModule } from 'yargs';

export interface Args {
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
  handler: (args) => import('../handlers/ls.ts').then((h) => h.ls(args)),
};
