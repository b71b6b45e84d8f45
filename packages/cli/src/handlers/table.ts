import { createContainer, knownNames, loadExperiment, writeTables } from '@dymu/experiments';
import type { Args } from '../commands/table.ts';

export async function table(args: Args): Promise<void> {
  const experiment = loadExperiment(args.file, args.overrides, knownNames(createContainer({ results: args.results })));
  const tables = await writeTables(experiment, args.results);
  if (tables.length === 0) console.log(`${args.file} names no tables (add a tables: section)`);
  for (const table of tables) console.log(`${table.markdown}\n(${table.files.join(', ')})\n`);
}
