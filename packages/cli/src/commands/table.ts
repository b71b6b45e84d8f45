import type { CommandModule } from 'yargs';
import { createContainer, knownNames, loadExperiment, writeTables } from '@dymu/experiments';

interface Args {
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
  handler: async (args) => {
    const experiment = loadExperiment(args.file, args.overrides, knownNames(createContainer({ results: args.results })));
    const tables = await writeTables(experiment, args.results);
    if (tables.length === 0) console.log(`${args.file} names no tables (add a tables: section)`);
    for (const table of tables) console.log(`${table.markdown}\n(${table.files.join(', ')})\n`);
  },
};
