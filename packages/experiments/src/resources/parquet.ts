import { DuckDBInstance } from '@duckdb/node-api';
import { quoteName, sqlLiteral } from '../tables/sql-text.ts';

/** A cell of a generated parquet file: text, or a list of texts. */
export type ParquetCell = string | readonly string[];

const cell = (value: ParquetCell): string => (typeof value === 'string' ? sqlLiteral(value) : `[${value.map(sqlLiteral).join(', ')}]::VARCHAR[]`);

/**
 * Writes rows (all with the columns of the first) as a snappy-compressed parquet file with DuckDB, the
 * format Hugging Face datasets ship (Video-MME's question file); strings as VARCHAR, lists as VARCHAR[].
 */
export async function writeParquet(file: string, rows: readonly Readonly<Record<string, ParquetCell>>[]): Promise<void> {
  const columns = Object.keys(rows[0]);
  const values = rows.map((row) => `(${columns.map((c) => cell(row[c])).join(', ')})`).join(',\n');
  const names = columns.map(quoteName).join(', ');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (SELECT * FROM (VALUES ${values}) AS t(${names})) TO ${sqlLiteral(file)} (FORMAT parquet, COMPRESSION snappy)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
