import type { CommandModule } from 'yargs';

export interface Args {
  file: string;
  overrides: string[];
  results: string;
}

export const tableCommand: CommandModule<object, Args> = {
  command: 'table <file> [overrides..]',
  describe: "Print an experiment's tables (from the finished runs; each says under it what its ± is) and write them as Markdown, CSV and LaTeX",
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'experiment file' })
      .positional('overrides', { type: 'string', array: true, default: [], describe: 'the overrides the runs were made with' })
      .option('results', { type: 'string', default: 'results', describe: 'results directory' }) as never,
  handler: (args) => import('../handlers/table.ts').then((h) => h.table(args)),
};
