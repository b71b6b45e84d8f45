import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError, type ErrorLocation } from '@dymu/core';
import { BOOLEAN, DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, LIST, listValue, VARCHAR, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { readArrowFile } from '../results/arrow.ts';
import { RunDir } from '../results/run-dir.ts';
import type { Cell, Column, ColumnType } from '../tasks/task.ts';
import { quoteName } from './sql-text.ts';
import { labelColumns, viewStatements } from './views.ts';

/** The DuckDB type of each column type (a function: DuckDB loads when a command first queries, not when this file loads). */
function duckType(type: ColumnType): DuckDBType {
  return { utf8: VARCHAR, int32: INTEGER, float64: DOUBLE, bool: BOOLEAN, 'int32[]': LIST(INTEGER) }[type];
}

/** Which per-sample tables to load besides `runs` and `metrics`. */
export interface LoadOptions {
  readonly samples?: boolean;
  readonly scores?: boolean;
}

const columns = (spec: string): Column[] => spec.split(' ').map((c) => ({ name: c.split(':')[0], type: c.split(':')[1] as ColumnType }));
const RUN_COLUMNS = columns('experiment:utf8 run_id:utf8 seed:int32 status:utf8 task:utf8 labels:utf8 config:utf8 rows:int32 total:int32 git_commit:utf8 finished_at:utf8 path:utf8');
const METRIC_COLUMNS = columns('experiment:utf8 run_id:utf8 seed:int32 metric:utf8 value:float64');

/**
 * An in-memory DuckDB holding results, appended from the Arrow IPC files through DuckDB's
 * appender (this DuckDB build has no Arrow reader and cannot download extensions; the Arrow files
 * stay the one copy of the data):
 * - `runs`: one row per run directory (experiment, run_id, seed, status, task, labels and config as JSON, rows, total, git commit, finished_at);
 * - `metrics`: (experiment, run_id, seed, metric, value), one row per summary metric of a finished run;
 * - `samples`: every sample row of every run (the union of their columns), with `experiment`;
 * - `scores`: the per-sample scores of benchmark runs, with `experiment`;
 * and the views over them with a typed column per run label (`views.ts`: `results`, `results_runs`,
 * `results_samples`, `results_scores`).
 *
 * The database is sealed before anything is loaded (the appender needs no file access): it can
 * reach no file, no other database and no setting, so a query (`dymu sql`) sees only these tables.
 */
export class ResultsDb {
  private constructor(readonly connection: DuckDBConnection) {}

  static async open(): Promise<ResultsDb> {
    // One thread: parallel aggregation sums floats in a varying order, and tables must be
    // byte-identical from one `dymu table` to the next.
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await instance.connect();
    // SET once connected rather than start-up options: given at start-up, DuckDB still lets files
    // be written at its default paths in the working directory (`.tmp/`, `:memory:.wal`, …).
    // No temp_directory: nothing spills to disk. The locked configuration cannot be re-opened.
    for (const setting of ["SET temp_directory = ''", 'SET enable_external_access = false', 'SET lock_configuration = true']) await connection.run(setting);
    return new ResultsDb(connection);
  }

  /** The per-sample tables a query names (`samples` or its view `results_samples`; `scores`, `results_scores`): those `dymu sql` loads. */
  static tablesNamedIn(query: string): LoadOptions {
    const names = (table: string) => new RegExp(`\\b(?:results_)?${table}\\b`, 'i').test(query);
    return { samples: names('samples'), scores: names('scores') };
  }

  /** Loads run directories and creates the views over them. */
  async load(dirs: readonly RunDir[], options: LoadOptions = {}): Promise<void> {
    const runs: Cell[][] = [];
    const labels: Record<string, string>[] = [];
    const metrics: Cell[][] = [];
    for (const dir of dirs) {
      const meta = dir.meta();
      if (!meta) continue;
      const status = dir.status;
      const rows = status === 'done' ? meta.total : dir.rows().length;
      labels.push(meta.labels);
      runs.push([meta.experiment, meta.id, meta.seed, status, meta.config.task, JSON.stringify(meta.labels), JSON.stringify(meta.config), rows, meta.total, meta.provenance.git.commit, meta.finished?.at ?? null, dir.path]);
      if (status !== 'done') continue;
      const [summary] = readArrowFile(join(dir.path, 'summary.arrow')).rows;
      for (const [metric, value] of Object.entries(summary)) {
        if (metric !== 'run_id' && metric !== 'experiment' && metric !== 'seed') metrics.push([meta.experiment, meta.id, meta.seed, metric, value]);
      }
    }
    await this.insert('runs', RUN_COLUMNS, runs);
    await this.insert('metrics', METRIC_COLUMNS, metrics);
    const samples = options.samples ? await this.union('samples', dirs.flatMap((d) => d.chunks().map((file) => ({ file, experiment: d.meta()?.experiment ?? '' })))) : undefined;
    const scores = options.scores ? await this.union('scores', dirs.filter((d) => d.status === 'done' && existsSync(join(d.path, 'scores.arrow'))).map((d) => ({ file: join(d.path, 'scores.arrow'), experiment: d.meta()!.experiment }))) : undefined;
    for (const statement of viewStatements(labelColumns(labels), { samples, scores })) await this.connection.run(statement);
  }

  /**
   * Rows of a query as plain JS values (BIGINT as number when safe). DuckDB's errors become a
   * DymuError at `where`; one that reached for a file, a database or a setting says it is sealed.
   */
  async query(sql: string, values?: Record<string, string | number>, where: ErrorLocation = {}): Promise<{ columns: string[]; rows: unknown[][] }> {
    const reader = await this.connection.runAndReadAll(sql, values).catch((cause: Error) => {
      const sealed = /^Permission Error|the configuration has been locked/.test(cause.message);
      const why = sealed ? ' (the results database is sealed: it reads only its tables runs, metrics, samples and scores and their views, no file, database or setting)' : '';
      throw new DymuError(`${cause.message}${why}`, { ...where, cause });
    });
    return { columns: reader.columnNames(), rows: reader.getRowsJS().map((row) => row.map((v) => (typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v))) };
  }

  /** (Re)creates a table with these columns and appends the rows (values in column order). */
  async insert(table: string, columns: readonly Column[], rows: readonly (readonly Cell[])[]): Promise<void> {
    await this.connection.run(`CREATE OR REPLACE TABLE ${quoteName(table)} (${columns.map((c) => `${quoteName(c.name)} ${duckType(c.type)}`).join(', ')})`);
    await appendRows(this.connection, table, columns.map((c) => c.type), rows);
  }

  close(): void {
    this.connection.closeSync();
  }

  /**
   * One table from Arrow files of possibly different columns: the union by name (a column of two
   * types becomes text), with experiment and run_id even when there is no file; its column names.
   */
  private async union(table: string, files: readonly { file: string; experiment: string }[]): Promise<string[]> {
    const read = files.map(({ file, experiment }) => ({ experiment, ...readArrowFile(file) }));
    const types = new Map<string, ColumnType>([['experiment', 'utf8'], ['run_id', 'utf8']]);
    for (const { columns } of read) for (const c of columns) types.set(c.name, types.has(c.name) && types.get(c.name) !== c.type ? 'utf8' : c.type);
    const columns = [...types].map(([name, type]) => ({ name, type }));
    await this.insert(table, columns, read.flatMap(({ experiment, rows }) => rows.map((row) => columns.map(({ name }) => (name === 'experiment' ? experiment : (row[name] ?? null))))));
    return columns.map((c) => c.name);
  }
}

/** Appends rows column-wise, one DuckDB data chunk (2048 rows) at a time: far faster than row by row for list columns. */
async function appendRows(connection: DuckDBConnection, table: string, types: readonly ColumnType[], rows: readonly (readonly Cell[])[]): Promise<void> {
  const appender = await connection.createAppender(table);
  const value = (v: Cell, type: ColumnType): DuckDBValue => {
    if (v === null || v === undefined) return null;
    if (type === 'int32[]') return listValue([...(v as number[])]);
    return type === 'utf8' && typeof v !== 'string' ? JSON.stringify(v) : (v as DuckDBValue);
  };
  for (let start = 0; start < rows.length; start += 2048) {
    const slice = rows.slice(start, start + 2048);
    const chunk = DuckDBDataChunk.create(types.map(duckType), slice.length);
    chunk.setColumns(types.map((type, j) => slice.map((row) => value(row[j], type))));
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}

/** Every run directory under `results/` (all experiments), or of one experiment. */
export function runDirs(results: string, experiment?: string): RunDir[] {
  const experiments = experiment !== undefined ? [experiment] : existsSync(results) ? readdirSync(results, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : [];
  return experiments.flatMap((name) => {
    const dir = join(results, name);
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'run.json')))
      .map((e) => new RunDir(join(dir, e.name)))
      .sort((a, b) => a.path.localeCompare(b.path));
  });
}
