import type { CommandModule } from 'yargs';

export interface Args {
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
  handler: (args) => import('../handlers/sql.ts').then((h) => h.sql(args)),
};
