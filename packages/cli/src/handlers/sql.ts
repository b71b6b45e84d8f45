import { csvGrid, markdownGrid, ResultsDb, runDirs } from '@dymu/experiments';
import type { Args } from '../commands/sql.ts';

export async function sql(args: Args): Promise<void> {
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
}
