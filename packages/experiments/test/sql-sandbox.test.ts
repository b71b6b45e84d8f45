// `dymu sql` runs any SQL a user types over the results: the database must reach nothing but the
// tables it loaded. One test per escape that once worked, each checking that no file was created,
// changed or deleted, inside or outside results/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DymuError } from '@dymu/core';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { ResultsDb, runDirs } from '../src/tables/results-db.ts';
import { testContainer, tinyExperiment, workspace } from './helpers.ts';

/** Every file under `dir` with a hash of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files[join(entry.parentPath, entry.name)] = createHash('sha256').update(readFileSync(join(entry.parentPath, entry.name))).digest('hex');
  }
  return files;
}

describe('dymu sql reaches only the loaded results', () => {
  const ws = workspace('sql-sandbox-');
  const outside = join(ws.dir, 'outside');
  const where = { file: 'command line', field: 'query' };
  let db: ResultsDb;
  let runDir: string;
  let before: Record<string, string>;

  /** The query fails with a DymuError naming the command line and saying the database is sealed, and no file changed. */
  async function refused(sql: string, says: RegExp): Promise<void> {
    const error = await db.query(sql, undefined, where).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, sql).toBeInstanceOf(DymuError);
    expect((error as DymuError).message).toMatch(/^command line: query: /);
    expect((error as DymuError).message).toMatch(says);
    expect((error as DymuError).message).toContain('the results database is sealed');
    expect(snapshot(ws.dir)).toEqual(before);
  }

  beforeAll(async () => {
    const file = ws.write('sql.yaml', tinyExperiment('sql', 'seeds: [0]\n'));
    await runExperiment(loadExperiment(file, [], knownNames(testContainer(ws))), testContainer(ws));
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.txt'), 'a file outside results/\n');
    db = await ResultsDb.open();
    const dirs = runDirs(ws.results);
    await db.load(dirs, { samples: true });
    runDir = dirs[0].path;
    before = snapshot(ws.dir);
    expect(Object.keys(before)).toContain(join(runDir, 'summary.arrow'));
  });
  afterAll(() => db.close());

  it('answers SELECT queries over runs, metrics and samples', async () => {
    expect((await db.query("SELECT count(*), sum(total) FROM runs WHERE status = 'done'")).rows).toEqual([[1, 12]]);
    expect((await db.query('SELECT count(*) FROM samples JOIN runs USING (experiment, run_id)')).rows).toEqual([[12]]);
    expect((await db.query("SELECT value FROM metrics WHERE metric = 'samples'")).rows).toEqual([[12]]);
  });

  it('refuses COPY … TO a file', async () => {
    const target = join(outside, 'copy.csv');
    await refused(`COPY runs TO '${target}'`, /Permission Error: Cannot access file ".*copy\.csv"/);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses COPY … (PARTITION_BY, OVERWRITE) over a run directory and over a folder outside results/', async () => {
    for (const target of [runDir, outside]) {
      await refused(`COPY (SELECT 1 AS k, 'x' AS v) TO '${target}' (FORMAT csv, PARTITION_BY (k), OVERWRITE)`, /Permission Error/);
    }
  });

  it('refuses ATTACH of a database file', async () => {
    const target = join(outside, 'other.duckdb');
    await refused(`ATTACH '${target}' AS other`, /Permission Error: Cannot access file ".*other\.duckdb"/);
    expect(existsSync(target)).toBe(false);
  });

  it("refuses read_text('/etc/passwd') and other readers of arbitrary files", async () => {
    await refused("SELECT * FROM read_text('/etc/passwd')", /Permission Error: Cannot access file "\/etc\/passwd"/);
    await refused(`SELECT * FROM read_csv('${join(outside, 'keep.txt')}')`, /Permission Error/);
    await refused(`SELECT * FROM read_blob('${join(runDir, 'summary.arrow')}')`, /Permission Error/);
  });

  it("refuses glob('/root/*')", async () => {
    await refused("SELECT * FROM glob('/root/*')", /Permission Error: Cannot access file "\/root\/\*"/);
  });

  it('refuses to re-enable external access: the configuration is locked', async () => {
    await refused('SET enable_external_access = true', /Cannot change configuration option "enable_external_access" - the configuration has been locked/);
    await refused('SET lock_configuration = false', /the configuration has been locked/);
    await refused('RESET enable_external_access', /the configuration has been locked/);
    await refused("SELECT * FROM read_text('/etc/passwd')", /Permission Error/);
  });

  it("refuses DuckDB's own default paths in the working directory (its temp folder and WAL names)", async () => {
    for (const target of ['.tmp/escape.csv', ':memory:.wal']) {
      await refused(`COPY runs TO '${target}'`, /Permission Error/);
      expect(existsSync(target)).toBe(false);
    }
  });

  it('reports a plain SQL mistake without the sealed note', async () => {
    const error = await db.query('SELECT nope FROM runs', undefined, where).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DymuError);
    expect((error as DymuError).message).toMatch(/^command line: query: Binder Error: .*nope/);
    expect((error as DymuError).message).not.toContain('sealed');
  });
});
