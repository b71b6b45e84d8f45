import type { CommandModule } from 'yargs';
import { csvGrid, markdownGrid, ResultsDb, runDirs } from '@dymu/experiments';

interface Args {
  query: string;
  results: string;
  format: 'md' | 'csv' | 'json';
}

export const sqlCommand: CommandModule<object, Args> = {
  command: 'sql <query>',
  describe: 'Query all results with DuckDB: views results (a row per metric), results_runs, results_samples, results_scores with a column per label; raw tables runs, metrics, samples and scores',
  builder: (y) =>
    y
      .positional('query', { type: 'string', demandOption: true, describe: `e.g. "SELECT policy, metric, avg(value) FROM results GROUP BY ALL"` })
      .option('results', { type: 'string', default: 'results', describe: 'results directory' })
      .option('format', { choices: ['md', 'csv', 'json'] as const, default: 'md' as const }) as never,
  handler: async (args) => {
    const db = await ResultsDb.open();
    try {
      await db.load(runDirs(args.results), ResultsDb.tablesNamedIn(args.query));
      const { columns, rows } = await db.query(args.query, undefined, { file: 'command line', field: 'query' });
      const json = (v: unknown) => JSON.stringify(v, (_key, x) => (typeof x === 'bigint' ? x.toString() : x));
      const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? json(v) : String(v));
      if (args.format === 'json') process.stdout.write(`${json(rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]]))))}\n`);
      else if (args.format === 'csv') process.stdout.write(csvGrid(columns, rows.map((r) => r.map(text))));
      else process.stdout.write(markdownGrid(columns, rows.map((r) => r.map(text))));
    } finally {
      db.close();
    }
  },
};
